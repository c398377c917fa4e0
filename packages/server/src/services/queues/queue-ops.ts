import { Errors, isId, newId, type MetadataItem, type Queue, type QueueEntry } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { QueueMove, QueueRecord, Store } from '../../store/store.js';
import { nowIso } from '../deps.js';

/**
 * Every read and write of queues and their contents goes through this module. The
 * queue documents hold names, tags and metadata; the entries live in the store's
 * entry table, where each change (a pop above all) is one atomic step. Position 0 is
 * the head, the next task to run.
 */

/** System tag of the queue agents and `tasks.enqueue` use when none is named. */
export const DEFAULT_QUEUE_TAG = 'default';
export const DEFAULT_QUEUE_NAME = 'default';

export interface QueueOwner {
  user: string;
  company: string;
}

export interface QueueSpec {
  name: string;
  tags?: string[];
  system_tags?: string[];
  metadata?: Record<string, MetadataItem>;
}

const unknownQueue = (id: string) => new ApiError(Errors.invalidQueueId, `invalid queue id: ${id}`, { id });
const notQueued = (queueId: string, taskId: string) =>
  new ApiError(Errors.taskNotQueued, `task ${taskId} is not in queue ${queueId}`, { queue: queueId, task: taskId });

/** The queue document (without entries); 400/701 for an unknown queue. */
export async function getQueueRecordOrThrow(store: Store, id: unknown): Promise<QueueRecord> {
  if (typeof id !== 'string' || id === '') throw new ApiError(Errors.missingRequiredFields, 'missing required field: queue', { field: 'queue' });
  const q = await store.queues.get(id);
  if (!q) throw unknownQueue(id);
  return q;
}

/** Queue documents with their entries (the first `maxEntries` of each when given). */
export async function withEntries(store: Store, records: readonly QueueRecord[], maxEntries?: number): Promise<Queue[]> {
  const entries = await store.queueEntries.listMany(records.map((r) => r.id), maxEntries);
  return records.map((r) => ({ ...r, entries: entries.get(r.id) ?? [] }));
}

export async function getQueueOrThrow(store: Store, id: unknown, maxEntries?: number): Promise<Queue> {
  const record = await getQueueRecordOrThrow(store, id);
  return { ...record, entries: await store.queueEntries.list(record.id, maxEntries) };
}

/** Queue documents (without entries): every queue, or those with these ids. */
export async function queueRecords(store: Store, ids?: readonly string[]): Promise<QueueRecord[]> {
  return store.queues.find(ids ? { ids } : {});
}

async function queuesNamed(store: Store, name: string): Promise<QueueRecord[]> {
  return (await store.queues.find()).filter((q) => q.name === name).sort((a, b) => a.created.localeCompare(b.created));
}

/** An id of an existing queue, or the exact name of one (the oldest if several); else 400/701. */
export async function resolveQueueId(store: Store, idOrName: string): Promise<string> {
  if (isId(idOrName) && (await store.queues.get(idOrName))) return idOrName;
  const [byName] = await queuesNamed(store, idOrName);
  if (!byName) throw new ApiError(Errors.invalidQueueId, `no queue with id or name ${JSON.stringify(idOrName)}`, { queue: idOrName });
  return byName.id;
}

async function checkNameFree(store: Store, name: string, self?: string): Promise<void> {
  if (name.trim() === '') throw new ApiError(Errors.validationError, 'queue name must not be empty', { field: 'name' });
  if ((await queuesNamed(store, name)).some((q) => q.id !== self)) {
    throw new ApiError(Errors.validationError, `a queue named ${JSON.stringify(name)} already exists`, { field: 'name', name });
  }
}

export async function createQueue(store: Store, owner: QueueOwner, spec: QueueSpec): Promise<QueueRecord> {
  await checkNameFree(store, spec.name);
  const now = nowIso();
  const queue: QueueRecord = {
    id: newId(),
    name: spec.name,
    user: owner.user,
    company: owner.company,
    created: now,
    last_update: now,
    tags: spec.tags ?? [],
    system_tags: spec.system_tags ?? [],
    metadata: spec.metadata ?? {},
  };
  await store.queues.insert(queue);
  return queue;
}

/** The queue with this exact name, created (owned by `owner`) when there is none. */
export async function resolveOrCreateQueue(store: Store, owner: QueueOwner, name: string): Promise<string> {
  const [existing] = await queuesNamed(store, name);
  if (existing) return existing.id;
  try {
    return (await createQueue(store, owner, { name })).id;
  } catch (err) {
    // Another request created it meanwhile: use that one.
    const [raced] = await queuesNamed(store, name);
    if (raced) return raced.id;
    throw err;
  }
}

/** The queue carrying the `default` system tag, else the one named `default`; 707 when none, 708 when several are tagged. */
export async function getDefaultQueue(store: Store): Promise<QueueRecord> {
  const all = await store.queues.find();
  const tagged = all.filter((q) => q.system_tags.includes(DEFAULT_QUEUE_TAG));
  if (tagged.length > 1) throw new ApiError(Errors.multipleDefaultQueues, `several queues carry the system tag ${DEFAULT_QUEUE_TAG}: ${tagged.map((q) => q.name).join(', ')}`);
  const found = tagged[0] ?? all.find((q) => q.name === DEFAULT_QUEUE_NAME);
  if (!found) throw new ApiError(Errors.noDefaultQueue, 'there is no default queue');
  return found;
}

/** Start-up: makes the `default` queue (owned by the admin user) unless a default queue exists. */
export async function ensureDefaultQueue(store: Store): Promise<void> {
  const all = await store.queues.find();
  if (all.some((q) => q.system_tags.includes(DEFAULT_QUEUE_TAG) || q.name === DEFAULT_QUEUE_NAME)) return;
  const admin = await store.users.findByName('admin');
  await createQueue(store, { user: admin?.id ?? '', company: admin?.company ?? '' }, { name: DEFAULT_QUEUE_NAME, system_tags: [DEFAULT_QUEUE_TAG] });
}

export interface QueueChange {
  name?: string;
  tags?: string[];
  system_tags?: string[];
  metadata?: (current: Record<string, MetadataItem>) => Record<string, MetadataItem>;
}

/** Renames, retags or edits metadata of a queue; its entries are untouched. */
export async function updateQueue(store: Store, queueId: string, change: QueueChange): Promise<QueueRecord> {
  if (change.name !== undefined) await checkNameFree(store, change.name, queueId);
  const q = await store.queues.update(queueId, (doc) => {
    if (change.name !== undefined) doc.name = change.name;
    if (change.tags !== undefined) doc.tags = change.tags;
    if (change.system_tags !== undefined) doc.system_tags = change.system_tags;
    if (change.metadata !== undefined) doc.metadata = change.metadata(doc.metadata);
    doc.last_update = nowIso();
    return doc;
  });
  if (!q) throw unknownQueue(queueId);
  return q;
}

/** Deletes a queue; one with entries only with `force`. Returns the tasks that were queued in it. */
export async function deleteQueue(store: Store, queueId: string, force: boolean): Promise<string[]> {
  const q = await getQueueRecordOrThrow(store, queueId);
  const count = await store.queueEntries.count(queueId);
  if (count > 0 && !force) {
    throw new ApiError(Errors.queueNotEmpty, `queue ${q.name} has ${count} queued tasks; use force to delete it`, { id: queueId });
  }
  const tasks = (await store.queueEntries.clear(queueId)) ?? [];
  await store.queues.delete(queueId);
  await store.queueEntries.drop(queueId);
  return tasks;
}

/**
 * Appends the task at the tail; false (and no change) when it is already in this queue;
 * 400/701 for an unknown queue. `exclusive`: in the same atomic step the task leaves every
 * other queue, so that of two racing enqueues the later one wins and the task is never
 * left in no queue or in two.
 */
export async function addTaskToQueue(store: Store, queueId: string, taskId: string, exclusive = false): Promise<boolean> {
  const result = await store.queueEntries.add(queueId, taskId, exclusive);
  if (result === 'no-queue') throw unknownQueue(queueId);
  return result === 'added';
}

/** Removes the task from one queue; 400/701 for an unknown queue, 400/703 when the task is not there. */
export async function removeTaskFromQueue(store: Store, queueId: string, taskId: string): Promise<void> {
  await getQueueRecordOrThrow(store, queueId);
  if (!(await store.queueEntries.remove(queueId, taskId))) throw notQueued(queueId, taskId);
}

/** Removes the task from every queue holding it; returns those queues' ids. */
export async function removeTaskFromQueues(store: Store, taskId: string): Promise<string[]> {
  return store.queueEntries.removeEverywhere(taskId);
}

/** Repositions a queued task, clamped to the ends; returns its new position. */
export async function moveTask(store: Store, queueId: string, taskId: string, move: QueueMove): Promise<number> {
  await getQueueRecordOrThrow(store, queueId);
  const position = await store.queueEntries.move(queueId, taskId, move);
  if (position === undefined) throw notQueued(queueId, taskId);
  return position;
}

/** Empties a queue; returns the tasks that were in it, head first. */
export async function clearQueue(store: Store, queueId: string): Promise<string[]> {
  const tasks = await store.queueEntries.clear(queueId);
  if (tasks === undefined) throw unknownQueue(queueId);
  return tasks;
}

/** The head of the queue without taking it. */
export async function peekTask(store: Store, queueId: string): Promise<QueueEntry | undefined> {
  await getQueueRecordOrThrow(store, queueId);
  return (await store.queueEntries.list(queueId, 1))[0];
}

/** Takes the head of the queue atomically; with `onlyTask`, only when that task is the head. */
export async function popTask(store: Store, queueId: string, onlyTask?: string): Promise<QueueEntry | undefined> {
  return store.queueEntries.pop(queueId, onlyTask);
}

/** Waits until a task is added to the queue; false when `ms` pass or `signal` aborts first. */
export function waitForTask(store: Store, queueId: string, ms: number, signal?: AbortSignal): Promise<boolean> {
  return store.queueEntries.waitForAdd(queueId, ms, signal);
}

export async function countEntries(store: Store, queueId: string): Promise<number> {
  await getQueueRecordOrThrow(store, queueId);
  return store.queueEntries.count(queueId);
}

export interface QueueSummary {
  id: string;
  name: string;
  /** the head's task id */
  next_task?: string;
  num_tasks: number;
}

/** Name, head and length of each existing queue of `ids`. */
export async function queueSummaries(store: Store, ids: readonly string[]): Promise<Map<string, QueueSummary>> {
  const records = await store.queues.getMany(ids);
  const entries = await store.queueEntries.listMany(records.map((r) => r.id));
  return new Map(records.map((r) => {
    const list = entries.get(r.id) ?? [];
    return [r.id, { id: r.id, name: r.name, num_tasks: list.length, ...(list[0] ? { next_task: list[0].task } : {}) }];
  }));
}
