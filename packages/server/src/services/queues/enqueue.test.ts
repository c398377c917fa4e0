import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Queue, Task } from '@cairn/protocol';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/** tasks.enqueue / dequeue / reset / ping: task status and queue contents together. */
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

const ok: TestServer['ok'] = (endpoint, body) => s.ok(endpoint, body);

const fails: TestServer['fails'] = (endpoint, body, subcode) => s.fails(endpoint, body, subcode);

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
const newQueue = async () => (await ok('queues.create', { name: unique('q') })).id as string;
const newTask = async () => (await ok('tasks.create', { name: 'job', type: 'training' })).id as string;
const getTask = async (id: string) => (await ok('tasks.get_by_id', { task: id })).task as Task;
const entries = async (queue: string) => ((await ok('queues.get_by_id', { queue })).queue as Queue).entries.map((e) => e.task);

describe('tasks.enqueue', () => {
  test('remembers the status before, moves the task out of every other queue, and keeps it once', async () => {
    const [a, b] = [await newQueue(), await newQueue()];
    const id = await newTask();
    await ok('tasks.stopped', { task: id, force: true });
    const r = await ok('tasks.enqueue', { task: id, queue: a });
    assert.equal(r.queued, 1);
    assert.equal(r.fields['execution.queue'], a);
    let t = await getTask(id);
    assert.equal(t.status, 'queued');
    assert.equal(t.enqueue_status, 'stopped');
    await ok('tasks.enqueue', { task: id, queue: b });
    t = await getTask(id);
    assert.equal(t.enqueue_status, 'stopped', 'a second enqueue keeps the status from before the first');
    assert.equal(t.execution.queue, b);
    assert.deepEqual(await entries(a), []);
    assert.deepEqual(await entries(b), [id]);
    await ok('tasks.enqueue', { task: id, queue: b });
    assert.deepEqual(await entries(b), [id], 'enqueue into the same queue again adds no entry');
  });

  test('racing enqueues of one task into many queues leave it in exactly one', async () => {
    const queues = await Promise.all(Array.from({ length: 8 }, () => newQueue()));
    const id = await newTask();
    const results = await Promise.all(queues.map((queue) => s.call('tasks.enqueue', { task: id, queue })));
    assert.ok(results.every((r) => r.status === 200));
    const holding = [];
    for (const q of queues) if ((await entries(q)).includes(id)) holding.push(q);
    assert.equal(holding.length, 1);
    assert.equal((await getTask(id)).status, 'queued');
  });

  test('queue_name creates the queue; no queue at all means the default queue', async () => {
    const name = unique('created-by-enqueue');
    const id = await newTask();
    const r = await ok('tasks.enqueue', { task: id, queue_name: name });
    const found = (await ok('queues.get_all', { name: `^${name}$` })).queues as Queue[];
    assert.equal(found.length, 1);
    assert.equal(r.fields['execution.queue'], found[0].id);
    assert.deepEqual(found[0].entries.map((e) => e.task), [id]);
    const other = await newTask();
    await ok('tasks.enqueue', { task: other });
    const def = await ok('queues.get_default');
    assert.equal((await getTask(other)).execution.queue, def.id);
    assert.ok((await entries(def.id)).includes(other));
  });

  test('update_execution_queue=false keeps execution.queue, and only for a queued task', async () => {
    const [a, pending] = [await newQueue(), await newQueue()];
    const id = await newTask();
    await fails('tasks.enqueue', { task: id, queue: pending, update_execution_queue: false }, 12);
    await ok('tasks.enqueue', { task: id, queue: a });
    await ok('queues.get_next_task', { queue: a });
    await ok('tasks.enqueue', { task: id, queue: pending, update_execution_queue: false });
    assert.equal((await getTask(id)).execution.queue, a);
    assert.deepEqual(await entries(pending), [id]);
  });

  test('verify_watched_queue answers whether a live worker pulls from the queue', async () => {
    const [watched, lonely] = [await newQueue(), await newQueue()];
    await ok('workers.register', { worker: unique('watcher'), queues: [watched] });
    assert.equal((await ok('tasks.enqueue', { task: await newTask(), queue: watched, verify_watched_queue: true })).queue_watched, true);
    assert.equal((await ok('tasks.enqueue', { task: await newTask(), queue: lonely, verify_watched_queue: true })).queue_watched, false);
  });

  test('a failed enqueue leaves the task as it was', async () => {
    const queue = await newQueue();
    const id = await newTask();
    await fails('tasks.enqueue', { task: id, queue: 'f'.repeat(32) }, 701);
    assert.equal((await getTask(id)).status, 'created');
    // The queue vanishes between the status change and the entry.
    const entriesStore = s.server.store.queueEntries;
    const add = entriesStore.add;
    entriesStore.add = async () => 'no-queue';
    try {
      await fails('tasks.enqueue', { task: id, queue }, 701);
    } finally {
      entriesStore.add = add;
    }
    const t = await getTask(id);
    assert.equal(t.status, 'created');
    assert.equal(t.enqueue_status, undefined);
    assert.equal(t.execution.queue, undefined);
  });
});

describe('tasks.dequeue', () => {
  test('a queued task goes back to its status before the enqueue and leaves the queue', async () => {
    const queue = await newQueue();
    const id = await newTask();
    await ok('tasks.failed', { task: id, force: true });
    await ok('tasks.enqueue', { task: id, queue });
    const r = await ok('tasks.dequeue', { task: id });
    assert.deepEqual([r.dequeued, r.updated], [1, 1]);
    const t = await getTask(id);
    assert.equal(t.status, 'failed');
    assert.equal(t.enqueue_status, undefined);
    assert.deepEqual(await entries(queue), []);
  });

  test('new_status, as the pod agent sends it, and updated:0 for a task that is not waiting', async () => {
    const queue = await newQueue();
    const id = await newTask();
    await ok('tasks.enqueue', { task: id, queue });
    await ok('queues.get_next_task', { queue });
    const r = await ok('tasks.dequeue', { task: id, new_status: 'in_progress' });
    assert.equal(r.updated, 1);
    assert.equal((await getTask(id)).status, 'in_progress');
    await ok('tasks.completed', { task: id });
    const again = await ok('tasks.dequeue', { task: id, new_status: 'in_progress' });
    assert.deepEqual([again.dequeued, again.updated], [0, 0]);
    assert.equal((await getTask(id)).status, 'completed');
    await fails('tasks.dequeue', { task: id, new_status: 'nonsense' }, 12);
  });

  test('a deleted task is scrubbed from the queues', async () => {
    const queue = await newQueue();
    const gone = 'e'.repeat(32);
    await s.server.store.queueEntries.add(queue, gone);
    const r = await ok('tasks.dequeue', { task: gone });
    assert.deepEqual([r.dequeued, r.updated], [1, 0]);
    assert.deepEqual(await entries(queue), []);
  });
});

describe('reset and ping', () => {
  test('reset takes the task out of every queue and forgets enqueue_status', async () => {
    const queue = await newQueue();
    const id = await newTask();
    await ok('tasks.enqueue', { task: id, queue });
    await ok('tasks.reset', { task: id, force: true });
    const t = await getTask(id);
    assert.equal(t.status, 'created');
    assert.equal(t.enqueue_status, undefined);
    assert.deepEqual(await entries(queue), []);
  });

  test('ping of a running task accounts its active duration', async () => {
    const id = await newTask();
    await ok('tasks.started', { task: id });
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await s.server.store.tasks.update(id, (doc) => ({ ...doc, started: hourAgo }));
    assert.deepEqual(await ok('tasks.ping', { task: id }), {});
    const t = await getTask(id);
    assert.ok(t.active_duration! >= 3600 && t.active_duration! < 3700, `active_duration ${t.active_duration}`);
    assert.notEqual(t.last_update, hourAgo);
    await fails('tasks.ping', { task: 'f'.repeat(32) }, 101);
  });
});
