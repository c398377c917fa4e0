import type { QueueEntry, Task } from '@cairn/protocol';
import type { Store } from '../../store/store.js';
import { popTask, waitForTask } from './queue-ops.js';
import { requeueStoppedTask } from './task-release.js';

export interface NextTaskOptions {
  /** take the head only when it is this task */
  onlyTask?: string;
  /** how long to wait for a task when the queue is empty (0: answer at once) */
  waitMs: number;
  /** the caller went away: stop waiting and take nothing */
  signal?: AbortSignal;
}

/**
 * `queues.get_next_task`: pops the head atomically. With a wait, an empty queue holds the
 * call until a task is added (or the time is up) and then pops, so an agent that long-polls
 * starts a task the moment it is enqueued. Entries of deleted tasks are skipped.
 */
export async function takeNextTask(store: Store, queueId: string, opts: NextTaskOptions): Promise<{ entry: QueueEntry; task: Task } | undefined> {
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    if (opts.signal?.aborted) return undefined;
    const entry = await popTask(store, queueId, opts.onlyTask);
    if (entry) {
      const task = await store.tasks.get(entry.task);
      if (!task) continue;
      return { entry, task: (await requeueStoppedTask(store, task.id)) ?? task };
    }
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    // Another waiter may take the added task first: then wait again for the time left.
    await waitForTask(store, queueId, left, opts.signal);
  }
}
