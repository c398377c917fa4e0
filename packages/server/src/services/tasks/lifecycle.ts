import { canTransition, Errors, type Identity, type Task, type TaskStatus } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Store } from '../../store/store.js';
import { nowIso } from '../deps.js';
import {
  addTaskToQueue, getDefaultQueue, removeTaskFromQueue, removeTaskFromQueues, resolveOrCreateQueue, resolveQueueId,
} from '../queues/queue-ops.js';
import { statusBeforeEnqueue } from '../queues/task-release.js';
import type { Leftovers } from '../storage-cleanup/leftovers.js';
import { isQueueWatched, isRunByLiveWorker } from '../workers/presence.js';
import { clearTaskOutputs } from './task-removal.js';

/**
 * Status changes. Each one is a single atomic read-check-write on the task, so two
 * concurrent changes can never both pass the state machine from the same state. A
 * change decided on an earlier read (stop, dequeue) states what it read in
 * `unchangedSince`; when the task moved on meanwhile it fails with 400/121.
 */
export interface StatusChange {
  force?: boolean;
  reason?: string;
  message?: string;
  unchangedSince?: (doc: Task) => boolean;
  /** Further changes made in the same atomic write. */
  mutate?: (doc: Task, now: string, previous: TaskStatus) => void;
}

export interface StatusResult {
  updated: number;
  fields: Record<string, unknown>;
  previous: TaskStatus;
  task: Task;
}

const secondsBetween = (from: string | undefined, to: string) =>
  from ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)) : undefined;

const invalidTask = (id: string) => new ApiError(Errors.invalidTaskId, `invalid task id: ${id}`, { id });

export async function changeStatus(store: Store, id: string, to: TaskStatus, change: StatusChange = {}): Promise<StatusResult> {
  let previous = 'unknown' as TaskStatus;
  const now = nowIso();
  const task = await store.tasks.update(id, (doc) => {
    previous = doc.status;
    if (change.unchangedSince && !change.unchangedSince(doc)) {
      throw new ApiError(Errors.taskStatusChanged, `task ${id} changed concurrently (now ${doc.status})`, { id, current: doc.status });
    }
    if (!canTransition(doc.status, to, change.force)) {
      throw new ApiError(Errors.invalidTaskStatus, `Invalid status change: ${doc.status} -> ${to} (task ${id})`, { current: doc.status, new: to });
    }
    doc.status = to;
    doc.status_reason = change.reason ?? '';
    doc.status_message = change.message ?? '';
    doc.status_changed = now;
    doc.last_update = now;
    doc.last_change = now;
    if (to === 'in_progress') {
      if (!(previous === 'in_progress' && doc.started)) doc.started = now;
      delete doc.completed;
    }
    if (to === 'stopped' || to === 'failed' || to === 'completed' || to === 'closed') {
      if (previous !== to || !doc.completed) doc.completed = now;
      const active = secondsBetween(doc.started, now);
      if (active !== undefined) doc.active_duration = active;
    }
    if (to === 'published') doc.published = now;
    change.mutate?.(doc, now, previous);
    return doc;
  });
  if (!task) throw invalidTask(id);
  if (previous === 'queued' && to !== 'queued') await removeTaskFromQueues(store, id);
  return {
    updated: 1,
    previous,
    task,
    fields: { status: to, status_reason: task.status_reason, status_message: task.status_message, status_changed: now, last_update: now },
  };
}

export interface StopRequest {
  force: boolean;
  reason: string;
  message?: string;
}

/**
 * `tasks.stop`: a task that a live agent runs is asked to stop (`status_message`
 * "stopping"; the agent kills it and reports `stopped`); any other task, a queued one
 * included, is stopped at once.
 */
export async function requestStop(store: Store, task: Task, who: Identity, req: StopRequest): Promise<StatusResult> {
  const unchangedSince = (doc: Task) => doc.status === task.status && doc.last_worker === task.last_worker;
  const agentRun = task.status === 'in_progress' && !req.force && !task.system_tags.includes('development');
  if (agentRun && (await isRunByLiveWorker(store, task))) {
    return changeStatus(store, task.id, 'in_progress', { reason: req.reason, message: 'stopping', unchangedSince });
  }
  return changeStatus(store, task.id, 'stopped', {
    force: req.force,
    reason: req.reason,
    message: req.message ?? `Stopped by ${who.user_name}`,
    unchangedSince,
    mutate: (doc, _now, previous) => {
      if (previous === 'queued') delete doc.enqueue_status;
    },
  });
}

export interface ResetRequest {
  force: boolean;
  clearAll: boolean;
  /** also delete the draft output models no other task loads */
  deleteOutputModels: boolean;
}

/**
 * `tasks.reset`: back to a clean draft, out of every queue, its events, output artifacts
 * and output models dropped; the files they named join `leftovers`.
 */
export async function resetTask(store: Store, id: string, req: ResetRequest, leftovers: Leftovers): Promise<StatusResult & { dequeued: boolean; deletedModels: number }> {
  let before = await store.tasks.get(id);
  if (!before) throw invalidTask(id);
  if (!req.force && (before.status === 'published' || before.status === 'publishing')) {
    throw new ApiError(Errors.invalidTaskStatus, `Invalid status change: ${before.status} -> created (use force to reset a published task)`);
  }
  const result = await changeStatus(store, id, 'created', {
    force: true,
    reason: 'reset',
    message: 'reset',
    mutate: (doc) => {
      before = structuredClone(doc);
      doc.last_iteration = 0;
      doc.last_metrics = {};
      doc.models = { input: doc.models.input, output: [] };
      doc.runtime = {};
      const { queue: _q, ...execution } = doc.execution;
      doc.execution = { ...execution, artifacts: (doc.execution.artifacts ?? []).filter((a) => a.mode === 'input') };
      const { result: _r, error: _e, ...output } = doc.output;
      doc.output = output;
      for (const f of ['started', 'completed', 'published', 'active_duration', 'last_worker', 'last_worker_report', 'enqueue_status'] as const) delete doc[f];
      if (req.clearAll) {
        doc.execution = { artifacts: [] };
        doc.script = {};
      }
    },
  });
  const dequeued = (await removeTaskFromQueues(store, id)).length > 0;
  const deletedModels = await clearTaskOutputs(store, before, req.deleteOutputModels, leftovers);
  return { ...result, dequeued, deletedModels };
}

export interface EnqueueRequest {
  /** a queue id (or exact name) */
  queue?: string;
  /** a queue name, created when missing */
  queueName?: string;
  /** `false` keeps `execution.queue` (only for a task that is already queued) */
  updateExecutionQueue: boolean;
  verifyWatched: boolean;
}

async function targetQueue(store: Store, who: Identity, req: EnqueueRequest): Promise<string> {
  if (req.queue) return resolveQueueId(store, req.queue);
  if (req.queueName) return resolveOrCreateQueue(store, who, req.queueName);
  return (await getDefaultQueue(store)).id;
}

/**
 * `tasks.enqueue`: status `queued` (remembering the status before in `enqueue_status`),
 * an entry at the tail of the queue, and no entry in any other queue. When the entry
 * cannot be added the status change is undone.
 */
export async function enqueueTask(
  store: Store,
  who: Identity,
  id: string,
  req: EnqueueRequest,
  change: Omit<StatusChange, 'mutate' | 'unchangedSince'>,
): Promise<StatusResult & { queue: string; queueWatched?: boolean }> {
  const before = await store.tasks.get(id);
  if (!before) throw invalidTask(id);
  if (!req.updateExecutionQueue && before.status !== 'queued') {
    throw new ApiError(Errors.validationError, 'update_execution_queue=false is only allowed for a task that is already queued', { field: 'update_execution_queue' });
  }
  const queueId = await targetQueue(store, who, req);
  const result = await changeStatus(store, id, 'queued', {
    ...change,
    mutate: (doc, _now, previous) => {
      if (previous !== 'queued') doc.enqueue_status = previous;
      if (req.updateExecutionQueue) doc.execution = { ...doc.execution, queue: queueId };
      doc.system_tags = doc.system_tags.filter((t) => t !== 'development');
    },
  });
  try {
    await addTaskToQueue(store, queueId, id, true);
  } catch (err) {
    await undoEnqueue(store, before);
    throw err;
  }
  const queueWatched = req.verifyWatched ? await isQueueWatched(store, queueId) : undefined;
  return { ...result, queue: queueId, queueWatched };
}

/** Puts back what `enqueueTask` changed, unless the task changed again since. */
async function undoEnqueue(store: Store, before: Task): Promise<void> {
  await changeStatus(store, before.id, before.status, {
    force: true,
    reason: before.status_reason,
    message: before.status_message,
    unchangedSince: (doc) => doc.status === 'queued',
    mutate: (doc) => {
      doc.execution = { ...doc.execution, queue: before.execution.queue };
      if (before.execution.queue === undefined) delete doc.execution.queue;
      doc.enqueue_status = before.enqueue_status;
      if (before.enqueue_status === undefined) delete doc.enqueue_status;
      doc.system_tags = before.system_tags;
    },
  }).catch(() => undefined);
}

export interface DequeueRequest {
  newStatus?: TaskStatus;
  removeFromAllQueues: boolean;
  reason?: string;
  message?: string;
}

export interface DequeueResult {
  dequeued: number;
  updated: number;
  fields: Record<string, unknown>;
}

/**
 * `tasks.dequeue`: out of its queue, and a queued or running task back to `newStatus`,
 * else its status before the enqueue, else draft. Other tasks keep their status
 * (`updated: 0`), which is how an agent started with `--require-queue` learns that the
 * task was not waiting for it.
 */
export async function dequeueTask(store: Store, id: string, req: DequeueRequest): Promise<DequeueResult> {
  const task = await store.tasks.get(id);
  if (!task) return { dequeued: (await removeTaskFromQueues(store, id)).length > 0 ? 1 : 0, updated: 0, fields: {} };
  let removed = false;
  const queue = task.execution.queue;
  if (queue) removed = await removeTaskFromQueue(store, queue, id).then(() => true, () => false);
  if (req.removeFromAllQueues) removed = (await removeTaskFromQueues(store, id)).length > 0 || removed;
  if (task.status !== 'queued' && task.status !== 'in_progress') return { dequeued: removed ? 1 : 0, updated: 0, fields: {} };
  const r = await changeStatus(store, id, req.newStatus ?? statusBeforeEnqueue(task), {
    force: true,
    reason: req.reason ?? 'dequeued',
    message: req.message,
    unchangedSince: (doc) => doc.status === task.status,
    mutate: (doc) => {
      delete doc.enqueue_status;
    },
  });
  return { dequeued: removed ? 1 : 0, updated: r.updated, fields: r.fields };
}

/** `tasks.ping`: the task is alive; a running one also accounts its run time. */
export async function pingTask(store: Store, id: string): Promise<void> {
  const now = nowIso();
  const task = await store.tasks.update(id, (doc) => {
    doc.last_update = now;
    doc.last_change = now;
    if (doc.status === 'in_progress') {
      const active = secondsBetween(doc.started, now);
      if (active !== undefined) doc.active_duration = active;
    }
    return doc;
  });
  if (!task) throw invalidTask(id);
}
