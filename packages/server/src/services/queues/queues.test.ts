import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Queue, Task } from '@cairn/protocol';
import { EndpointRegistry } from '../../http/endpoints.js';
import { TEST_IDENTITY, callEndpoint, rejectsWith, serviceDeps } from '../../testing/registry-harness.js';
import { openTestStore } from '../../testing/store-backends.js';
import type { Store } from '../../store/store.js';
import { registerQueues } from './index.js';
import {
  addTaskToQueue, ensureDefaultQueue, popTask, removeTaskFromQueues, resolveQueueId,
} from './queue-ops.js';

const who = TEST_IDENTITY;
const T = (n: number) => n.toString(16).padStart(32, '0');

let store: Store;
let registry: EndpointRegistry;

const call = (name: string, body: Record<string, unknown> = {}) => callEndpoint(registry, name, body);


async function addTask(id: string, fields: Partial<Task> = {}): Promise<void> {
  const t = {
    id, name: `task ${id}`, type: 'training', status: 'created', status_reason: '', status_message: '', comment: '', user: who.user,
    company: who.company, created: '2025-01-01T00:00:00.000Z', last_update: '2025-01-01T00:00:00.000Z', last_change: '2025-01-01T00:00:00.000Z',
    tags: [], system_tags: [], script: {}, execution: {}, output: {}, models: { input: [], output: [] }, hyperparams: {}, configuration: {},
    runtime: {}, container: {}, last_iteration: 0, last_metrics: {}, ...fields,
  } as Task;
  await store.tasks.insert(t);
}

const createQueue = async (name: string, extra: Record<string, unknown> = {}) => (await call('queues.create', { name, ...extra })).id as string;
const entries = async (queue: string) => ((await call('queues.get_by_id', { queue })).queue as Queue).entries.map((e) => e.task);

afterEach(async () => store.close());

beforeEach(async () => {
  store = await openTestStore();
  registry = new EndpointRegistry();
  registerQueues(registry, serviceDeps(store));
});

describe('the default queue', () => {
  test('ensureDefaultQueue makes one queue "default", once, owned by admin', async () => {
    await store.users.insert({ id: 'a'.repeat(32), name: 'admin', company: 'c1', role: 'admin', created: '2025-01-01T00:00:00.000Z' });
    await ensureDefaultQueue(store);
    await ensureDefaultQueue(store);
    const all = (await call('queues.get_all')).queues as Queue[];
    assert.equal(all.length, 1);
    assert.equal(all[0].name, 'default');
    assert.deepEqual(all[0].system_tags, ['default']);
    assert.deepEqual(all[0].entries, []);
    assert.equal(all[0].user, 'a'.repeat(32));
    assert.deepEqual(await call('queues.get_default'), { id: all[0].id, name: 'default' });
  });

  test('get_default falls back to the queue named default, and errs when there is none or several', async () => {
    await rejectsWith(call('queues.get_default'), 400, 707);
    const named = await createQueue('default');
    assert.deepEqual(await call('queues.get_default'), { id: named, name: 'default' });
    await ensureDefaultQueue(store);
    assert.equal((await store.queues.find()).length, 1, 'a queue named default already counts');
    const tagged = await createQueue('gpu', { system_tags: ['default'] });
    assert.deepEqual(await call('queues.get_default'), { id: tagged, name: 'gpu' });
    await createQueue('cpu', { system_tags: ['default'] });
    await rejectsWith(call('queues.get_default'), 400, 708);
  });
});

describe('queue lookup as execute_remotely does it', () => {
  test('get_by_id with a name answers 400/701, then get_all by exact name finds the id', async () => {
    await ensureDefaultQueue(store);
    const id = (await store.queues.find())[0].id;
    await rejectsWith(call('queues.get_by_id', { queue: 'default' }), 400, 701);
    const found = await call('queues.get_all', { name: '^default$', only_fields: ['id'], search_hidden: false });
    assert.deepEqual(found.queues, [{ id }]);
    const byId = (await call('queues.get_by_id', { queue: id })).queue as Queue;
    assert.equal(byId.name, 'default');
    assert.match(byId.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  });

  test('resolveQueueId takes an id or an exact name', async () => {
    const id = await createQueue('my queue-1');
    assert.equal(await resolveQueueId(store, id), id);
    assert.equal(await resolveQueueId(store, 'my queue-1'), id);
    await rejectsWith(resolveQueueId(store, 'my queue'), 400, 701);
    await rejectsWith(resolveQueueId(store, T(99)), 400, 701);
  });

  test('names are unique and Python-escaped name filters match', async () => {
    const id = await createQueue('my queue-1', { tags: ['gpu'] });
    await rejectsWith(createQueue('my queue-1'), 400, 12);
    await createQueue('my queue-12');
    assert.deepEqual((await call('queues.get_all', { name: '^my\\ queue\\-1$', only_fields: ['name'] })).queues, [{ id, name: 'my queue-1' }]);
    assert.deepEqual(((await call('queues.get_all', { tags: ['gpu'] })).queues as Queue[]).map((q) => q.id), [id]);
  });

  test('queues of the Kubernetes glue are hidden from listings but found by name or id', async () => {
    const plain = await createQueue('plain');
    const glue = await createQueue('k8s_scheduler', { system_tags: ['k8s-glue'] });
    const listed = async (body: Record<string, unknown>) => ((await call('queues.get_all', body)).queues as Queue[]).map((q) => q.id);
    assert.deepEqual(await listed({}), [plain]);
    assert.deepEqual(await listed({ name: '^k8s_scheduler$' }), [glue]);
    assert.deepEqual(await listed({ id: [glue] }), [glue]);
    assert.deepEqual(await listed({ search_hidden: true, order_by: ['-name'] }), [plain, glue]);
  });
});

describe('queue entries', () => {
  test('add_task appends in order, sets execution.queue and leaves the status; duplicates answer 706', async () => {
    const q = await createQueue('work');
    for (const n of [1, 2, 3]) await addTask(T(n));
    for (const n of [1, 2, 3]) assert.deepEqual(await call('queues.add_task', { queue: q, task: T(n) }), { added: 1 });
    assert.deepEqual(await entries(q), [T(1), T(2), T(3)]);
    const task = await store.tasks.get(T(1));
    assert.equal(task?.execution.queue, q);
    assert.equal(task?.status, 'created');
    await rejectsWith(call('queues.add_task', { queue: q, task: T(1) }), 400, 706);
    await rejectsWith(call('queues.add_task', { queue: q, task: T(9) }), 400, 101);
    await rejectsWith(call('queues.add_task', { queue: T(99), task: T(2) }), 400, 701);
    assert.deepEqual(await call('queues.get_num_entries', { queue: q }), { num: 3 });
    const got = (await call('queues.get_by_id', { queue: q, max_task_entries: 2 })).queue as Queue;
    assert.deepEqual(got.entries.map((e) => e.task), [T(1), T(2)]);
    assert.match(got.entries[0].added, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  });

  test('moves reorder entries and answer the new position, clamped to the ends', async () => {
    const q = await createQueue('work');
    for (const n of [1, 2, 3, 4]) await addTaskToQueue(store, q, T(n));
    assert.deepEqual(await call('queues.move_task_forward', { queue: q, task: T(3) }), { position: 1 });
    assert.deepEqual(await entries(q), [T(1), T(3), T(2), T(4)]);
    assert.deepEqual(await call('queues.move_task_backward', { queue: q, task: T(1), count: 10 }), { position: 3 });
    assert.deepEqual(await entries(q), [T(3), T(2), T(4), T(1)]);
    assert.deepEqual(await call('queues.move_task_to_front', { queue: q, task: T(4) }), { position: 0 });
    assert.deepEqual(await call('queues.move_task_to_back', { queue: q, task: T(3) }), { position: 3 });
    assert.deepEqual(await entries(q), [T(4), T(2), T(1), T(3)]);
    assert.deepEqual(await call('queues.peek_task', { queue: q }), { task: T(4) });
    await rejectsWith(call('queues.move_task_forward', { queue: q, task: T(9) }), 400, 703);
  });

  test('remove_task takes one entry out; 703 when it is not there', async () => {
    const q = await createQueue('work');
    await addTaskToQueue(store, q, T(1));
    await addTaskToQueue(store, q, T(2));
    assert.deepEqual(await call('queues.remove_task', { queue: q, task: T(1) }), { removed: 1 });
    assert.deepEqual(await entries(q), [T(2)]);
    await rejectsWith(call('queues.remove_task', { queue: q, task: T(1) }), 400, 703);
  });

  test('remove_task with update_task_status sends a queued task back to draft', async () => {
    const q = await createQueue('work');
    await addTask(T(1), { status: 'queued', execution: { queue: q } });
    await addTaskToQueue(store, q, T(1));
    await call('queues.remove_task', { queue: q, task: T(1), update_task_status: true });
    const t = await store.tasks.get(T(1));
    assert.equal(t?.status, 'created');
    assert.equal(t?.execution.queue, undefined);
  });

  test('removeTaskFromQueues scrubs a task from every queue and names them', async () => {
    const a = await createQueue('a');
    const b = await createQueue('b');
    const c = await createQueue('c');
    await addTaskToQueue(store, a, T(1));
    await addTaskToQueue(store, b, T(2));
    await addTaskToQueue(store, c, T(1));
    assert.equal(await addTaskToQueue(store, c, T(1)), false, 'no duplicate entries');
    assert.deepEqual((await removeTaskFromQueues(store, T(1))).sort(), [a, c].sort());
    assert.deepEqual(await entries(a), []);
    assert.deepEqual(await entries(b), [T(2)]);
    assert.deepEqual(await entries(c), []);
    assert.deepEqual(await removeTaskFromQueues(store, T(1)), []);
  });

  test('popTask takes the head, optionally only a given task', async () => {
    const q = await createQueue('work');
    await addTaskToQueue(store, q, T(1));
    await addTaskToQueue(store, q, T(2));
    assert.equal(await popTask(store, q, T(2)), undefined);
    assert.equal((await popTask(store, q))?.task, T(1));
    assert.equal((await popTask(store, q, T(2)))?.task, T(2));
    assert.equal(await popTask(store, q), undefined);
    assert.deepEqual(await call('queues.peek_task', { queue: q }), {});
  });
});

describe('queue update and delete', () => {
  test('update renames and retags, keeping names unique', async () => {
    const q = await createQueue('old');
    await createQueue('taken');
    const res = await call('queues.update', { queue: q, name: 'new', tags: ['t'] });
    assert.equal(res.updated, 1);
    assert.deepEqual((res.fields as Record<string, unknown>).name, 'new');
    const got = (await call('queues.get_by_id', { queue: q })).queue as Queue;
    assert.equal(got.name, 'new');
    assert.deepEqual(got.tags, ['t']);
    await rejectsWith(call('queues.update', { queue: q, name: 'taken' }), 400, 12);
    await call('queues.update', { queue: q, name: 'new' });
  });

  test('queue metadata merges and deletes', async () => {
    const q = await createQueue('m', { metadata: [{ key: 'a', type: 'str', value: '1' }] });
    await call('queues.add_or_update_metadata', { queue: q, metadata: [{ key: 'b', type: 'str', value: '2' }] });
    await call('queues.delete_metadata', { queue: q, keys: ['a'] });
    assert.deepEqual(((await call('queues.get_by_id', { queue: q })).queue as Queue).metadata, { b: { key: 'b', type: 'str', value: '2' } });
  });

  test('a non-empty queue needs force; forced delete sends its queued tasks back to draft', async () => {
    const q = await createQueue('doomed');
    await addTask(T(1), { status: 'queued', execution: { queue: q } });
    await addTask(T(2), { status: 'in_progress', execution: { queue: q } });
    await addTaskToQueue(store, q, T(1));
    await addTaskToQueue(store, q, T(2));
    await rejectsWith(call('queues.delete', { queue: q }), 400, 702);
    assert.deepEqual(await entries(q), [T(1), T(2)]);
    assert.deepEqual(await call('queues.delete', { queue: q, force: true }), { deleted: 1 });
    await rejectsWith(call('queues.get_by_id', { queue: q }), 400, 701);
    assert.equal((await store.tasks.get(T(1)))?.status, 'created');
    assert.equal((await store.tasks.get(T(2)))?.status, 'in_progress', 'a task that moved on is left alone');
    await rejectsWith(call('queues.delete', { queue: q }), 400, 701);
  });
});
