import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Queue, Task } from '@cairn/protocol';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/** tasks.stop: immediate, or a "stopping" request to the live agent that runs the task. */
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

const ok: TestServer['ok'] = (endpoint, body) => s.ok(endpoint, body);

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
const newTask = async (extra: Record<string, unknown> = {}) => (await ok('tasks.create', { name: 'job', type: 'training', ...extra })).id as string;
const getTask = async (id: string) => (await ok('tasks.get_by_id', { task: id })).task as Task;

/** A task an agent pulled and runs: popped, started, reported on by the worker. */
async function agentRun(workerId: string): Promise<string> {
  const queue = (await ok('queues.create', { name: unique('q') })).id as string;
  await ok('workers.register', { worker: workerId, queues: [queue] });
  const id = await newTask();
  await ok('tasks.enqueue', { task: id, queue });
  assert.equal((await ok('queues.get_next_task', { queue })).entry.task, id);
  await ok('tasks.started', { task: id, status_message: 'pulled by agent', force: true });
  await ok('workers.status_report', { worker: workerId, timestamp: Date.now(), task: id, queue, queues: [queue] });
  return id;
}

test('a queued task is stopped at once and leaves its queue', async () => {
  const queue = (await ok('queues.create', { name: unique('q') })).id as string;
  const id = await newTask();
  await ok('tasks.enqueue', { task: id, queue });
  const r = await ok('tasks.stop', { task: id });
  assert.equal(r.updated, 1);
  const t = await getTask(id);
  assert.equal(t.status, 'stopped');
  assert.match(t.status_message, /^Stopped by \S/);
  assert.deepEqual(((await ok('queues.get_by_id', { queue })).queue as Queue).entries, []);
});

test('a local development run is stopped at once', async () => {
  const id = await newTask({ system_tags: ['development'] });
  await ok('tasks.started', { task: id });
  await ok('tasks.stop', { task: id });
  assert.equal((await getTask(id)).status, 'stopped');
});

test('a task run by a live agent gets "stopping", which the agent then turns into stopped', async () => {
  const workerId = unique('agent');
  const id = await agentRun(workerId);
  await ok('tasks.stop', { task: id });
  let t = await getTask(id);
  assert.equal(t.status, 'in_progress');
  assert.equal(t.status_message, 'stopping');
  await ok('tasks.stopped', { task: id, status_reason: 'task was stopped by tasks.stop', status_message: `Changed by clearml-agent ${workerId}` });
  t = await getTask(id);
  assert.equal(t.status, 'stopped');
  assert.equal(t.status_reason, 'task was stopped by tasks.stop');
});

test('a task whose agent is gone is stopped at once, and force always stops at once', async () => {
  const workerId = unique('vanished');
  const id = await agentRun(workerId);
  await ok('workers.unregister', { worker: workerId });
  await ok('tasks.stop', { task: id });
  const t = await getTask(id);
  assert.equal(t.status, 'stopped');
  assert.match(t.status_message, /^Stopped by /);
  const forced = await agentRun(unique('alive'));
  await ok('tasks.stop', { task: forced, force: true });
  assert.equal((await getTask(forced)).status, 'stopped');
});

test('stopping a draft is an invalid status change unless forced', async () => {
  const id = await newTask();
  const r = await s.call('tasks.stop', { task: id });
  assert.deepEqual([r.status, r.meta.result_subcode], [400, 110]);
  assert.equal((await getTask(id)).status, 'created');
});
