import { startTestServer, TEST_KEY, TEST_SECRET, type TestServer } from '@cairn/server/testing';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sleep } from './backoff.js';
import { ApiCallError, ServerUnreachableError } from './errors.js';
import { addEventBatch } from './event-batch.js';
import { ensureProjectId, findQueueId, NotFoundError } from './lookups.js';
import { Session, type RetryNotice, type SessionOptions } from './session.js';
import { RecordingProxy } from './testing/recording-proxy.js';

let server: TestServer;
let proxy: RecordingProxy;

const fastRetry = { baseDelayMs: 5, maxDelayMs: 20 };
const session = (extra: Partial<SessionOptions> = {}) =>
  new Session({ apiHost: proxy.url, accessKey: TEST_KEY, secretKey: TEST_SECRET, retry: fastRetry, ...extra });

before(async () => {
  server = await startTestServer();
  proxy = await RecordingProxy.start(server.api);
});
after(async () => {
  await proxy.close();
  await server.close();
});

describe('Session', () => {
  test('logs in with the access key and sends the token on calls', async () => {
    proxy.requests.length = 0;
    const s = session();
    const data = await s.call<{ user: { name: string; role: string } }>('users.get_current_user');
    assert.equal(data.user.name, 'admin');
    assert.equal(data.user.role, 'admin');
    assert.deepEqual(proxy.requests.map((r) => `${r.method} ${r.endpoint} ${r.status}`), ['GET auth.login 200', 'POST users.get_current_user 200']);
    assert.match(s.token ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  test('a wrong secret fails the login with the envelope code and subcode', async () => {
    const s = session({ secretKey: 'wrong' });
    await assert.rejects(s.call('users.get_current_user'), (err: unknown) => {
      assert.ok(err instanceof ApiCallError);
      assert.equal(err.endpoint, 'auth.login');
      assert.equal(err.code, 401);
      assert.equal(err.subcode, 22);
      return true;
    });
  });

  test('error envelopes become ApiCallError with code, subcode and message', async () => {
    const s = session();
    await assert.rejects(s.call('tasks.get_by_id', { task: 'f'.repeat(32) }), (err: unknown) => {
      assert.ok(err instanceof ApiCallError);
      assert.equal(err.code, 400);
      assert.equal(err.subcode, 101);
      assert.match(err.resultMessage, /f{32}/);
      assert.equal(err.isInvalidEndpoint, false);
      return true;
    });
    await assert.rejects(s.call('tasks.no_such_action'), (err: unknown) => err instanceof ApiCallError && err.isInvalidEndpoint);
  });

  test('renews the token before it expires', async () => {
    proxy.requests.length = 0;
    let offsetMs = 0;
    const s = session({ tokenExpirationSec: 60, now: () => Date.now() + offsetMs });
    await s.call('users.get_current_user');
    await s.call('users.get_current_user');
    assert.equal(proxy.count('auth.login'), 1);
    // Past half of the token's 60 s lifetime the session logs in again before calling.
    offsetMs = 45_000;
    await s.call('users.get_current_user');
    assert.equal(proxy.count('auth.login'), 2);
    assert.deepEqual(proxy.requests.map((r) => r.endpoint).slice(-2), ['auth.login', 'users.get_current_user']);
  });

  test('after a 401 for an expired token it logs in once and repeats the call', async () => {
    proxy.requests.length = 0;
    // A client clock far behind the server's: the client still trusts the token the server has expired.
    const s = session({ tokenExpirationSec: 1, now: () => Date.now() - 3_600_000 });
    await s.call('users.get_current_user');
    const expired = s.token!;
    for (;;) {
      const res = await server.call('users.get_current_user', {}, { token: expired });
      if (res.status === 401) break;
      await sleep(200);
    }
    // Only what follows the expiry is asserted: on a loaded machine the token's one second
    // can already run out before the first call, which then takes this same path.
    const mark = proxy.requests.length;
    const data = await s.call<{ user: { name: string } }>('users.get_current_user');
    assert.equal(data.user.name, 'admin');
    assert.notEqual(s.token, expired);
    const calls = proxy.requests.slice(mark).map((r) => `${r.endpoint} ${r.status}`);
    assert.deepEqual(calls, ['users.get_current_user 401', 'auth.login 200', 'users.get_current_user 200']);
  });

  test('a second 401 in a row is not retried again', async () => {
    const s = session();
    proxy.inject = ({ endpoint }) => (endpoint === 'users.get_current_user' ? 401 : undefined);
    try {
      await assert.rejects(s.call('users.get_current_user'), (err: unknown) => err instanceof ApiCallError && err.code === 401);
      assert.equal(proxy.requests.slice(-3).map((r) => r.endpoint).join(','), 'users.get_current_user,auth.login,users.get_current_user');
    } finally {
      proxy.inject = () => undefined;
    }
  });

  test('retries 503, 502 and 429 with back-off and then succeeds', async () => {
    proxy.requests.length = 0;
    const notices: RetryNotice[] = [];
    const s = session({ onRetry: (n) => notices.push(n) });
    const statuses = [503, 502, 429];
    proxy.inject = ({ endpoint, index }) => (endpoint === 'queues.get_all' ? statuses[index] : undefined);
    try {
      const data = await s.call<{ queues: { name: string }[] }>('queues.get_all', { name: '^default$' });
      assert.deepEqual(data.queues.map((q) => q.name), ['default']);
    } finally {
      proxy.inject = () => undefined;
    }
    assert.deepEqual(proxy.requests.filter((r) => r.endpoint === 'queues.get_all').map((r) => r.status), [503, 502, 429, 200]);
    assert.deepEqual(notices.map((n) => [n.attempt, n.reason]), [[1, 'HTTP 503'], [2, 'HTTP 502'], [3, 'HTTP 429']]);
    assert.ok(notices.every((n) => n.delayMs <= fastRetry.maxDelayMs));
  });

  test('a 500 is an error, not retried', async () => {
    proxy.requests.length = 0;
    const s = session();
    await s.login();
    proxy.inject = ({ endpoint }) => (endpoint === 'queues.get_all' ? 500 : undefined);
    try {
      await assert.rejects(s.call('queues.get_all'), (err: unknown) => err instanceof ApiCallError && err.code === 500);
    } finally {
      proxy.inject = () => undefined;
    }
    assert.equal(proxy.count('queues.get_all'), 1);
  });

  test('gives up on an unreachable server after the allowed retries', async () => {
    const port = await closedPort();
    const notices: RetryNotice[] = [];
    const s = new Session({ apiHost: `http://127.0.0.1:${port}`, accessKey: 'k', secretKey: 's', retry: { retries: 2, ...fastRetry }, onRetry: (n) => notices.push(n) });
    await assert.rejects(s.call('queues.get_all'), (err: unknown) => {
      assert.ok(err instanceof ServerUnreachableError);
      assert.equal(err.attempts, 3);
      assert.equal(err.lastReason, 'ECONNREFUSED');
      return true;
    });
    assert.deepEqual(notices.map((n) => n.endpoint), ['auth.login', 'auth.login']);
  });

  test('an aborted call stops retrying and rejects with the abort reason', async () => {
    const port = await closedPort();
    const s = new Session({ apiHost: `http://127.0.0.1:${port}`, accessKey: 'k', secretKey: 's', retry: { retries: Infinity, baseDelayMs: 50, maxDelayMs: 50 } });
    const ctl = new AbortController();
    const call = s.call('queues.get_all', {}, { signal: ctl.signal });
    ctl.abort(new Error('shutting down'));
    await assert.rejects(call, /shutting down/);
  });
});

describe('addEventBatch', () => {
  test('splits at the size limit and counts what the server added', async () => {
    const s = session();
    const taskId = (await s.call<{ id: string }>('tasks.create', { name: 'batch target', type: 'training' })).id;
    const events = Array.from({ length: 40 }, (_, i) => ({ type: 'log', task: taskId, level: 'info', msg: `line ${i} ${'x'.repeat(60)}`, timestamp: 1_700_000_000_000 + i }));
    proxy.requests.length = 0;
    const result = await addEventBatch(s, events, { maxBytes: 1_000 });
    assert.deepEqual({ added: result.added, errors: result.errors }, { added: 40, errors: 0 });
    const sent = proxy.requests.filter((r) => r.endpoint === 'events.add_batch');
    assert.ok(sent.length >= 4, `expected several requests, got ${sent.length}`);
    for (const r of sent) {
      assert.equal(r.contentType, 'application/json-lines');
      assert.ok(Buffer.byteLength(r.body) <= 1_000);
    }
    assert.equal(sent.reduce((n, r) => n + r.body.split('\n').length, 0), 40);
    const log = await s.call<{ events: { msg: string }[]; total: number }>('events.get_task_log', { task: taskId, order: 'asc', batch_size: 100, navigate_earlier: false });
    assert.equal(log.total, 40);
    assert.equal(log.events[39]!.msg, events[39]!.msg);
  });

  test('counts the events of a refused request as errors and still sends the rest', async () => {
    const s = session();
    const taskId = (await s.call<{ id: string }>('tasks.create', { name: 'batch target 2', type: 'training' })).id;
    const good = Array.from({ length: 3 }, (_, i) => ({ type: 'log', task: taskId, level: 'info', msg: `ok ${i} ${'y'.repeat(100)}`, timestamp: 1 + i }));
    const bad = Array.from({ length: 3 }, (_, i) => ({ type: 'log', task: 'e'.repeat(32), level: 'info', msg: `lost ${i} ${'z'.repeat(100)}`, timestamp: 1 + i }));
    const result = await addEventBatch(s, [...bad, ...good], { maxBytes: 500 });
    assert.equal(result.added, 3);
    assert.equal(result.errors, 3);
    assert.equal(result.refused.length, 1);
    assert.match(result.refused[0]!, /unknown task id/);
  });
});

describe('lookups', () => {
  test('find queues and projects by exact name, creating missing projects', async () => {
    const s = session();
    const defaultId = await findQueueId(s, 'default');
    assert.match(defaultId, /^[0-9a-f]{32}$/);
    assert.equal(await findQueueId(s, defaultId), defaultId);
    await assert.rejects(findQueueId(s, 'defaul'), NotFoundError);
    const created = await ensureProjectId(s, 'Lookups (test)');
    assert.equal(await ensureProjectId(s, 'Lookups (test)'), created);
    const { projects } = await s.call<{ projects: { id: string }[] }>('projects.get_all', { id: [created] });
    assert.equal(projects.length, 1);
  });
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
