import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawRequest, startTestServer, type TestServer } from './probe-helpers.js';

/** The file server and the web port as a browser or a stranger meets them. */
let s: TestServer;
let open: TestServer;
before(async () => {
  s = await startTestServer();
  open = await startTestServer(['--public-files']);
});
after(async () => {
  await s.close();
  await open.close();
});

const multipart = (name: string, data: string) => {
  const b = 'probe-boundary';
  return {
    headers: { 'content-type': `multipart/form-data; boundary=${b}` },
    body: `--${b}\r\nContent-Disposition: form-data; name="${name}"; filename="x"\r\nContent-Type: application/octet-stream\r\n\r\n${data}\r\n--${b}--\r\n`,
  };
};

describe('file server', () => {
  test('a stranger cannot read, plant or delete (401); the SDK\'s token can', async () => {
    const up = multipart('proj/task/artifacts/model.pkl', 'weights');
    assert.equal((await rawRequest(`${s.files}/`, up)).status, 401);
    assert.equal((await rawRequest(`${s.files}/`, { ...up, headers: { ...up.headers, authorization: `Bearer ${s.token}` } })).status, 200);
    assert.equal((await rawRequest(`${s.files}/proj/task/artifacts/model.pkl`, { method: 'GET' })).status, 401);
    // a web page's text/plain POST (no preflight) to /delete_many
    const many = await rawRequest(`${s.files}/delete_many`, { headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body: '{"files": ["proj/task/artifacts/model.pkl"]}' });
    assert.ok(many.status === 401 || many.status === 403);
    const got = await rawRequest(`${s.files}/proj/task/artifacts/model.pkl`, { method: 'GET', headers: { authorization: `Bearer ${s.token}` } });
    assert.equal(got.body, 'weights');
  });

  test('the web UI reads through addresses the API signed for an hour; S3 objects through the file server; others come back unchanged', async () => {
    const url = `${s.files}/proj/task/artifacts/model.pkl`;
    const { urls } = await s.ok('files.sign_urls', { urls: [url, 'https://elsewhere.example/x.png', 's3://bucket/x'] });
    assert.match(urls[0], /\?cairn_exp=\d+&cairn_sig=[\w-]+$/);
    assert.equal(urls[1], 'https://elsewhere.example/x.png');
    const s3 = new URL(urls[2]);
    assert.equal(`${s3.origin}${s3.pathname}`, `${s.files}/.cairn-s3`);
    assert.equal(s3.searchParams.get('url'), 's3://bucket/x');
    // the signature covers that one S3 address: another one is refused
    s3.searchParams.set('url', 's3://bucket/y');
    assert.equal((await rawRequest(s3.toString(), { method: 'GET' })).status, 401);
    const exp = Number(new URL(urls[0]).searchParams.get('cairn_exp'));
    assert.ok(exp > Date.now() / 1000 + 3500 && exp <= Date.now() / 1000 + 3600);
    assert.equal((await rawRequest(urls[0], { method: 'GET' })).body, 'weights');
    assert.equal((await rawRequest(urls[0], { method: 'DELETE' })).status, 401);
    assert.equal((await s.call('files.sign_urls', { urls: Array(2001).fill(url) })).status, 400);
  });

  test('--public-files serves without a token, as ClearML does, but still refuses other sites\' writes', async () => {
    const up = multipart('open/a.txt', 'open');
    assert.equal((await rawRequest(`${open.files}/`, up)).status, 200);
    assert.equal((await rawRequest(`${open.files}/open/a.txt`, { method: 'GET' })).body, 'open');
    const evil = await rawRequest(`${open.files}/delete_many`, { headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body: '{"files": ["open/a.txt"]}' });
    assert.equal(evil.status, 403);
    assert.equal((await rawRequest(`${open.files}/open/a.txt`, { method: 'GET' })).body, 'open');
    const { urls } = await open.ok('files.sign_urls', { urls: [`${open.files}/open/a.txt`] });
    assert.equal(urls[0], `${open.files}/open/a.txt`, 'nothing to sign');
  });
});

describe('web port', () => {
  test('pages carry CSP, nosniff, frame and referrer headers', async () => {
    const page = await fetch(`${s.server.listening.web}/projects`);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'.*frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  });

  test('/config.json does not point a page served under a foreign name at that name', async () => {
    const r = await rawRequest(`${s.server.listening.web}/config.json`, { method: 'GET', headers: { host: 'rebind.attacker.example' } });
    const urls = JSON.parse(r.body) as { apiUrl: string; filesUrl: string };
    assert.doesNotMatch(urls.apiUrl, /attacker/);
    assert.doesNotMatch(urls.filesUrl, /attacker/);
  });
});
