import type { Store } from '../../store/store.js';
import { nowIso } from '../deps.js';

/**
 * A task taken out of a queue by queue management (a forced queue delete, or
 * `remove_task` with `update_task_status`) goes back to draft, as a dequeue does. A task
 * that moved on meanwhile (picked up by a worker, stopped, enqueued elsewhere) is left alone.
 */
export async function releaseQueuedTask(store: Store, taskId: string, queueId: string): Promise<boolean> {
  let released = false;
  await store.tasks.update(taskId, (doc) => {
    if (doc.status !== 'queued' || (doc.execution.queue !== undefined && doc.execution.queue !== queueId)) return doc;
    const now = nowIso();
    const { queue: _queue, ...execution } = doc.execution;
    released = true;
    return {
      ...doc,
      status: 'created',
      status_reason: 'removed from queue',
      status_message: '',
      status_changed: now,
      last_update: now,
      last_change: now,
      execution,
    };
  });
  return released;
}
