import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Task } from '@cairn/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { sweep } from './watchdog.js';

/**
 * Silent workers and non-responsive tasks: `fast` runs the watchdog every second with a
 * one-second worker timeout; on `s` (default settings, whose watchdog stays idle this
 * early) the tests call `sweep` themselves with the clock they choose.
 */
let fast: TestServer;
let s: TestServer;
before(async () => {
  fast = await startTestServer(['--worker-timeout', '1', '--watchdog-interval', '1']);
  s = await startTestServer();
});
after(async () => {
  await fast.close();
  await s.close();
});

async function ok(endpoint: string, body: Record<string, unknown> = {}, server = s): Promise<Record<string, any>> {
  const r = await server.call(endpoint, body);
  assert.equal(r.status, 200, `${endpoint}: ${String(r.meta.result_msg)}`);
  return r.data;
}

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
const getTask = async (id: string, server = s) => (await ok('tasks.get_by_id', { task: id }, server)).task as Task;

async function runningTask(worker?: string, server = s): Promise<string> {
  const id = (await ok('tasks.create', { name: 'job', type: 'training' }, server)).id as string;
  await ok('tasks.started', { task: id, force: true }, server);
  if (worker) await ok('workers.status_report', { worker, timestamp: Date.now(), task: id }, server);
  return id;
}

/** Polls until the task leaves in_progress; the watchdog decides when, the test only waits for it. */
async function statusChange(id: string, server: TestServer, attempts = 100): Promise<Task> {
  for (let i = 0; i < attempts; i++) {
    const t = await getTask(id, server);
    if (t.status !== 'in_progress') return t;
    await sleep(200);
  }
  return getTask(id, server);
}

test('a worker that goes silent disappears and its task is stopped; local runs are left alone', async () => {
  const workerId = unique('silent');
  const agentTask = await runningTask(workerId, fast);
  const localTask = await runningTask(undefined, fast);
  const t = await statusChange(agentTask, fast);
  assert.equal(t.status, 'stopped');
  assert.equal(t.status_reason, `Forced stop (worker ${workerId} went silent)`);
  assert.equal(t.status_message, t.status_reason);
  assert.ok(!((await ok('workers.get_all', { last_seen: 0 }, fast)).workers as { id: string }[]).some((w) => w.id === workerId));
  assert.equal(await fast.server.store.workers.get(workerId), undefined, 'the watchdog removed the worker');
  assert.equal((await getTask(localTask, fast)).status, 'in_progress');
});

test('a task not updated for the task timeout is stopped as non-responsive, whether an agent or a local process ran it', async () => {
  const store = s.server.store;
  const workerId = unique('slow');
  const stale = await runningTask(workerId);
  const fresh = await runningTask(workerId);
  // SDK runs on the developer's machine: one was killed, the other still pings (tasks.ping)
  const killedLocal = await runningTask();
  const liveLocal = await runningTask();
  const later = Date.now() + 7201 * 1000;
  // By then the worker still reports, but only `fresh` and `liveLocal` have been updated in the last two hours.
  await store.workers.update(workerId, (w) => ({ ...w, last_seen: later }));
  await store.tasks.update(fresh, (doc) => ({ ...doc, last_update: new Date(later - 1000).toISOString() }));
  await ok('tasks.ping', { task: liveLocal });
  await store.tasks.update(liveLocal, (doc) => ({ ...doc, last_update: new Date(later - 30_000).toISOString() }));
  const r = await sweep(store, { workerTimeoutSec: 1, taskTimeoutSec: 7200, since: 0 }, later);
  const ours = r.stopped.filter((x) => [stale, fresh, killedLocal, liveLocal].includes(x.task)).sort((a, b) => a.task.localeCompare(b.task));
  const expected = [stale, killedLocal].sort().map((task) => ({ task, reason: 'Forced stop (non-responsive)' }));
  assert.deepEqual(ours, expected);
  assert.equal((await getTask(stale)).status_message, 'Forced stop (non-responsive)');
  assert.equal((await getTask(killedLocal)).status, 'stopped');
  assert.equal((await getTask(fresh)).status, 'in_progress');
  assert.equal((await getTask(liveLocal)).status, 'in_progress');
});

test('a task restarted by another agent is not stopped for its previous, dead worker', async () => {
  const store = s.server.store;
  const id = await runningTask();
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  await store.tasks.update(id, (doc) => ({ ...doc, last_worker: 'ghost', last_worker_report: hourAgo }));
  const opts = { workerTimeoutSec: 1, taskTimeoutSec: 7200, since: 0 };
  assert.ok(!(await sweep(store, opts)).stopped.some((x) => x.task === id));
  assert.equal((await getTask(id)).status, 'in_progress');
  await store.tasks.update(id, (doc) => ({ ...doc, last_worker_report: new Date().toISOString() }));
  assert.deepEqual((await sweep(store, opts)).stopped.filter((x) => x.task === id), [{ task: id, reason: 'Forced stop (worker ghost went silent)' }]);
  assert.equal((await getTask(id)).status, 'stopped');
});

test('right after a start, silence counts from the start: no worker expires yet', async () => {
  const store = s.server.store;
  const workerId = unique('before-restart');
  await ok('workers.register', { worker: workerId, timeout: 1 });
  const id = await runningTask(workerId);
  const now = Date.now() + 5000;
  const r = await sweep(store, { workerTimeoutSec: 600, taskTimeoutSec: 7200, since: now - 1000 }, now);
  assert.deepEqual(r.expiredWorkers, []);
  assert.deepEqual(r.stopped, []);
  assert.equal((await getTask(id)).status, 'in_progress');
});
