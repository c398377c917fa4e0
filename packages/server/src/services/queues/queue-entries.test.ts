import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Queue, Task } from '@cairn/protocol';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { takeNextTask } from './next-task.js';

/** Queue contents, pops and metrics through real HTTP. */
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

const ok: TestServer['ok'] = (endpoint, body) => s.ok(endpoint, body);

const fails: TestServer['fails'] = (endpoint, body, subcode) => s.fails(endpoint, body, subcode);

let counter = 0;
const newQueue = async () => (await ok('queues.create', { name: `q-${++counter}-${Date.now()}` })).id as string;
const newTask = async (name = 'job') => (await ok('tasks.create', { name, type: 'training' })).id as string;
const getTask = async (id: string) => (await ok('tasks.get_by_id', { task: id })).task as Task;
const entries = async (queue: string) => ((await ok('queues.get_by_id', { queue })).queue as Queue).entries.map((e) => e.task);

async function filledQueue(n: number): Promise<{ queue: string; tasks: string[] }> {
  const queue = await newQueue();
  const tasks: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = await newTask(`job ${i}`);
    await ok('tasks.enqueue', { task: id, queue });
    tasks.push(id);
  }
  return { queue, tasks };
}

describe('get_next_task', () => {
  test('200 concurrent pops of 100 entries take every task exactly once', async () => {
    const { queue, tasks } = await filledQueue(100);
    const results = await Promise.all(Array.from({ length: 200 }, () => ok('queues.get_next_task', { queue })));
    const popped = results.filter((d) => d.entry).map((d) => d.entry.task as string);
    assert.equal(popped.length, 100);
    assert.equal(new Set(popped).size, 100, 'no task was handed out twice');
    assert.deepEqual([...popped].sort(), [...tasks].sort());
    assert.equal(results.filter((d) => Object.keys(d).length === 0).length, 100, 'the others got {}');
    assert.deepEqual(await entries(queue), []);
  });

  test('pops the head with its added date and the task owner on request; unknown queue is 701', async () => {
    const { queue, tasks } = await filledQueue(2);
    const first = await ok('queues.get_next_task', { queue, get_task_info: true });
    assert.equal(first.entry.task, tasks[0]);
    assert.match(first.entry.added, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    const t = await getTask(tasks[0]);
    assert.deepEqual(first.task_info, { company: t.company, user: t.user });
    assert.equal(t.status, 'queued', 'a pop does not change the status');
    assert.deepEqual(await ok('queues.get_next_task', { queue, task: tasks[0] }), {}, 'with task: only when it is the head');
    assert.equal((await ok('queues.get_next_task', { queue, task: tasks[1] })).entry.task, tasks[1]);
    await fails('queues.get_next_task', { queue: 'f'.repeat(32) }, 701);
  });

  test('a task stopped while it waited is queued again when popped', async () => {
    const { queue, tasks } = await filledQueue(1);
    // An abort that raced the enqueue: the status says stopped but the entry is still there.
    await ok('tasks.stopped', { task: tasks[0], force: true });
    await ok('queues.add_task', { queue, task: tasks[0] });
    assert.equal((await getTask(tasks[0])).status, 'stopped');
    assert.equal((await ok('queues.get_next_task', { queue })).entry.task, tasks[0]);
    assert.equal((await getTask(tasks[0])).status, 'queued');
  });

  test('a long poll on an empty queue answers with the task enqueued while it waits', async () => {
    const queue = await newQueue();
    const id = await newTask();
    const waiting = ok('queues.get_next_task', { queue, wait_sec: 30 });
    await ok('tasks.enqueue', { task: id, queue });
    const got = await waiting;
    assert.equal(got.entry.task, id);
    assert.deepEqual(await entries(queue), [], 'the long poll took the entry');
  });

  test('two long polls and one task: one gets it, the other keeps waiting for the next', async () => {
    const queue = await newQueue();
    const [a, b] = [await newTask(), await newTask()];
    const polls = [ok('queues.get_next_task', { queue, wait_sec: 30 }), ok('queues.get_next_task', { queue, wait_sec: 30 })];
    await ok('tasks.enqueue', { task: a, queue });
    await ok('tasks.enqueue', { task: b, queue });
    const got = (await Promise.all(polls)).map((d) => d.entry.task).sort();
    assert.deepEqual(got, [a, b].sort());
  });

  test('a long poll whose caller went away takes nothing', async () => {
    const queue = await newQueue();
    const id = await newTask();
    const gone = new AbortController();
    const waiting = takeNextTask(s.server.store, queue, { waitMs: 30_000, signal: gone.signal });
    gone.abort();
    assert.equal(await waiting, undefined);
    await ok('tasks.enqueue', { task: id, queue });
    assert.deepEqual(await entries(queue), [id], 'the task waits for the next caller');
  });

  test('wait_sec is bounded below', async () => {
    await fails('queues.get_next_task', { queue: await newQueue(), wait_sec: -1 }, 12);
  });
});

describe('ordering', () => {
  test('moves reorder the entries and clamp at the ends', async () => {
    const { queue, tasks: [t1, t2, t3, t4] } = await filledQueue(4);
    assert.deepEqual(await ok('queues.move_task_forward', { queue, task: t3 }), { position: 1 });
    assert.deepEqual(await entries(queue), [t1, t3, t2, t4]);
    assert.deepEqual(await ok('queues.move_task_backward', { queue, task: t1, count: 2 }), { position: 2 });
    assert.deepEqual(await entries(queue), [t3, t2, t1, t4]);
    assert.deepEqual(await ok('queues.move_task_to_back', { queue, task: t3 }), { position: 3 });
    assert.deepEqual(await ok('queues.move_task_to_front', { queue, task: t4 }), { position: 0 });
    assert.deepEqual(await ok('queues.move_task_forward', { queue, task: t1, count: 99 }), { position: 0 });
    assert.deepEqual(await entries(queue), [t1, t4, t2, t3]);
    assert.equal((await ok('queues.get_next_task', { queue })).entry.task, t1, 'pops follow the new order');
    assert.deepEqual(await ok('queues.peek_task', { queue }), { task: t4 });
    await fails('queues.move_task_to_front', { queue, task: t1 }, 703);
  });

  test('remove_task with update_task_status and clear_queue send tasks back to their status before the enqueue', async () => {
    const { queue, tasks: [a, b, c] } = await filledQueue(3);
    await ok('tasks.failed', { task: c, force: true });
    await ok('tasks.enqueue', { task: c, queue });
    assert.equal((await getTask(c)).enqueue_status, 'failed');
    await ok('queues.remove_task', { queue, task: a, update_task_status: true });
    assert.equal((await getTask(a)).status, 'created');
    assert.deepEqual(await ok('queues.clear_queue', { queue }), { removed_tasks: [b, c] });
    assert.equal((await getTask(b)).status, 'created');
    const back = await getTask(c);
    assert.equal(back.status, 'failed');
    assert.equal(back.enqueue_status, undefined);
    assert.deepEqual(await entries(queue), []);
  });

  test('get_all lists entries (limited by max_task_entries), tags always, and skips entries for agents', async () => {
    const { queue, tasks } = await filledQueue(3);
    const full = (await ok('queues.get_all', { id: [queue], max_task_entries: 2 })).queues as Queue[];
    assert.deepEqual(full[0].entries.map((e) => e.task), tasks.slice(0, 2));
    assert.deepEqual(full[0].tags, []);
    assert.deepEqual((await ok('queues.get_all', { id: [queue], only_fields: ['id', 'tags'] })).queues, [{ id: queue, tags: [] }]);
  });
});

describe('queue metrics', () => {
  // Exact values per bucket are checked on fixed samples in queue-metrics.test.ts; here the
  // samples come from real changes a few milliseconds apart.
  test('changes are sampled and come back bucketed, per queue and as a total', async () => {
    const queue = await newQueue();
    const quiet = await newQueue();
    const from = Math.floor(Date.now() / 1000) - 60;
    await ok('tasks.enqueue', { task: await newTask(), queue });
    await ok('tasks.enqueue', { task: await newTask(), queue });
    await ok('queues.get_next_task', { queue });
    const to = Math.floor(Date.now() / 1000) + 1;
    const m = await ok('queues.get_queue_metrics', { from_date: from, to_date: to, interval: 3600, queue_ids: [queue, quiet] });
    assert.deepEqual(m.queues.map((q: { queue: string }) => q.queue), [queue, quiet]);
    const [busy, idle] = m.queues;
    const hour = 3_600_000;
    const dates: number[] = [];
    for (let d = Math.floor((from * 1000) / hour) * hour; d < to * 1000; d += hour) dates.push(d);
    assert.deepEqual(busy.dates, dates, 'bucket starts in epoch ms');
    assert.ok([1, 2].includes(busy.queue_lengths.at(-1)), `the worst moment had 1 or 2 tasks waiting: ${busy.queue_lengths}`);
    assert.ok(busy.avg_waiting_times.at(-1) >= 0);
    assert.deepEqual(idle, { queue: quiet, dates, avg_waiting_times: dates.map(() => 0), queue_lengths: dates.map(() => 0) });
    const total = await ok('queues.get_queue_metrics', { from_date: from, to_date: to, interval: 3600 });
    assert.deepEqual(total.queues.map((q: { queue: string }) => q.queue), ['total']);
    assert.ok(total.queues[0].queue_lengths.at(-1) >= 1);
    await fails('queues.get_queue_metrics', { from_date: to, to_date: from, interval: 60 }, 12);
  });
});
