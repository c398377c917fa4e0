import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { rawRequest, startTestServer, type TestServer } from './probe-helpers.js';

/** Requests that used to stall the server, crash a handler or store what no read returns. */
let s: TestServer;
const logged: string[] = [];
before(async () => {
  s = await startTestServer(['--body-timeout', '1'], (line) => logged.push(line));
});
after(async () => s.close());

const json = { 'content-type': 'application/json' };

test('a catastrophic-backtracking name filter answers at once and the server keeps serving', async () => {
  const name = 'a'.repeat(1000);
  await s.ok('tasks.create', { name, type: 'training' });
  const [filtered, ping] = await Promise.all([
    s.call('tasks.get_all', { name: '^(a+)+$', only_fields: ['id', 'name'] }),
    fetch(`${s.api}/debug.ping`),
  ]);
  assert.equal(ping.status, 200);
  assert.equal(filtered.status, 200);
  assert.ok((filtered.data.tasks as { name: string }[]).some((t) => t.name === name));
  const refused = await s.call('tasks.get_all', { name: '(?=a)a' });
  assert.equal(refused.status, 400);
  assert.match(String(refused.meta.result_msg), /invalid regular expression/);
});

test('without a token a body is not read: 401 at once and the connection closes', async () => {
  const big = Buffer.alloc(8 * 1024 * 1024, 0x20);
  const r = await rawRequest(`${s.api}/tasks.create`, { headers: { ...json, 'content-length': String(big.length) }, body: big }).catch((err: Error) => err);
  // The server may close while the client still writes (a reset); when the answer gets through it is 401.
  if (!(r instanceof Error)) {
    assert.equal(r.status, 401);
    assert.equal(r.headers.connection, 'close');
  }
  assert.equal((await fetch(`${s.api}/debug.ping`)).status, 200);
});

test('a stalled body is cut off with 408 and its connection freed; a stranger\'s stalled body is refused at once and its connection freed', async () => {
  // Resolves with what the server sent, once it closes the connection. Left to itself the
  // connection would close at the keep-alive timeout (65 s); the server here cuts off
  // bodies idle for 1 s, so a close that has not come after 20 s is a connection left
  // open, which a stranger could hold that long with a few bytes.
  const answer = (headers: string) => new Promise<string>((resolve, reject) => {
    const sock = net.connect(Number(new URL(s.api).port), '127.0.0.1');
    let got = '';
    const left = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the server left the connection open; it sent: ${got}`));
    }, 20_000);
    sock.on('data', (d) => (got += d.toString()));
    sock.on('close', () => {
      clearTimeout(left);
      resolve(got);
    });
    sock.on('error', reject);
    sock.write(`POST /tasks.get_all HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n${headers}\r\n{"na`);
  });
  const withToken = await answer(`Authorization: Bearer ${s.token}\r\n`);
  assert.match(withToken, /^HTTP\/1\.1 408/);
  assert.match(withToken, /the request body stalled: nothing arrived for 1 s/);
  const stranger = await answer('');
  assert.match(stranger, /^HTTP\/1\.1 401/);
});

test('a client that disconnects mid-body is logged in one line, without a stack, and the server goes on', async () => {
  const before = logged.length;
  await new Promise<void>((resolve) => {
    const sock = net.connect(Number(new URL(s.api).port), '127.0.0.1', () => {
      sock.write(`POST /tasks.create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name": "cut`);
      setTimeout(() => {
        sock.destroy();
        resolve();
      }, 100);
    });
  });
  await new Promise((r) => setTimeout(r, 200));
  const lines = logged.slice(before);
  assert.deepEqual(lines.filter((l) => /aborted by the client/.test(l)).length, 1, lines.join('\n'));
  assert.ok(!lines.some((l) => /\n\s+at /.test(l)), 'no stack trace');
  assert.equal((await fetch(`${s.api}/debug.ping`)).status, 200);
});

/** `{"a":{"a":…1…}}` as text: JSON.stringify itself would overflow its stack on it. */
const nestedText = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

test('JSON nested deeper than 100 levels is a 400 with a reason, wherever it is', async () => {
  const { id } = await s.ok('tasks.create', { name: 'nest', type: 'training' });
  for (const [endpoint, body] of [
    ['tasks.edit', `{"task": "${id}", "runtime": ${nestedText(1200)}}`],
    ['tasks.edit', `{"task": "${id}", "script": ${nestedText(1200)}}`],
    ['models.create', `{"name": "m", "uri": "http://x/m.pt", "design": ${nestedText(1200)}}`],
    ['tasks.create', `{"name": "n", "type": "training", "configuration": ${nestedText(5000)}}`],
  ] as const) {
    const r = await s.call(endpoint, body);
    assert.equal(r.status, 400, `${endpoint}: ${String(r.meta.result_msg)}`);
    assert.match(String(r.meta.result_msg), /nests deeper than 100 levels/);
  }
  const plot = JSON.stringify({ type: 'plot', task: id, metric: 'p', variant: 'v', iter: 0, plot_str: nestedText(2000) });
  const r = await s.call('events.add_batch', plot, { contentType: 'application/json-lines' });
  assert.equal(r.status, 400);
  assert.match(String(r.meta.result_msg), /plot_str nests deeper than 100 levels/);
  assert.equal((await fetch(`${s.api}/debug.ping`)).status, 200);
});

test('a crafted scroll id is refused with 400, not a crash', async () => {
  const { id } = await s.ok('tasks.create', { name: 'scroll', type: 'training' });
  const crafted = Buffer.from(JSON.stringify({ k: 'task_events', b: id, s: -1 })).toString('base64url');
  for (const scroll_id of [crafted, `${crafted}.forged`, 'x'.repeat(5000)]) {
    const r = await s.call('events.get_task_events', { task: id, scroll_id });
    assert.equal(r.status, 400);
    assert.equal(r.meta.result_subcode, 1104);
  }
});

test('what no read could return is refused with the limit in the message, and nothing is stored', async () => {
  const { id } = await s.ok('tasks.create', { name: 'limits', type: 'training' });
  const batch = [
    { type: 'training_stats_scalar', task: id, metric: 'm', variant: 'v', iter: 1e20, value: 1 },
    { type: 'training_stats_scalar', task: id, metric: 'm', variant: 'v', iter: 5, value: 2 },
  ].map((e) => JSON.stringify(e)).join('\n');
  const r = await s.call('events.add_batch', batch, { contentType: 'application/json-lines' });
  assert.equal(r.status, 200);
  assert.equal(r.data.added, 1);
  assert.match(JSON.stringify(r.data.errors_info), /iter must be an integer within ±9007199254740991/);
  assert.equal(((await s.ok('tasks.get_by_id', { task: id })).task as { last_iteration: number }).last_iteration, 5);

  const badType = await s.call('tasks.create', { name: 't', type: 'no_such_type' });
  assert.equal(badType.status, 400);
  assert.match(String(badType.meta.result_msg), /type: must be one of training, testing/);
  const orphan = await s.call('tasks.create', { name: 't', type: 'training', parent: 'f'.repeat(32) });
  assert.equal(orphan.status, 400);
  assert.match(String(orphan.meta.result_msg), /invalid parent task id/);
  const long = await s.call('tasks.create', { name: 'x'.repeat(2 * 1024 * 1024), type: 'training' });
  assert.equal(long.status, 400);
  assert.match(String(long.meta.result_msg), /2097152 characters long, more than the limit of 1024/);
  for (const [endpoint, body] of [['projects.create', { name: 'p'.repeat(2000) }], ['queues.create', { name: 'q'.repeat(2000) }], ['models.create', { name: 'm'.repeat(2000), uri: 'http://x' }]] as const) {
    assert.equal((await s.call(endpoint, body)).status, 400, endpoint);
  }
});
