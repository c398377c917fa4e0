import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { CodeRecording } from './code-recording.js';

/** Whether the promise has settled after the event loop has had a turn. */
async function settledYet(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  return done;
}

const dev = (id: string, parent?: string) => ({ id, system_tags: ['development'], parent });

test('a batch of a task expecting its code waits until the code is recorded', async () => {
  const cr = new CodeRecording(60_000);
  cr.started(dev('t1'));
  const wait = cr.settled(['t1', 'other']);
  assert.equal(await settledYet(wait), false);
  cr.recorded('t1');
  assert.equal(await settledYet(wait), true);
  assert.equal(cr.pending, 0);
  // each run is held once: a later batch goes straight through
  assert.equal(await settledYet(cr.settled(['t1'])), true);
});

test('the wait is bounded, and a task whose code never comes is not waited for again', async () => {
  let now = 1_000;
  const cr = new CodeRecording(50, () => now);
  cr.started(dev('t1'));
  const started = Date.now();
  await cr.settled(['t1']);
  assert.ok(Date.now() - started < 5_000);
  assert.equal(cr.pending, 0);
  cr.started(dev('t2'));
  now += 1_000;
  assert.equal(await settledYet(cr.settled(['t2'])), true, 'past the bound: no wait at all');
});

test('only a development task without a parent is expected to record its code', () => {
  const cr = new CodeRecording(60_000);
  cr.started({ id: 'agent-run', system_tags: [] });
  cr.started(dev('pipeline-step', 'controller'));
  assert.equal(cr.pending, 0, 'tasks an agent or a pipeline controller started are never held');
  cr.started(dev('by-hand'));
  assert.equal(cr.pending, 1);
});

test('tasks nobody expects are never held', async () => {
  const cr = new CodeRecording(60_000);
  assert.equal(await settledYet(cr.settled(['a', 'b'])), true);
  cr.started(dev('x'));
  assert.equal(await settledYet(cr.settled(['a'])), true);
});

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

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
