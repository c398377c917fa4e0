import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Authenticator } from '../../auth/authenticator.js';
import { hashSecret } from '../../auth/secret-hash.js';
import { openTestStore } from '../../testing/store-backends.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

interface Listed {
  access_key: string;
  last_used: string | null;
}
const listed = async (key: string) => ((await s.ok('auth.get_credentials')).credentials as Listed[]).find((c) => c.access_key === key)!;

test('a key records when it was last used: at its login, and from calls with the token it got', async () => {
  const { credentials } = await s.ok('auth.create_credentials', { label: 'laptop' });
  const { access_key: key, secret_key: secret } = credentials as { access_key: string; secret_key: string };
  assert.equal((await listed(key)).last_used, null, 'a new key was never used');

  const before = Date.now();
  const login = await fetch(`${s.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` } });
  assert.equal(login.status, 200);
  const token = ((await login.json()) as { data: { token: string } }).data.token;
  const first = (await listed(key)).last_used;
  assert.ok(first && Date.parse(first) >= before - 1000, `last_used after login: ${first}`);

  // Calls with the token keep it fresh (written at most once a minute, so this one does not move it).
  const r = await s.call('projects.get_all', {}, { token });
  assert.equal(r.status, 200);
  assert.equal((await listed(key)).last_used, first);

  // A server that restarts with the same data shows the same value (it is stored, not in memory).
  const row = (await s.server.store.credentials.get(key))!;
  assert.equal(row.last_used, first);
});

test('a key used all day through one token shows its last use within a minute', async () => {
  const store = await openTestStore();
  let now = Date.parse('2026-12-01T08:00:00Z');
  const auth = new Authenticator(store, Buffer.alloc(32, 7), 86_400, () => now);
  const admin = { id: 'u1', name: 'admin', company: 'c1', role: 'admin', created: new Date(now).toISOString() };
  await store.users.insert(admin as never);
  await store.credentials.insert({ access_key: 'K1', secret_hash: await hashSecret('s1'), user: 'u1', label: '', created: new Date(now).toISOString(), revoked: false });
  const { identity } = await auth.login(`Basic ${Buffer.from('K1:s1').toString('base64')}`, '127.0.0.1');
  const token = auth.issue(identity, 'K1');
  assert.equal((await store.credentials.get('K1'))!.last_used, '2026-12-01T08:00:00.000000+00:00');
  now += 30_000;
  await auth.checkBearer(`Bearer ${token}`);
  assert.equal((await store.credentials.get('K1'))!.last_used, '2026-12-01T08:00:00.000000+00:00', 'not rewritten within the minute');
  now = Date.parse('2026-12-01T17:30:00Z');
  await auth.checkBearer(`Bearer ${token}`);
  assert.equal((await store.credentials.get('K1'))!.last_used, '2026-12-01T17:30:00.000000+00:00');
  await store.close();
});
