import type { Task, TaskStatus } from '@cairn/protocol';
import type { Store } from '../../store/store.js';
import { nowIso } from '../deps.js';

/** Where a task taken out of its queue goes back to: its status before `tasks.enqueue`, else draft. */
export const statusBeforeEnqueue = (task: Task): TaskStatus =>
  task.enqueue_status && task.enqueue_status !== 'queued' ? task.enqueue_status : 'created';

/**
 * A task taken out of a queue by queue management (a forced queue delete, `clear_queue`,
 * or `remove_task` with `update_task_status`) goes back to its status before the enqueue,
 * as a dequeue does. A task that moved on meanwhile (picked up by a worker, stopped,
 * enqueued elsewhere) is left alone.
 */
export async function releaseQueuedTask(store: Store, taskId: string, queueId: string): Promise<boolean> {
  let released = false;
  await store.tasks.update(taskId, (doc) => {
    if (doc.status !== 'queued' || (doc.execution.queue !== undefined && doc.execution.queue !== queueId)) return doc;
    const now = nowIso();
    const { queue: _queue, ...execution } = doc.execution;
    const { enqueue_status: _before, ...rest } = doc;
    released = true;
    return {
      ...rest,
      status: statusBeforeEnqueue(doc),
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

/**
 * A task popped while `stopped` (an abort that raced its enqueue) is `queued` again, as a
 * worker is about to run it. Answers the task as it is now.
 */
export async function requeueStoppedTask(store: Store, taskId: string): Promise<Task | undefined> {
  return store.tasks.update(taskId, (doc) => {
    if (doc.status !== 'stopped') return doc;
    const now = nowIso();
    return { ...doc, status: 'queued', status_changed: now, last_update: now, last_change: now };
  });
}
