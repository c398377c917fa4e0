import { Errors } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Task } from '@cairn/protocol';
import type { InProgressTask, Store } from '../../store/store.js';
import { changeStatus } from '../tasks/lifecycle.js';
import { isAlive } from './presence.js';

/**
 * The liveness watchdog. No task is left `in_progress` by an agent that is gone:
 * - a worker silent for its timeout is removed, and every task it was running (its last
 *   worker, which is no longer alive, reported on this run) is stopped
 *   ("Forced stop (worker <id> went silent)");
 * - any task not updated for the task timeout is stopped ("Forced stop (non-responsive)"):
 *   agents and the SDK both ping their running task (the SDK every 30 s, from a local
 *   run too), so this catches a local process that was killed, or an agent that lost it.
 *   The timeout is long (2 h, as in ClearML) because the SDK ends a live run whose task
 *   it finds stopped, and a laptop that slept must not lose its run.
 * Right after a
 * start the server cannot know who went silent while it was down, so silence counts from
 * the watchdog's start at the earliest. Replicas on one store take turns (the store's
 * `watchdog` lock; a replica that finds it held skips its sweep), and every step is
 * atomic and checks the task is still as read.
 */
export interface WatchdogOptions {
  workerTimeoutSec: number;
  taskTimeoutSec: number;
  /** epoch ms at which watching started */
  since: number;
}

export interface SweepResult {
  expiredWorkers: string[];
  stopped: { task: string; reason: string }[];
}

/** How long worker statistics and queue metrics are kept. */
const HISTORY_MS = 30 * 24 * 3600 * 1000;

async function forceStop(store: Store, id: string, reason: string, stillAsRead: (doc: Task) => boolean): Promise<boolean> {
  try {
    await changeStatus(store, id, 'stopped', { force: true, reason, message: reason, unchangedSince: (doc) => doc.status === 'in_progress' && stillAsRead(doc) });
    return true;
  } catch (err) {
    // The task moved on (or vanished) since it was read: nothing to stop.
    if (err instanceof ApiError && (err.error === Errors.taskStatusChanged || err.error === Errors.invalidTaskId)) return false;
    throw err;
  }
}

/** Whether the worker's reports on this task came after the task (re)started: it ran this run. */
const ranThisRun = (t: InProgressTask) => Date.parse(t.started ?? '') <= Date.parse(t.last_worker_report ?? '');

export async function sweep(store: Store, opts: WatchdogOptions, now = Date.now()): Promise<SweepResult> {
  const settled = now - opts.since > opts.workerTimeoutSec * 1000;
  const expiredWorkers = settled ? (await store.workers.removeExpired(now)).map((w) => w.id) : [];
  const tasks = await store.workers.inProgressTasks();
  const workerIds = [...new Set(tasks.flatMap((t) => (t.last_worker ? [t.last_worker] : [])))];
  const records = await Promise.all(workerIds.map((id) => store.workers.get(id)));
  const alive = new Set(records.filter((w) => w !== undefined && isAlive(w, now)).map((w) => w!.id));
  const stopped: SweepResult['stopped'] = [];
  for (const t of tasks) {
    const worker = t.last_worker;
    if (worker && settled && !alive.has(worker) && ranThisRun(t)) {
      const reason = `Forced stop (worker ${worker} went silent)`;
      if (await forceStop(store, t.id, reason, (doc) => doc.last_worker === worker && doc.started === t.started)) stopped.push({ task: t.id, reason });
    } else if (now - Math.max(Date.parse(t.last_update), opts.since) > opts.taskTimeoutSec * 1000) {
      const reason = 'Forced stop (non-responsive)';
      if (await forceStop(store, t.id, reason, (doc) => doc.last_update === t.last_update)) stopped.push({ task: t.id, reason });
    }
  }
  return { expiredWorkers, stopped };
}

export interface Watchdog {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export function startWatchdog(store: Store, opts: Omit<WatchdogOptions, 'since'> & { intervalSec: number }, log: (line: string) => void): Watchdog {
  const watch: WatchdogOptions = { ...opts, since: Date.now() };
  let running: Promise<void> | null = null;
  let prunedAt = 0;
  const tick = async () => {
    const now = Date.now();
    const r = await sweep(store, watch, now);
    for (const id of r.expiredWorkers) log(`worker ${id} went silent and was removed`);
    for (const s of r.stopped) log(`task ${s.task}: ${s.reason}`);
    if (now - prunedAt > 3600_000) {
      prunedAt = now;
      await store.workerStats.prune(now - HISTORY_MS);
      await store.queueEntries.pruneMetrics(now - HISTORY_MS);
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = store.exclusive('watchdog', tick, false).then(() => undefined).catch((err) => log(`watchdog: ${(err as Error)?.stack ?? String(err)}`)).finally(() => {
      running = null;
    });
  }, opts.intervalSec * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
