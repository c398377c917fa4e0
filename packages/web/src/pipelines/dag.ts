/**
 * A pipeline run as the clearml SDK keeps it (clearml-datasets-pipelines.md §2): the
 * controller task's `Pipeline` configuration is the DAG, step name → node with its
 * parents, its status and the id of the task that ran it (`job_id`).
 */

const HIDDEN_PIPELINES = '/.pipelines/';

/** `P/.pipelines/N` → `{ project: 'P', name: 'N' }`; null for a project that is not a pipeline's. */
export function pipelineOfProject(projectName: string): { project: string; name: string } | null {
  const at = projectName.lastIndexOf(HIDDEN_PIPELINES);
  if (at < 0) return null;
  const name = projectName.slice(at + HIDDEN_PIPELINES.length);
  if (!name || name.includes('/')) return null;
  return { project: projectName.slice(0, at), name };
}

export interface PipelineStep {
  name: string;
  parents: string[];
  /** pending, queued, running, completed, cached, failed, aborted, skipped */
  status: string;
  taskId: string | null;
  queue: string | null;
}

export function parsePipeline(text: string | undefined): PipelineStep[] {
  if (!text) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  return Object.entries(raw as Record<string, Record<string, unknown>>).map(([name, node]) => ({
    name,
    parents: Array.isArray(node?.parents) ? node.parents.filter((p): p is string => typeof p === 'string') : [],
    status: typeof node?.status === 'string' ? node.status : 'pending',
    taskId: typeof node?.job_id === 'string' ? node.job_id : typeof node?.executed === 'string' ? node.executed : null,
    queue: typeof node?.queue === 'string' ? node.queue : null,
  }));
}

/**
 * The step's status now: the controller writes the DAG when something changes, so a step
 * whose task is already running or done reads that from the task itself.
 */
export function liveStepStatus(step: PipelineStep, taskStatus: string | undefined): string {
  if (!taskStatus || step.status === 'cached' || step.status === 'skipped') return step.status;
  switch (taskStatus) {
    case 'in_progress': return 'running';
    case 'queued': return 'queued';
    case 'completed': case 'published': case 'closed': return 'completed';
    case 'failed': return 'failed';
    case 'stopped': return 'aborted';
    default: return step.status;
  }
}
