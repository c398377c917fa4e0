import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { login, startTestServer, TEST_KEY, tokenFor, type TestServer } from './probe-helpers.js';

/**
 * Keys belong to users and act with their role. The probe that found this: a leaked key
 * minted a backdoor key and revoked the operator's. A user's key can do neither now.
 */
let s: TestServer;
let userToken: string;
let userKeyToken: string;
let mallory = '';
before(async () => {
  s = await startTestServer();
  mallory = (await s.ok('auth.create_user', { name: 'mallory', role: 'user', password: 'mallory-pass-1' })).id as string;
  userToken = await tokenFor(s, 'mallory', 'mallory-pass-1');
  const made = await s.call('auth.create_credentials', { label: 'mallory laptop' }, { token: userToken });
  const { access_key, secret_key } = made.data.credentials as { access_key: string; secret_key: string };
  userKeyToken = await tokenFor(s, access_key, secret_key);
});
after(async () => s.close());

test('a user\'s key cannot make users, nor keys for others, nor see or revoke other users\' keys', async () => {
  for (const [endpoint, body] of [
    ['auth.create_user', { name: 'backdoor', role: 'admin', password: 'backdoor-pass' }],
    ['auth.edit_user', { user: mallory, role: 'admin' }],
    ['auth.create_credentials', { user: (await s.ok('users.get_current_user')).user.id, label: 'backdoor' }],
    ['auth.get_credentials', { user: (await s.ok('users.get_current_user')).user.id }],
  ] as const) {
    const r = await s.call(endpoint, body, { token: userKeyToken });
    assert.equal(r.status, 403, `${endpoint}: ${String(r.meta.result_msg)}`);
    assert.match(String(r.meta.result_msg), /needs the admin role; mallory is a user/);
  }
  const revoke = await s.call('auth.revoke_credentials', { access_key: TEST_KEY }, { token: userKeyToken });
  assert.equal(revoke.status, 400);
  assert.match(String(revoke.meta.result_msg), /unknown access key/);
  // the operator's key still works, and no backdoor user exists
  assert.equal((await login(s, TEST_KEY, 'test-secret-value')).status, 200);
  const users = (await s.ok('users.get_all')).users as { name: string; role: string }[];
  assert.deepEqual(users.map((u) => `${u.name}:${u.role}`).sort(), ['admin:admin', 'mallory:user']);
});

test('a user lists and revokes only their own keys', async () => {
  const mine = await s.call('auth.get_credentials', {}, { token: userToken });
  assert.deepEqual((mine.data.credentials as { label: string }[]).map((c) => c.label), ['mallory laptop']);
  assert.ok(!(mine.data.credentials as { access_key: string }[]).some((c) => c.access_key === TEST_KEY));
});

test('the experiments a user creates keep their creator', async () => {
  const { id } = (await s.call('tasks.create', { name: 'mallory run', type: 'training' }, { token: userKeyToken })).data as { id: string };
  assert.equal(((await s.ok('tasks.get_by_id', { task: id })).task as { user: string }).user, mallory);
});

test('a role change applies to tokens already handed out; disabling a user stops their keys and sessions', async () => {
  const promoted = await s.call('auth.edit_user', { user: mallory, role: 'admin' });
  assert.equal(promoted.status, 200);
  assert.equal((await s.call('auth.create_user', { name: 'trent', role: 'user', password: 'trent-pass-12' }, { token: userKeyToken })).status, 200);
  await s.ok('auth.edit_user', { user: mallory, role: 'user' });
  assert.equal((await s.call('auth.create_user', { name: 'trent2', password: 'trent-pass-12' }, { token: userKeyToken })).status, 403);

  await s.ok('auth.edit_user', { user: mallory, disabled: true });
  const session = await s.call('projects.get_all', {}, { token: userToken });
  assert.equal(session.status, 401);
  assert.match(String(session.meta.result_msg), /session has ended/);
  const key = await s.call('projects.get_all', {}, { token: userKeyToken });
  assert.equal(key.status, 401);
  assert.match(String(key.meta.result_msg), /mallory is disabled/);
  assert.equal((await login(s, 'mallory', 'mallory-pass-1')).status, 401);
  await s.ok('auth.edit_user', { user: mallory, disabled: false });
  assert.equal((await s.call('projects.get_all', {}, { token: userKeyToken })).status, 200, 'keys come back with the user');
});

test('the last admin cannot be demoted or disabled', async () => {
  const admin = (await s.ok('users.get_current_user')).user.id as string;
  for (const change of [{ role: 'user' }, { disabled: true }]) {
    const r = await s.call('auth.edit_user', { user: admin, ...change });
    assert.equal(r.status, 400);
    assert.match(String(r.meta.result_msg), /last admin/);
  }
});
