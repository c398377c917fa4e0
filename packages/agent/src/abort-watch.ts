import { sleep, type Session } from '@cairn/client';

/** Why a running task must be ended from outside. */
export type AbortVerdict =
  | { kind: 'stop-requested' }
  | { kind: 'status-changed'; status: string }
  | { kind: 'gone' };

/**
 * What the task's current state means for its process: `tasks.stop` on a task run by a
 * worker leaves it `in_progress` with the message "stopping" and the agent finishes the
 * job; any other status means someone else already ended, reset or re-queued it.
 */
export function judgeTaskState(task: { status?: string; status_message?: string } | undefined): AbortVerdict | undefined {
  if (!task) return { kind: 'gone' };
  if (task.status === 'in_progress') return task.status_message?.includes('stopping') ? { kind: 'stop-requested' } : undefined;
  return { kind: 'status-changed', status: task.status ?? 'unknown' };
}

/**
 * Reads the task's status every interval until it says the task must be ended, or until
 * `signal` aborts. A failed read never aborts the task: the server may just be restarting.
 */
export async function watchForAbort(session: Session, taskId: string, intervalMs: number, signal: AbortSignal): Promise<AbortVerdict | undefined> {
  while (!signal.aborted) {
    try {
      await sleep(intervalMs, signal);
      const { tasks } = await session.call<{ tasks: { status?: string; status_message?: string }[] }>(
        'tasks.get_all',
        { id: [taskId], only_fields: ['status', 'status_message'], search_hidden: true },
        { signal },
      );
      const verdict = judgeTaskState(tasks[0]);
      if (verdict) return verdict;
    } catch {
      if (signal.aborted) return undefined;
    }
  }
  return undefined;
}
