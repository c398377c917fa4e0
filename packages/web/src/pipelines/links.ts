/**
 * A pipeline's page, at the address the clearml SDK prints ("ClearML pipeline page:
 * <web>/pipelines/<project id>/experiments/<controller task id>").
 */
export const pipelineHref = (projectId: string, runId?: string): string =>
  `/pipelines/${projectId}${runId ? `/experiments/${runId}` : ''}`;
