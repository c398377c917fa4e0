import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Store } from '../../store/store.js';
import { openTestStore } from '../../testing/store-backends.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { CodeRecording } from './code-recording.js';

/** Whether the promise has settled within 150 ms (time for a store query, not for a hold). */
async function settledYet(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((r) => setTimeout(r, 150));
  return done;
}

/** A development task as the batch reads it: started `startedAt` (epoch ms) and running. */
const dev = (id: string, startedAt = Date.now(), parent?: string) => ({
  id, system_tags: ['development'], parent, status: 'in_progress', started: new Date(startedAt).toISOString(),
});

let store: Store;
before(async () => {
  store = await openTestStore();
});
after(async () => store.close());

test('a batch of a task expecting its code waits until the code is recorded', async () => {
  const cr = new CodeRecording(store.codeRecordings, 60_000);
  await cr.started(dev('t1'));
  const wait = cr.settled([dev('t1'), dev('other')]);
  assert.equal(await settledYet(wait), false);
  await cr.recorded('t1');
  await wait;
  assert.deepEqual([...(await store.codeRecordings.expected(['t1']))], []);
  // each run is held once: a later batch goes straight through
  assert.equal(await settledYet(cr.settled([dev('t1')])), true);
});

test('replicas on one store: the batch held on one is released by the requirements another receives', async () => {
  const [a, b] = [new CodeRecording(store.codeRecordings, 60_000), new CodeRecording(store.codeRecordings, 60_000)];
  await a.started(dev('r1'));
  const wait = b.settled([dev('r1')]);
  assert.equal(await settledYet(wait), false, 'the replica that did not see tasks.started holds the batch too');
  await a.recorded('r1');
  const released = Date.now();
  await wait;
  assert.ok(Date.now() - released < 5_000);
});

test('the wait is bounded, and a task whose code never comes is not waited for again', async () => {
  let now = Date.now();
  const cr = new CodeRecording(store.codeRecordings, 300, () => now);
  await cr.started(dev('t2', now));
  const wait = cr.settled([dev('t2', now)]);
  assert.equal(await settledYet(wait), false);
  now += 1_000;
  await wait;
  assert.deepEqual([...(await store.codeRecordings.expected(['t2']))], [], 'forgotten once waited for');
  await cr.started(dev('t3', now));
  now += 1_000;
  assert.equal(await settledYet(cr.settled([dev('t3', now - 1_000)])), true, 'past the bound: no wait at all');
});

test('only a development task without a parent, running and just started, is expected to record its code', async () => {
  const cr = new CodeRecording(store.codeRecordings, 60_000);
  await cr.started({ id: 'agent-run', system_tags: [] });
  await cr.started(dev('pipeline-step', Date.now(), 'controller'));
  assert.deepEqual([...(await store.codeRecordings.expected(['agent-run', 'pipeline-step']))], [], 'tasks an agent or a pipeline controller started are never held');
  await cr.started(dev('by-hand'));
  assert.deepEqual([...(await store.codeRecordings.expected(['by-hand']))].map(([id]) => id), ['by-hand']);
  assert.equal(await settledYet(cr.settled([{ ...dev('by-hand'), status: 'completed' }])), true, 'a task no longer running is not held');
  assert.equal(await settledYet(cr.settled([dev('by-hand', Date.now() - 120_000)])), true, 'nor one started long ago');
  await cr.recorded('by-hand');
});

test('tasks nobody expects are never held', async () => {
  const cr = new CodeRecording(store.codeRecordings, 60_000);
  assert.equal(await settledYet(cr.settled([dev('a'), dev('b')])), true);
  await cr.started(dev('x'));
  assert.equal(await settledYet(cr.settled([dev('a')])), true);
  await cr.recorded('x');
});

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s?.close());

const logLine = (task: string, msg: string) => JSON.stringify({ type: 'log', task, timestamp: Date.now(), level: 'info', msg });

test("a development task's first events.add_batch is answered after its script and requirements are recorded, as the SDK's fork needs", async () => {
  // The SDK's order at Task.init: tasks.create (system tag development), tasks.started,
  // then its first console batch from the main thread while a thread records the script
  // and then the requirements.
  const { id } = await s.ok('tasks.create', { name: 'dev run', type: 'training', system_tags: ['development'] });
  await s.ok('tasks.started', { task: id });
  const order: string[] = [];
  const batch = fetch(`${s.api}/events.add_batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json-lines' },
    body: logLine(id, 'ClearML results page: ...'),
  }).then(async (r) => {
    order.push('add_batch answered');
    return r.json() as Promise<{ data: { added: number } }>;
  });
  await new Promise((r) => setTimeout(r, 300));
  order.push('script recorded');
  await s.ok('tasks.edit', { task: id, force: true, script: { repository: 'https://example.com/r.git', entry_point: 'train.py' } });
  await new Promise((r) => setTimeout(r, 300));
  order.push('requirements recorded');
  await s.ok('tasks.set_requirements', { task: id, requirements: { pip: 'clearml\nnumpy' } });
  const answer = await batch;
  assert.deepEqual(order, ['script recorded', 'requirements recorded', 'add_batch answered']);
  assert.equal(answer.data.added, 1);

  // Tasks an agent runs (no development tag) are never held.
  const agentTask = (await s.ok('tasks.create', { name: 'agent run', type: 'training' })).id as string;
  await s.ok('tasks.started', { task: agentTask });
  const r = await fetch(`${s.api}/events.add_batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json-lines' },
    body: logLine(agentTask, 'x'),
  });
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as { data: { added: number } }).data.added, 1);
});
