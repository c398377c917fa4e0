import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestServer, TEST_KEY, type TestServer } from '../testing/test-server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer(['--max-request-bytes', '4096', '--admin-password', 'admin-pw-for-tests']);
});
after(async () => s.close());

async function raw(path: string, init: RequestInit = {}) {
  const res = await fetch(`${s.api}${path}`, init);
  return { status: res.status, body: (await res.json()) as { meta: Record<string, unknown>; data: Record<string, unknown> } };
}

const alive = async () => assert.equal((await raw('/debug.ping')).status, 200);

/** fetch() refuses GET bodies, which the clearml SDK sends on every call. */
function getWithBody(path: string, body: string): Promise<{ status: number; body: { data: Record<string, unknown> } }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${s.api}${path}`);
    const req = request(url, { method: 'GET', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('GET with a JSON body is read like POST, with or without a version prefix', async () => {
  const headers = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
  const created = await getWithBody('/v2.23/tasks.create', JSON.stringify({ name: 'via GET', type: 'training' }));
  assert.equal(created.status, 200);
  const id = created.body.data.id as string;
  assert.match(id, /^[0-9a-f]{32}$/);
  const got = await raw('/tasks.get_by_id', { method: 'PUT', headers, body: JSON.stringify({ task: id }) });
  assert.equal((got.body.data.task as { name: string }).name, 'via GET');
});

test('the envelope carries every meta field with the right types', async () => {
  const { body } = await raw('/debug.ping');
  const meta = body.meta;
  assert.equal(typeof meta.id, 'string');
  assert.equal(typeof meta.trx, 'string');
  assert.deepEqual(Object.keys(meta.endpoint as object).sort(), ['actual_version', 'name', 'requested_version']);
  assert.equal(meta.result_code, 200);
  assert.equal(meta.result_subcode, 0);
  assert.equal(meta.result_msg, 'OK');
});

test('query string merges into the body with types converted', async () => {
  const r = await s.call('tasks.get_all?page=0&page_size=1&only_fields=name&only_fields=status', {});
  assert.equal(r.status, 200);
  const tasks = r.data.tasks as Record<string, unknown>[];
  assert.ok(tasks.length <= 1);
  if (tasks[0]) assert.deepEqual(Object.keys(tasks[0]).sort(), ['id', 'name', 'status']);
});

test('malformed JSON, a JSON array and wrong types are 400 envelopes', async () => {
  const bad = await s.call('tasks.create', '{"name": "x",');
  assert.equal(bad.status, 400);
  assert.equal(bad.meta.result_code, 400);
  assert.match(String(bad.meta.result_msg), /malformed JSON/);
  const arr = await s.call('tasks.create', '[1, 2]');
  assert.equal(arr.status, 400);
  assert.match(String(arr.meta.result_msg), /must be a JSON object/);
  const types = await s.call('tasks.create', { name: 123, type: 'training' });
  assert.equal(types.status, 400);
  assert.equal(types.meta.result_subcode, 12);
  assert.match(String(types.meta.result_msg), /name/);
  await alive();
});

test('unknown endpoints and wrong methods answer invalid endpoint', async () => {
  const r = await s.call('tasks.no_such_thing', {});
  assert.equal(r.status, 400);
  assert.match(String(r.meta.result_msg), /Invalid endpoint/);
  const d = await s.call('tasks.get_all', {}, { method: 'DELETE' });
  assert.equal(d.status, 400);
  await alive();
});

test('missing, forged and revoked tokens are 401', async () => {
  assert.equal((await s.call('tasks.get_all', {}, { token: null })).status, 401);
  const forged = `${s.token.slice(0, -4)}AAAA`;
  const f = await s.call('tasks.get_all', {}, { token: forged });
  assert.equal(f.status, 401);
  assert.equal(f.meta.result_subcode, 30);
  assert.equal((await s.call('tasks.get_all', {}, { token: 'not-a-jwt' })).status, 401);
  const wrong = await fetch(`${s.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${TEST_KEY}:nope`).toString('base64')}` } });
  assert.equal(wrong.status, 401);
  await alive();
});

test('an expired token is refused with 401', async () => {
  const login = await fetch(`${s.api}/auth.login?expiration_sec=1`, { headers: { authorization: `Basic ${Buffer.from(`${TEST_KEY}:test-secret-value`).toString('base64')}` } });
  const token = ((await login.json()) as { data: { token: string } }).data.token;
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims.exp - claims.iat, 1);
  assert.equal(claims.api_version, '2.31');
  assert.equal(claims.feature_set, 'basic');
  assert.equal(typeof claims.server_version, 'string');
  await new Promise((r) => setTimeout(r, 2100));
  const r = await s.call('tasks.get_all', {}, { token });
  assert.equal(r.status, 401);
  assert.equal(r.meta.result_subcode, 31);
});

test('a body over the configured limit is 413 and the server keeps serving', async () => {
  const r = await s.call('tasks.create', { name: 'x'.repeat(10_000), type: 'training' });
  assert.equal(r.status, 413);
  assert.equal(r.meta.result_code, 413);
  await alive();
});

test('a client that sends a refused body slowly reads its 413 after sending it all, as Python clients read', async () => {
  // python-requests writes the whole body before it reads, and its calls get `Connection:
  // close`: the server must not close while the body still comes (a reset would lose the
  // answer). The body comes in pieces, as through a proxy or a slow link.
  const { port } = new URL(s.api);
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  await once(socket, 'connect');
  socket.pause();
  const errors: string[] = [];
  socket.on('error', (err) => errors.push(err.message));
  const size = 200_000;
  const write = (data: string) => new Promise<void>((resolve) => socket.write(data, () => resolve()));
  await write(`POST /tasks.create HTTP/1.1\r\nHost: x\r\nUser-Agent: python-requests/2.32.5\r\nAuthorization: Bearer ${s.token}\r\n`
    + `Content-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
  for (let sent = 0; sent < size && !socket.destroyed; sent += 10_000) {
    await write('x'.repeat(10_000));
    await new Promise((r) => setTimeout(r, 20));
  }
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.resume();
  if (!socket.destroyed) await closed;
  assert.deepEqual(errors, []);
  const answer = Buffer.concat(chunks).toString();
  assert.match(answer, /^HTTP\/1\.1 413 /);
  assert.match(answer, /exceeds the limit of 4096 bytes/);
  await alive();
});

test('the admin signs in with user name and password; a wrong password is 401', async () => {
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  const ok = await fetch(`${s.api}/auth.login`, { headers: basic('admin', 'admin-pw-for-tests') });
  assert.equal(ok.status, 200);
  const token = ((await ok.json()) as { data: { token: string } }).data.token;
  const me = await s.call('users.get_current_user', {}, { token });
  assert.equal((me.data.user as { name: string }).name, 'admin');
  assert.equal((await fetch(`${s.api}/auth.login`, { headers: basic('admin', 'wrong') })).status, 401);
  assert.equal((await fetch(`${s.api}/auth.login`, { headers: basic('nobody', 'x') })).status, 401);
});
