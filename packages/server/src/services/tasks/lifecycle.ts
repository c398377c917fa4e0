import { canTransition, Errors, type Identity, type Task, type TaskStatus } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Store } from '../../store/store.js';
import { nowIso } from '../deps.js';
import { addTaskToQueue, removeTaskFromQueues, resolveQueueId } from '../queues/queue-ops.js';

/**
 * Status changes. Each one is a single atomic read-check-write on the task, so two
 * concurrent changes can never both pass the state machine from the same state.
 */
export interface StatusChange {
  force?: boolean;
  reason?: string;
  message?: string;
  /** Further changes made in the same atomic write. */
  mutate?: (doc: Task, now: string) => void;
}

export interface StatusResult {
  updated: number;
  fields: Record<string, unknown>;
  previous: TaskStatus;
  task: Task;
}

const secondsBetween = (from: string | undefined, to: string) =>
  from ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)) : undefined;

export async function changeStatus(store: Store, id: string, to: TaskStatus, change: StatusChange = {}): Promise<StatusResult> {
  let previous = 'unknown' as TaskStatus;
  const now = nowIso();
  const task = await store.tasks.update(id, (doc) => {
    previous = doc.status;
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
    change.mutate?.(doc, now);
    return doc;
  });
  if (!task) throw new ApiError(Errors.invalidTaskId, `invalid task id: ${id}`, { id });
  if (previous === 'queued' && to !== 'queued') await removeTaskFromQueues(store, id);
  return {
    updated: 1,
    previous,
    task,
    fields: { status: to, status_reason: task.status_reason, status_message: task.status_message, status_changed: now, last_update: now },
  };
}

/** `tasks.stop`: immediate for local (development) runs and tasks no worker runs; a request to the worker otherwise. */
export async function requestStop(store: Store, task: Task, who: Identity, force: boolean, reason: string, message?: string): Promise<StatusResult> {
  const runByWorker = task.status === 'in_progress' && !task.system_tags.includes('development') && Boolean(task.last_worker);
  if (runByWorker && !force) {
    return changeStatus(store, task.id, 'in_progress', { reason, message: 'stopping' });
  }
  return changeStatus(store, task.id, 'stopped', { force: true, reason, message: message ?? `Stopped by ${who.user_name}` });
}

/** `tasks.reset`: back to a clean draft, its events, output artifacts and output models dropped. */
export async function resetTask(store: Store, id: string, force: boolean, clearAll: boolean): Promise<StatusResult & { dequeued: boolean }> {
  const before = await store.tasks.get(id);
  if (!before) throw new ApiError(Errors.invalidTaskId, `invalid task id: ${id}`, { id });
  if (!force && (before.status === 'published' || before.status === 'publishing')) {
    throw new ApiError(Errors.invalidTaskStatus, `Invalid status change: ${before.status} -> created (use force to reset a published task)`);
  }
  const result = await changeStatus(store, id, 'created', {
    force: true,
    reason: 'reset',
    message: 'reset',
    mutate: (doc) => {
      doc.last_iteration = 0;
      doc.last_metrics = {};
      doc.models = { input: doc.models.input, output: [] };
      doc.runtime = {};
      const { queue: _q, ...execution } = doc.execution;
      doc.execution = { ...execution, artifacts: (doc.execution.artifacts ?? []).filter((a) => a.mode === 'input') };
      const { result: _r, error: _e, ...output } = doc.output;
      doc.output = output;
      for (const f of ['started', 'completed', 'published', 'active_duration', 'last_worker', 'last_worker_report'] as const) delete doc[f];
      if (clearAll) {
        doc.execution = { artifacts: [] };
        doc.script = {};
      }
    },
  });
  const dequeued = (await removeTaskFromQueues(store, id)).length > 0;
  await store.events.deleteTask(id);
  return { ...result, dequeued };
}

export async function enqueueTask(
  store: Store,
  id: string,
  queue: { id?: string; name?: string },
  change: Omit<StatusChange, 'mutate'>,
): Promise<StatusResult & { queue: string }> {
  const queueId = await resolveQueueId(store, queue.id ?? queue.name ?? 'default');
  const result = await changeStatus(store, id, 'queued', {
    ...change,
    mutate: (doc) => {
      doc.execution = { ...doc.execution, queue: queueId };
      doc.system_tags = doc.system_tags.filter((t) => t !== 'development');
    },
  });
  await addTaskToQueue(store, queueId, id);
  return { ...result, queue: queueId };
}

export async function dequeueTask(store: Store, task: Task, force: boolean): Promise<StatusResult> {
  if (task.status !== 'queued' && !force) {
    throw new ApiError(Errors.invalidTaskStatus, `task ${task.id} is ${task.status}, not queued`);
  }
  return changeStatus(store, task.id, 'created', { force: true, reason: 'dequeued' });
}
