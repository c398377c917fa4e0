import type { Task } from '@cairn/protocol';
import type { Store, WorkerRecord } from '../../store/store.js';

/**
 * Whether workers are alive. A worker is gone once it has been silent (no register, no
 * status report) for its `register_timeout`, whether or not the watchdog has deleted
 * its record yet.
 */
export const isAlive = (w: WorkerRecord, now: number): boolean => now - w.last_seen <= w.register_timeout * 1000;

export async function liveWorkers(store: Store, now = Date.now()): Promise<WorkerRecord[]> {
  return (await store.workers.list()).filter((w) => isAlive(w, now));
}

/** Whether some live worker pulls from this queue. */
export async function isQueueWatched(store: Store, queueId: string, now = Date.now()): Promise<boolean> {
  return (await liveWorkers(store, now)).some((w) => w.queues.includes(queueId));
}

/**
 * Whether an agent is watching this task and will act on a "stopping" request: its
 * last worker is alive and the task has been reported on within that worker's timeout.
 */
export async function isRunByLiveWorker(store: Store, task: Task, now = Date.now()): Promise<boolean> {
  if (!task.last_worker) return false;
  const worker = await store.workers.get(task.last_worker);
  if (!worker || !isAlive(worker, now)) return false;
  return now - Date.parse(task.last_update) <= worker.register_timeout * 1000;
}
