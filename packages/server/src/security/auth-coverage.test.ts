import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './probe-helpers.js';

/** Every endpoint the API registers refuses a call without a token, with a forged one and with a revoked key's. */
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

const OPEN = new Set(['auth.login', 'debug.ping']);

test('only sign-in and the health check are open; the registry says so', () => {
  const open = s.server.endpoints.filter((e) => e.auth === 'none').map((e) => e.name).sort();
  assert.deepEqual(open, [...OPEN].sort());
  assert.ok(s.server.endpoints.length > 100, `${s.server.endpoints.length} endpoints`);
});

test('every other endpoint refuses no token, a forged token and a revoked key\'s token with 401', async () => {
  const { credentials } = await s.ok('auth.create_credentials', { label: 'to revoke' });
  const { access_key: key, secret_key: secret } = credentials as { access_key: string; secret_key: string };
  const login = await fetch(`${s.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` } });
  const revokedToken = ((await login.json()) as { data: { token: string } }).data.token;
  await s.ok('auth.revoke_credentials', { access_key: key });
  const [h, p, sig] = s.token.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), exp: 4_000_000_000 })).toString('base64url')}.${sig}`;
  const failures: string[] = [];
  for (const { name } of s.server.endpoints.filter((e) => e.auth === 'token')) {
    for (const [what, token] of [['none', null], ['forged', forged], ['revoked', revokedToken]] as const) {
      const r = await s.call(name, {}, { token });
      if (r.status !== 401 || r.meta.result_code !== 401) failures.push(`${name} with ${what} token: HTTP ${r.status}`);
    }
  }
  assert.deepEqual(failures, []);
});
