import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rotateSigningKey } from '../auth/signing-key.js';
import { loadConfig } from '../config.js';
import { startServer } from '../app.js';
import { basic, login, startTestServer, TEST_KEY, TEST_SECRET, tokenFor, type TestServer } from './probe-helpers.js';
import { TEST_STORE } from '../testing/test-server.js';

/** Probes of sign-in, tokens and the secrets behind them. */
let s: TestServer;
before(async () => {
  s = await startTestServer(['--failed-login-limit', '5']);
  await s.ok('auth.create_user', { name: 'alice', role: 'user', password: 'alice-password-1' });
  await s.ok('auth.create_user', { name: 'bob', role: 'user', password: 'bob-password-12' });
});
after(async () => s.close());

describe('guessing passwords', () => {
  test('hashing runs off the event loop: a ping sent after 24 guesses is answered before most of them', async () => {
    // limits high enough that every guess is hashed
    const g = await startTestServer(['--failed-login-limit', '1000']);
    try {
      const order: string[] = [];
      const guesses = Array.from({ length: 24 }, (_, i) => login(g, `guess${i}`, 'wrong').then((r) => order.push(`guess ${r.status}`)));
      await new Promise((r) => setTimeout(r, 20));
      const ping = fetch(`${g.api}/debug.ping`).then(() => order.push('ping'));
      await Promise.all([...guesses, ping]);
      assert.ok(order.filter((x) => x === 'guess 401').length === 24, order.join(', '));
      // With scrypt on the event loop every guess queued before the ping would run first.
      assert.ok(order.indexOf('ping') < 12, `ping answered after ${order.indexOf('ping')} of 24 guesses`);
    } finally {
      await g.close();
    }
  });

  test('one address failing with many names is refused too (429), whichever name it tries next', async () => {
    const g = await startTestServer(['--failed-login-limit', '2']);
    try {
      for (let i = 0; i < 4; i++) assert.equal((await login(g, `name${i}`, 'wrong')).status, 401);
      const next = await login(g, TEST_KEY, TEST_SECRET);
      assert.equal(next.status, 429);
      assert.ok(Number(next.headers.get('retry-after')) > 0);
    } finally {
      await g.close();
    }
  });

  test('an unknown name and a wrong password get the same answer', async () => {
    const unknown = await login(s, 'nobody-here', 'whatever-1');
    const wrong = await login(s, 'bob', 'not-bobs-password');
    assert.equal(unknown.status, 401);
    assert.equal(wrong.status, 401);
    const [a, b] = [(await unknown.json()) as { meta: Record<string, unknown> }, (await wrong.json()) as { meta: Record<string, unknown> }];
    assert.equal(a.meta.result_msg, b.meta.result_msg);
    assert.equal(a.meta.result_subcode, b.meta.result_subcode);
  });

  test('after 5 failures an account is refused with 429 and a retry time, even with the right password', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login(s, 'alice', `wrong-${i}-password`)).status, 401);
    const locked = await login(s, 'alice', 'alice-password-1');
    assert.equal(locked.status, 429);
    const retry = Number(locked.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 300, `Retry-After ${retry}`);
    const body = (await locked.json()) as { meta: { result_code: number; result_msg: string } };
    assert.equal(body.meta.result_code, 429);
    assert.match(body.meta.result_msg, /too many failed sign-ins; try again in \d+ s/);
    // other accounts are not held back by alice's
    assert.equal((await login(s, 'bob', 'bob-password-12')).status, 200);
  });
});

describe('tokens', () => {
  test('a token lives at most --token-ttl, whatever expiration_sec asks', async () => {
    const res = await login(s, TEST_KEY, TEST_SECRET, '?expiration_sec=999999999');
    const token = ((await res.json()) as { data: { token: string } }).data.token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
    assert.equal(claims.exp - claims.iat, 30 * 24 * 3600);
  });

  test('sign-out ends the session: its token is refused everywhere', async () => {
    const token = await tokenFor(s, 'bob', 'bob-password-12');
    assert.equal((await s.call('projects.get_all', {}, { token })).status, 200);
    assert.equal((await s.call('auth.logout', {}, { token })).status, 200);
    const after = await s.call('projects.get_all', {}, { token });
    assert.equal(after.status, 401);
    assert.match(String(after.meta.result_msg), /session has ended/);
  });

  test('a password change ends every session of the user and the old password stops working', async () => {
    await s.ok('auth.create_user', { name: 'carol', role: 'user', password: 'carol-old-pass' });
    const first = await tokenFor(s, 'carol', 'carol-old-pass');
    const second = await tokenFor(s, 'carol', 'carol-old-pass');
    const wrongOld = await s.call('auth.change_password', { old_password: 'nope-nope', new_password: 'carol-new-pass' }, { token: first });
    assert.equal(wrongOld.status, 401);
    const short = await s.call('auth.change_password', { old_password: 'carol-old-pass', new_password: 'short' }, { token: first });
    assert.equal(short.status, 400);
    assert.match(String(short.meta.result_msg), /at least 8 characters/);
    assert.equal((await s.call('auth.change_password', { old_password: 'carol-old-pass', new_password: 'carol-new-pass' }, { token: first })).status, 200);
    for (const t of [first, second]) assert.equal((await s.call('projects.get_all', {}, { token: t })).status, 401);
    assert.equal((await login(s, 'carol', 'carol-old-pass')).status, 401);
    assert.equal((await login(s, 'carol', 'carol-new-pass')).status, 200);
  });

  test('rotating the signing key ends every earlier token, on a running server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-rotate-'));
    const server = await startServer(loadConfig(['--host', '127.0.0.1', '--data-dir', dir, '--api-port', '0', '--web-port', '0', '--files-port', '0'], {
      CAIRN_ACCESS_KEY: 'ROTATEKEY', CAIRN_SECRET_KEY: 'rotate-secret',
    }), () => {});
    try {
      const api = server.listening.api;
      const get = (token: string) => fetch(`${api}/projects.get_all`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      const signIn = async () => ((await (await fetch(`${api}/auth.login`, { headers: { authorization: basic('ROTATEKEY', 'rotate-secret') } })).json()) as { data: { token: string } }).data.token;
      const old = await signIn();
      assert.equal((await get(old)).status, 200);
      await rotateSigningKey(server.store);
      // the server notices within seconds; wait past its re-read interval
      await new Promise((r) => setTimeout(r, 5_200));
      assert.equal((await get(old)).status, 401);
      const fresh = await signIn();
      assert.equal((await get(fresh)).status, 200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('secrets at rest', () => {
  test('the data folder is the server user\'s alone: folder 0700, database files 0600', { skip: TEST_STORE === 'postgres' && 'SQLite only: on PostgreSQL the data folder holds no database file' }, () => {
    const dir = s.server.config.dataDir;
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'cairn.sqlite')).mode & 0o777, 0o600);
  });

  test('a revoked CAIRN_ACCESS_KEY stays revoked when the server restarts with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-fixed-key-'));
    const env = { CAIRN_ACCESS_KEY: 'FIXEDKEY123', CAIRN_SECRET_KEY: 'fixed-secret-value' };
    const args = ['--host', '127.0.0.1', '--data-dir', dir, '--api-port', '0', '--web-port', '0', '--files-port', '0'];
    const lines: string[] = [];
    try {
      let server = await startServer(loadConfig(args, env), () => {});
      const token = ((await (await fetch(`${server.listening.api}/auth.login`, { headers: { authorization: basic('FIXEDKEY123', 'fixed-secret-value') } })).json()) as { data: { token: string } }).data.token;
      const revoke = await fetch(`${server.listening.api}/auth.revoke_credentials`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ access_key: 'FIXEDKEY123' }) });
      assert.equal(revoke.status, 200);
      await server.close();
      server = await startServer(loadConfig(args, env), (l) => lines.push(l));
      const again = await fetch(`${server.listening.api}/auth.login`, { headers: { authorization: basic('FIXEDKEY123', 'fixed-secret-value') } });
      await server.close();
      assert.equal(again.status, 401);
      assert.ok(lines.some((l) => /FIXEDKEY123 set by CAIRN_ACCESS_KEY was revoked; it stays revoked/.test(l)), lines.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
