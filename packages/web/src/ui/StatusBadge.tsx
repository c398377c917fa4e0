import type { TaskStatus } from '../api/types';

/** The words users know from ClearML for each status. */
export const STATUS_LABEL: Record<TaskStatus, string> = {
  created: 'Draft',
  queued: 'Pending',
  in_progress: 'Running',
  stopped: 'Aborted',
  completed: 'Completed',
  failed: 'Failed',
  published: 'Published',
  publishing: 'Publishing',
  closed: 'Closed',
  unknown: 'Unknown',
};

export function StatusBadge({ status }: { status: TaskStatus }) {
  return <span className={`status status-${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}
