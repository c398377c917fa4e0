import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { CodeRecording } from './code-recording.js';

/** A keep-alive connection to `url`'s port that has made one call and now sits idle. */
async function idleKeepAlive(url: string, token: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (d) => {
      seen += d.toString();
      if (/\r\n\r\n[\s\S]*"meta"/.test(seen)) resolve();
    });
    socket.once('error', reject);
    socket.write(`POST /debug.ping HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n`);
  });
  return { socket, closed };
}

/** Whether the promise has settled after the event loop has had a turn. */
async function settledYet(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  return done;
}

test('a batch of a task expecting its code waits until the code is recorded', async () => {
  const cr = new CodeRecording(60_000);
  cr.expect('t1');
  const wait = cr.settled(['t1', 'other']);
  assert.equal(await settledYet(wait), false);
  cr.recorded('t1');
  assert.equal(await settledYet(wait), true);
  assert.equal(await wait, true, 'answered because the code was recorded: the caller may fork now');
  assert.equal(cr.pending, 0);
  // each run is held once: a later batch goes straight through
  assert.equal(await settledYet(cr.settled(['t1'])), true);
});

test('the wait is bounded, and a task whose code never comes is not waited for again', async () => {
  let now = 1_000;
  const cr = new CodeRecording(50, () => now);
  cr.expect('t1');
  const started = Date.now();
  assert.equal(await cr.settled(['t1']), false, 'the bound ran out: the code-recording thread may still be busy');
  assert.ok(Date.now() - started < 5_000);
  assert.equal(cr.pending, 0);
  cr.expect('t2');
  now += 1_000;
  assert.equal(await settledYet(cr.settled(['t2'])), true, 'past the bound: no wait at all');
});

test('tasks nobody expects are never held', async () => {
  const cr = new CodeRecording(60_000);
  assert.equal(await settledYet(cr.settled(['a', 'b'])), true);
  cr.expect('x');
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
  const pooled = await idleKeepAlive(s.api, s.token);
  // another client, with a key of its own
  const { credentials } = (await s.ok('auth.create_credentials', {})) as { credentials: { access_key: string; secret_key: string } };
  const login = await fetch(`${s.api}/auth.login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${credentials.access_key}:${credentials.secret_key}`).toString('base64')}` } });
  const otherToken = ((await login.json()) as { data: { token: string } }).data.token;
  const otherCaller = await idleKeepAlive(s.api, otherToken);
  let connectionHeader: string | null = null;
  const batch = fetch(`${s.api}/events.add_batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json-lines' },
    body: logLine(id, 'ClearML results page: ...'),
  }).then(async (r) => {
    order.push('add_batch answered');
    connectionHeader = r.headers.get('connection');
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
  // The SDK forks on this answer: it closes its own connection, and the idle one of the
  // pool the child would inherit was closed by the server.
  assert.equal(connectionHeader, 'close');
  const closedInTime = await Promise.race([pooled.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]);
  assert.equal(closedInTime, true, 'the idle keep-alive connection was closed');
  pooled.socket.destroy();
  assert.equal(await settledYet(otherCaller.closed), false, "another caller's idle connection stays open");
  otherCaller.socket.destroy();

  // Tasks an agent runs (no development tag) are never held.
  const agentTask = (await s.ok('tasks.create', { name: 'agent run', type: 'training' })).id as string;
  await s.ok('tasks.started', { task: agentTask });
  const other = await idleKeepAlive(s.api, s.token);
  const r = await fetch(`${s.api}/events.add_batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json-lines' },
    body: logLine(agentTask, 'x'),
  });
  assert.equal(r.status, 200);
  assert.notEqual(r.headers.get('connection'), 'close');
  await r.arrayBuffer();
  assert.equal(await settledYet(other.closed), false, 'other batches leave idle connections open');
  other.socket.destroy();
});
