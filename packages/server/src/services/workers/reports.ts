import { Errors, isoDate, type IdName, type Identity } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Store, WorkerRecord } from '../../store/store.js';
import { resolveQueueId } from '../queues/queue-ops.js';
import { reportTimeMs, statPoints } from './machine-stats.js';

/**
 * What agents tell the server about themselves: `workers.register`, `status_report` and
 * `unregister`. Liveness is measured with the server's clock; the report's own
 * timestamp only dates its statistics.
 */
export interface Caller {
  identity: Identity;
  ip: string;
}

export interface Registration {
  worker: string;
  timeoutSec: number;
  /** queue ids or names */
  queues: readonly string[];
  tags?: string[];
  systemTags?: string[];
}

export interface StatusReport {
  worker: string;
  timestamp?: number;
  task?: string;
  queue?: string;
  queues?: string[];
  tags?: string[];
  systemTags?: string[];
  machineStats?: Record<string, unknown>;
}

function freshRecord(id: string, caller: Caller, timeoutSec: number, nowMs: number): WorkerRecord {
  const now = isoDate(nowMs);
  return {
    id,
    user: { id: caller.identity.user, name: caller.identity.user_name },
    company: { id: caller.identity.company, name: caller.identity.company_name },
    ip: caller.ip,
    register_time: now,
    register_timeout: timeoutSec,
    last_activity_time: now,
    last_seen: nowMs,
    queues: [],
    tags: [],
    system_tags: [],
    runtime_properties: [],
  };
}

/**
 * A registration is live while its agent keeps reporting: agents report about every 30 s
 * (clearml-agent and cairn agent alike), so three missed reports mean it is gone, even
 * though its entry lasts until its (longer) register timeout.
 */
export const LIVE_REGISTRATION_MS = 90_000;

/**
 * `workers.register`: (re)creates the worker's entry; every queue must exist (400/701).
 * A second agent may not take the id of one that is still reporting (400/1003): two
 * agents under one id would mix their statistics and the tasks each runs.
 */
export async function registerWorker(store: Store, caller: Caller, reg: Registration, nowMs = Date.now()): Promise<WorkerRecord> {
  const queues: string[] = [];
  for (const q of reg.queues) queues.push(await resolveQueueId(store, q));
  const record: WorkerRecord = {
    ...freshRecord(reg.worker, caller, reg.timeoutSec, nowMs),
    queues,
    tags: reg.tags ?? [],
    system_tags: reg.systemTags ?? [],
  };
  return store.workers.upsert(reg.worker, (current) => {
    if (current && nowMs - current.last_seen < LIVE_REGISTRATION_MS) {
      const ago = Math.max(0, Math.round((nowMs - current.last_seen) / 1000));
      throw new ApiError(Errors.workerRegistered,
        `worker ${reg.worker} is already registered and reported ${ago} s ago (from ${current.ip || 'an unknown address'}): ` +
        'another agent is running under this id; give this one another worker id', { worker: reg.worker });
    }
    return record;
  });
}

/** The task's `{id, name}` and its project's, after marking the task as reported on by `worker`. */
async function markTaskReported(store: Store, taskId: string, worker: string, nowMs: number): Promise<{ task: IdName; project?: IdName }> {
  const now = isoDate(nowMs);
  const task = await store.tasks.update(taskId, (doc) => ({ ...doc, last_worker: worker, last_worker_report: now, last_update: now, last_change: now }));
  if (!task) throw new ApiError(Errors.invalidTaskId, `invalid task id: ${taskId}`, { id: taskId });
  if (!task.project) return { task: { id: task.id, name: task.name } };
  const project = await store.projects.get(task.project);
  return { task: { id: task.id, name: task.name }, project: { id: task.project, name: project?.name ?? '' } };
}

/**
 * `workers.status_report`: refreshes (or, for a worker the server does not know, creates)
 * the entry, records which task it runs, and stores its machine statistics.
 */
export async function reportStatus(store: Store, caller: Caller, report: StatusReport, defaultTimeoutSec: number, nowMs = Date.now()): Promise<WorkerRecord> {
  const running = report.task ? await markTaskReported(store, report.task, report.worker, nowMs) : undefined;
  const now = isoDate(nowMs);
  const record = await store.workers.upsert(report.worker, (current) => {
    const { task: _t, project: _p, queue: _q, ...base } = current ?? freshRecord(report.worker, caller, defaultTimeoutSec, nowMs);
    return {
      ...base,
      ip: caller.ip || base.ip,
      last_activity_time: now,
      last_report_time: now,
      last_seen: nowMs,
      queues: report.queues ?? base.queues,
      tags: report.tags ?? base.tags,
      system_tags: report.systemTags ?? base.system_tags,
      ...(running ? { task: running.task, ...(running.project ? { project: running.project } : {}) } : {}),
      ...(running && report.queue ? { queue: report.queue } : {}),
    };
  });
  await store.workerStats.add({ worker: report.worker, ts: reportTimeMs(report.timestamp, nowMs), task: report.task }, statPoints(report.machineStats));
  return record;
}
