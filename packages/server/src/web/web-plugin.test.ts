import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { browserUrls } from './browser-urls.js';
import { webPlugin } from './web-plugin.js';

const INDEX = '<!doctype html><title>Cairn</title><div id="root"></div>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

let tmp: string;
let root: string;
let app: FastifyInstance;
let missing: FastifyInstance;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cairn-web-'));
  root = join(tmp, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets', 'index-Ab12Cd.js'), SCRIPT);
  writeFileSync(join(root, 'favicon.svg'), '<svg/>');
  writeFileSync(join(tmp, 'secret.txt'), 'outside the bundle');
  app = Fastify();
  await app.register(webPlugin, { root, urls: { apiUrl: 'http://localhost:8008', filesUrl: 'http://localhost:8081' }, allowedHosts: ['gpu-box.lan'] });
  missing = Fastify();
  await missing.register(webPlugin, { root: join(root, 'nothing-here'), urls: 'same-origin' });
});
after(async () => {
  await app.close();
  await missing.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the web plugin', () => {
  test('hashed assets are served with a year-long immutable cache and compressed', async () => {
    const r = await app.inject({ url: '/assets/index-Ab12Cd.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(r.headers['content-type']), /^text\/javascript/);
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(r.rawPayload).toString(), SCRIPT);
    const br = await app.inject({ url: '/assets/index-Ab12Cd.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    const plain = await app.inject({ url: '/assets/index-Ab12Cd.js' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, SCRIPT);
  });

  test('app paths fall back to index.html, which is never cached stale', async () => {
    for (const path of ['/', '/experiments', '/projects/abc?x=1', '/index.html']) {
      const r = await app.inject({ url: path });
      assert.equal(r.statusCode, 200, path);
      assert.equal(r.body, INDEX, path);
      assert.equal(r.headers['cache-control'], 'no-cache', path);
    }
  });

  test('a missing hashed asset is a 404, not the app page', async () => {
    const r = await app.inject({ url: '/assets/index-OLD.js' });
    assert.equal(r.statusCode, 404);
  });

  test('paths that climb out of the bundle get the app page, not the file', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
      const r = await app.inject({ url: path });
      assert.doesNotMatch(r.body, /outside the bundle/, path);
    }
  });

  test('/config.json names the API and file server, by the host the browser used', async () => {
    const local = await app.inject({ url: '/config.json', headers: { host: 'localhost:8080' } });
    assert.deepEqual(local.json(), { apiUrl: 'http://localhost:8008', filesUrl: 'http://localhost:8081' });
    assert.equal(local.headers['cache-control'], 'no-store');
    const remote = await app.inject({ url: '/config.json', headers: { host: 'gpu-box.lan:8080' } });
    assert.deepEqual(remote.json(), { apiUrl: 'http://gpu-box.lan:8008', filesUrl: 'http://gpu-box.lan:8081' });
    const byAddress = await app.inject({ url: '/config.json', headers: { host: '192.168.1.20:8080' } });
    assert.deepEqual(byAddress.json(), { apiUrl: 'http://192.168.1.20:8008', filesUrl: 'http://192.168.1.20:8081' });
  });

  test('/config.json does not echo a host name the server does not know (DNS rebinding)', async () => {
    const evil = await app.inject({ url: '/config.json', headers: { host: 'attacker.example:8080' } });
    assert.deepEqual(evil.json(), { apiUrl: 'http://localhost:8008', filesUrl: 'http://localhost:8081' });
    assert.doesNotMatch(evil.headers['content-security-policy'] as string, /attacker/);
  });

  test('pages carry a content security policy and refuse framing and sniffing', async () => {
    const page = await app.inject({ url: '/projects', headers: { host: 'localhost:8080' } });
    const csp = page.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self' http:\/\/localhost:8008 http:\/\/localhost:8081/);
    assert.match(csp, /img-src 'self' data: blob: http:\/\/localhost:8081/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
  });

  test('without a built bundle the page says how to build it', async () => {
    const r = await missing.inject({ url: '/projects' });
    assert.equal(r.statusCode, 503);
    assert.match(r.body, /npm run build/);
    assert.match(r.body, /\/api/);
    assert.deepEqual((await missing.inject({ url: '/config.json' })).json(), { apiUrl: '/api', filesUrl: '/files' });
  });
});

describe('browser URLs', () => {
  test('configured non-local URLs are kept as they are', () => {
    const urls = { apiUrl: 'https://api.example.com', filesUrl: 'https://files.example.com' };
    assert.deepEqual(browserUrls(urls, 'app.example.com'), urls);
  });
});

describe('the API port accepts calls from the web page', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => s.close());

  test('a preflight is answered and calls carry the allow-origin header', async () => {
    const pre = await fetch(`${s.api}/tasks.get_all_ex`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8080', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const res = await fetch(`${s.api}/debug.ping`, { headers: { origin: 'http://localhost:8080' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  });

  test('OPTIONS without an Origin is still an API call answered with the envelope', async () => {
    const res = await fetch(`${s.api}/debug.ping`, { method: 'OPTIONS' });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { meta: { result_msg: string } }).meta.result_msg, /Invalid endpoint/);
  });
});

describe('single-port mode', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(['--single-port', '0']);
  });
  after(async () => s.close());

  test('the web UI answers / and app paths beside /api, and calls the API on its own origin', async () => {
    const base = s.api.replace(/\/api$/, '');
    assert.deepEqual(await (await fetch(`${base}/config.json`)).json(), { apiUrl: '/api', filesUrl: '/files' });
    const page = await fetch(`${base}/experiments?sort=name`);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<title>Cairn<\/title>/);
    assert.equal((await fetch(`${base}/api/debug.ping`)).status, 200);
  });
});
