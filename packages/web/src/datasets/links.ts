/**
 * A dataset's page, at the address the clearml SDK prints ("ClearML dataset page:
 * <web>/datasets/simple/<project id>/experiments/<version id>").
 */
export const datasetHref = (projectId: string, versionId?: string): string =>
  `/datasets/simple/${projectId}${versionId ? `/experiments/${versionId}` : ''}`;
