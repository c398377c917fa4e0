import { Errors, isId, newId, type MetadataItem, type Queue, type QueueEntry } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Store } from '../../store/store.js';
import { nowIso } from '../deps.js';

/**
 * Every read and write of queue contents goes through this module, so that the queue
 * storage (today the `entries` list of the queue document, changed with the store's
 * atomic update) can be swapped for a dedicated table without touching its callers.
 * Position 0 is the head, the next task to run.
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

export async function getQueueOrThrow(store: Store, id: unknown): Promise<Queue> {
  if (typeof id !== 'string' || id === '') throw new ApiError(Errors.missingRequiredFields, 'missing required field: queue', { field: 'queue' });
  const q = await store.queues.get(id);
  if (!q) throw unknownQueue(id);
  return q;
}

async function queuesNamed(store: Store, name: string): Promise<Queue[]> {
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

export async function createQueue(store: Store, owner: QueueOwner, spec: QueueSpec): Promise<Queue> {
  await checkNameFree(store, spec.name);
  const now = nowIso();
  const queue: Queue = {
    id: newId(),
    name: spec.name,
    user: owner.user,
    company: owner.company,
    created: now,
    last_update: now,
    tags: spec.tags ?? [],
    system_tags: spec.system_tags ?? [],
    entries: [],
    metadata: spec.metadata ?? {},
  };
  await store.queues.insert(queue);
  return queue;
}

/** The queue carrying the `default` system tag, else the one named `default`; 707 when none, 708 when several are tagged. */
export async function getDefaultQueue(store: Store): Promise<Queue> {
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

/**
 * Atomic change of one queue: `change` answers whether it changed anything (only then
 * is `last_update` bumped, so idle polling leaves the queue as it was), or throws an
 * ApiError to abort.
 */
async function changeQueue(store: Store, queueId: string, change: (q: Queue) => boolean): Promise<Queue> {
  const q = await store.queues.update(queueId, (doc) => {
    if (change(doc)) doc.last_update = nowIso();
    return doc;
  });
  if (!q) throw unknownQueue(queueId);
  return q;
}

export interface QueueChange {
  name?: string;
  tags?: string[];
  system_tags?: string[];
  metadata?: (current: Record<string, MetadataItem>) => Record<string, MetadataItem>;
}

/** Renames, retags or edits metadata of a queue; its entries are untouched. */
export async function updateQueue(store: Store, queueId: string, change: QueueChange): Promise<Queue> {
  if (change.name !== undefined) await checkNameFree(store, change.name, queueId);
  return changeQueue(store, queueId, (q) => {
    if (change.name !== undefined) q.name = change.name;
    if (change.tags !== undefined) q.tags = change.tags;
    if (change.system_tags !== undefined) q.system_tags = change.system_tags;
    if (change.metadata !== undefined) q.metadata = change.metadata(q.metadata);
    return true;
  });
}

/** Deletes a queue; one with entries only with `force`. Returns the tasks that were queued in it. */
export async function deleteQueue(store: Store, queueId: string, force: boolean): Promise<string[]> {
  let tasks: string[] = [];
  await changeQueue(store, queueId, (q) => {
    if (q.entries.length > 0 && !force) {
      throw new ApiError(Errors.queueNotEmpty, `queue ${q.name} has ${q.entries.length} queued tasks; use force to delete it`, { id: queueId });
    }
    tasks = q.entries.map((e) => e.task);
    return false;
  });
  await store.queues.delete(queueId);
  return tasks;
}

/** Appends the task at the tail; false (and no change) when it is already in this queue. */
export async function addTaskToQueue(store: Store, queueId: string, taskId: string): Promise<boolean> {
  let added = false;
  await changeQueue(store, queueId, (q) => {
    if (q.entries.some((e) => e.task === taskId)) return false;
    q.entries.push({ task: taskId, added: nowIso() });
    added = true;
    return true;
  });
  return added;
}

/** Removes the task from one queue; 400/703 when it is not there. */
export async function removeTaskFromQueue(store: Store, queueId: string, taskId: string): Promise<void> {
  await changeQueue(store, queueId, (q) => {
    const i = q.entries.findIndex((e) => e.task === taskId);
    if (i < 0) throw notQueued(queueId, taskId);
    q.entries.splice(i, 1);
    return true;
  });
}

/** Removes the task from every queue holding it; returns those queues' ids. */
export async function removeTaskFromQueues(store: Store, taskId: string): Promise<string[]> {
  const removedFrom: string[] = [];
  for (const candidate of await store.queues.find()) {
    if (!candidate.entries.some((e) => e.task === taskId)) continue;
    let removed = false;
    await store.queues.update(candidate.id, (q) => {
      const before = q.entries.length;
      q.entries = q.entries.filter((e) => e.task !== taskId);
      removed = q.entries.length < before;
      if (removed) q.last_update = nowIso();
      return q;
    });
    if (removed) removedFrom.push(candidate.id);
  }
  return removedFrom;
}

export type Move = { by: number } | 'front' | 'back';

/** Repositions a queued task: `{by: n}` moves n places toward the head (negative: toward the tail), clamped to the ends. Returns the new position. */
export async function moveTask(store: Store, queueId: string, taskId: string, move: Move): Promise<number> {
  let position = -1;
  await changeQueue(store, queueId, (q) => {
    const from = q.entries.findIndex((e) => e.task === taskId);
    if (from < 0) throw notQueued(queueId, taskId);
    const last = q.entries.length - 1;
    const to = move === 'front' ? 0 : move === 'back' ? last : Math.min(last, Math.max(0, from - move.by));
    const [entry] = q.entries.splice(from, 1);
    q.entries.splice(to, 0, entry);
    position = to;
    return from !== to;
  });
  return position;
}

/** The head of the queue without taking it. */
export async function peekTask(store: Store, queueId: string): Promise<QueueEntry | undefined> {
  return (await getQueueOrThrow(store, queueId)).entries[0];
}

/** Takes the head of the queue atomically; with `onlyTask`, only when that task is the head. */
export async function popTask(store: Store, queueId: string, onlyTask?: string): Promise<QueueEntry | undefined> {
  let head: QueueEntry | undefined;
  await changeQueue(store, queueId, (q) => {
    if (q.entries.length === 0 || (onlyTask !== undefined && q.entries[0].task !== onlyTask)) return false;
    head = q.entries.shift();
    return true;
  });
  return head;
}

export async function countEntries(store: Store, queueId: string): Promise<number> {
  return (await getQueueOrThrow(store, queueId)).entries.length;
}
