import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { Authenticator } from '../auth/authenticator.js';
import { UrlSigner } from '../auth/url-signer.js';
import { createCredentials, createUser } from '../services/auth/accounts.js';
import { openTestStore } from '../testing/store-backends.js';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { parseHocon } from '@cairn/protocol';
import { Readable } from 'node:stream';
import type { BlobStore } from '../blobs/blob-store.js';
import { DiskBlobStore } from '../blobs/disk-blob-store.js';
import { S3BlobStore } from '../blobs/s3-blob-store.js';
import { S3Clients } from '../blobs/s3-client.js';
import { S3Credentials } from '../blobs/s3-credentials.js';
import { parseS3Url } from '../blobs/s3-location.js';
import { S3Objects } from '../blobs/s3-objects.js';
import { startMoto, type Moto } from '../testing/moto.js';
import { filesPlugin } from './files-plugin.js';
import { TMP_DIR_NAME } from './paths.js';

/**
 * Every storage behaviour runs twice: on the data folder and on S3 (`--files-store`,
 * against moto's S3 server, which enforces credentials but none of MinIO's own rules).
 * Tests of what only a folder has (links, name collisions, the temp-file sweep) run on
 * the folder alone.
 */
type Backend = 'disk' | 's3';
const BACKENDS: Backend[] = ['disk', 's3'];

let moto: Moto | undefined;
const clients = new S3Clients();
after(async () => {
  clients.close();
  await moto?.stop();
});

async function s3Credentials(): Promise<{ moto: Moto; credentials: S3Credentials }> {
  moto ??= await startMoto();
  const conf = parseHocon(moto.seedConf());
  return { moto, credentials: S3Credentials.fromSection((conf.sdk as any).aws.s3, {}) };
}

interface Server {
  backend: Backend;
  port: number;
  /** Folder that holds the root; nothing but `root` may ever appear in it. */
  outer: string;
  /** The disk store's folder (unused on S3). */
  root: string;
  store: BlobStore;
  /** The stored bytes at `path`, read from the store itself (not through HTTP), or null. */
  stored(path: string): Promise<Buffer | null>;
  /** Puts an object in the store directly, as if it had been uploaded earlier. */
  put(path: string, data: Buffer | string): Promise<void>;
  /** Uploads received but not committed: temp files, or unfinished multipart uploads. */
  pending(): Promise<number>;
  auth: Authenticator;
  signer: UrlSigner;
  /** a token of a real user's key */
  token: string;
  close(): Promise<void>;
}

const WEB_ORIGIN = 'http://localhost:8080';

/**
 * A file server on its own Fastify instance. Storage behaviour is tested in public mode
 * (`--public-files`); the tokens, signatures and origins in 'file server access'.
 */
async function startServer(opts: { backend?: Backend; maxUploadBytes?: number; bodyIdleMs?: number; prefix?: string; publicFiles?: boolean } = {}): Promise<Server> {
  const backend = opts.backend ?? 'disk';
  const outer = await mkdtemp(join(tmpdir(), 'cairn-files-test-'));
  const root = join(outer, 'root');
  let blobs: BlobStore;
  let pending: () => Promise<number>;
  if (backend === 's3') {
    const { moto: m, credentials } = await s3Credentials();
    const url = `s3://${m.host}/clearml/files-test-${randomBytes(6).toString('hex')}`;
    blobs = S3BlobStore.fromUrl(url, credentials, clients);
    await blobs.check();
    const loc = parseS3Url(url);
    const client = clients.get(credentials.forLocation(loc));
    pending = async () => (await client.send(new ListMultipartUploadsCommand({ Bucket: loc.bucket, Prefix: `${loc.key}/` }))).Uploads?.length ?? 0;
  } else {
    blobs = await DiskBlobStore.open(root);
    pending = async () => (await readdir(join(root, TMP_DIR_NAME))).length;
  }
  const segments = (path: string) => path.split('/').filter(Boolean);
  const store = await openTestStore();
  const auth = new Authenticator(store, randomBytes(32), 3600);
  const signer = new UrlSigner(() => auth.signingKey);
  const { user } = await createUser(store, 'tester', 'user', 'tester-password');
  const key = await createCredentials(store, user.id, 'files test');
  const token = auth.issue({ user: user.id, user_name: 'tester', company: user.company, company_name: 'Cairn', role: 'user' }, key.access_key);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(filesPlugin, {
    store: blobs,
    s3: new S3Objects(S3Credentials.fromEnv({}), clients),
    maxUploadBytes: opts.maxUploadBytes ?? 1024 * 1024 * 1024,
    ...(opts.bodyIdleMs ? { bodyIdleMs: opts.bodyIdleMs } : {}),
    auth,
    signer,
    publicFiles: opts.publicFiles ?? true,
    trustedOrigins: [WEB_ORIGIN],
    log: () => {},
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
  });
  if (opts.prefix) app.get('/elsewhere', async () => 'not files');
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    backend,
    port: (app.server.address() as AddressInfo).port,
    outer,
    root,
    store: blobs,
    async stored(path) {
      const got = await blobs.read(segments(path));
      if (!got) return null;
      const chunks: Buffer[] = [];
      for await (const c of got.body) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    async put(path, data) {
      await (await blobs.stage(segments(path), Readable.from([Buffer.from(data)]))).commit();
    },
    pending,
    auth,
    signer,
    token,
    async close() {
      await app.close();
      await store.close();
      await rm(outer, { recursive: true, force: true });
    },
  };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(port: number, method: string, path: string, body?: Buffer, headers: http.OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const BOUNDARY = 'cairn-test-boundary-7d1f';
const partHead = (name: string) =>
  Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\n`
    + 'Content-Type: application/octet-stream\r\n\r\n', 'utf8');
const TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
const multipartType = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

/** A multipart body shaped like the SDK's: the object path is the field name, raw UTF-8. */
function multipart(parts: Array<{ name: string; data: Buffer }>): Buffer {
  const pieces: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0) pieces.push(Buffer.from('\r\n'));
    pieces.push(partHead(p.name), p.data);
  });
  pieces.push(TAIL);
  return Buffer.concat(pieces);
}

const upload = (s: Server, parts: Array<{ name: string; data: Buffer }>, path = '/', headers: http.OutgoingHttpHeaders = {}) =>
  send(s.port, 'POST', path, multipart(parts), { ...multipartType, ...headers });

/** The stored path as Python's `quote` writes it into the URL the SDK records. */
const quote = (p: string) => p.split('/').map(encodeURIComponent).join('/');


async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

// From the protocol notes §7.3: pre-quoted project/task part with literal %XX, raw UTF-8 artifact part.
const SDK_NAME = '/Proj %C3%A9%231/na%C3%AFve task.0123abcd/artifacts/dïct/dïct.json';
const SDK_URL = '/Proj%20%25C3%25A9%25231/na%25C3%25AFve%20task.0123abcd/artifacts/d%C3%AFct/d%C3%AFct.json';

for (const backend of BACKENDS) describe(`file server (${backend})`, () => {
  let s: Server;
  before(async () => {
    s = await startServer({ backend });
  });
  after(() => s.close());

  test('GET / answers OK', async () => {
    const res = await send(s.port, 'GET', '/');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'OK');
  });

  test('parts land at their field names, spaces, UTF-8 and literal %XX included', async () => {
    const first = Buffer.from('{"a": 1}');
    const second = randomBytes(3000);
    const secondName = '/Proj Alpha/exp one.46dd/artifacts/my file/some file.bin';
    const res = await upload(s, [{ name: SDK_NAME, data: first }, { name: secondName, data: second }]);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString()), [SDK_NAME, secondName]);

    assert.deepEqual(await s.stored('Proj %C3%A9%231/na%C3%AFve task.0123abcd/artifacts/dïct/dïct.json'), first);
    assert.deepEqual(await s.stored('Proj Alpha/exp one.46dd/artifacts/my file/some file.bin'), second);

    assert.equal(quote(SDK_NAME), SDK_URL);
    const got = await send(s.port, 'GET', SDK_URL);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, first);
    assert.equal(got.headers['content-length'], String(first.length));
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['accept-ranges'], 'bytes');
    const got2 = await send(s.port, 'GET', quote(secondName));
    assert.equal(got2.status, 200);
    assert.deepEqual(got2.body, second);
    assert.equal(got2.headers['content-type'], 'application/octet-stream');

    // Decoding twice would turn %25C3 into é: that file does not exist.
    const twice = await send(s.port, 'GET', quote(decodeURIComponent(SDK_NAME)));
    assert.equal(twice.status, 404);
    assert.equal(JSON.parse(twice.body.toString()).code, 404);
  });

  test('an upload overwrites the existing file', async () => {
    await upload(s, [{ name: '/over/write.txt', data: Buffer.from('old contents') }]);
    const res = await upload(s, [{ name: '/over/write.txt', data: Buffer.from('new') }]);
    assert.equal(res.status, 200);
    assert.equal(String(await s.stored('over/write.txt')), 'new');
  });

  test('a POST to a sub-path stores field names relative to it', async () => {
    const res = await upload(s, [{ name: '/x.txt', data: Buffer.from('based') }], '/base%20dir');
    assert.equal(res.status, 200);
    assert.equal(String(await s.stored('base dir/x.txt')), 'based');
  });

  test('a zero-byte file reads back empty with Content-Length 0', async () => {
    assert.equal((await upload(s, [{ name: '/empty.bin', data: Buffer.alloc(0) }])).status, 200);
    const res = await send(s.port, 'GET', '/empty.bin');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], '0');
    assert.equal(res.body.length, 0);
  });

  describe('ranges', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    before(async () => {
      assert.equal((await upload(s, [{ name: '/ranges/data.bin', data }])).status, 200);
    });

    const cases: Array<[string, number, number]> = [['bytes=10-19', 10, 19], ['bytes=990-', 990, 999], ['bytes=-5', 995, 999], ['bytes=500-99999', 500, 999]];
    for (const [header, start, end] of cases) {
      test(`${header} returns exactly bytes ${start}-${end}`, async () => {
        const res = await send(s.port, 'GET', '/ranges/data.bin', undefined, { range: header });
        assert.equal(res.status, 206);
        assert.equal(res.headers['content-range'], `bytes ${start}-${end}/1000`);
        assert.equal(res.headers['content-length'], String(end - start + 1));
        assert.deepEqual(res.body, data.subarray(start, end + 1));
      });
    }

    test('a range past the end is answered 416', async () => {
      const res = await send(s.port, 'GET', '/ranges/data.bin', undefined, { range: 'bytes=1000-' });
      assert.equal(res.status, 416);
      assert.equal(res.headers['content-range'], 'bytes */1000');
    });

    test('several ranges get the whole file', async () => {
      const res = await send(s.port, 'GET', '/ranges/data.bin', undefined, { range: 'bytes=0-1,5-6' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, data);
    });

    test('HEAD gives the size without a body; a missing file is 404', async () => {
      const res = await send(s.port, 'HEAD', '/ranges/data.bin');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-length'], '1000');
      assert.equal(res.body.length, 0);
      assert.equal((await send(s.port, 'HEAD', '/ranges/missing.bin')).status, 404);
      assert.equal((await send(s.port, 'HEAD', '/ranges')).status, 404, 'a folder is not a file');
      assert.equal((await send(s.port, 'GET', '/ranges')).status, 404, 'nor is a key prefix');
    });

    test('?download asks for an attachment', async () => {
      const res = await send(s.port, 'GET', '/ranges/data.bin?download');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-disposition']), /^attachment; filename="data\.bin"/);
      assert.deepEqual(res.body, data);
    });
  });

  test('DELETE removes the file; a second DELETE is 404', async () => {
    await upload(s, [{ name: '/del/me.txt', data: Buffer.from('bye') }]);
    const res = await send(s.port, 'DELETE', '/del/me.txt');
    assert.equal(res.status, 200);
    assert.equal(await s.stored('del/me.txt'), null);
    assert.equal((await send(s.port, 'GET', '/del/me.txt')).status, 404);
    assert.equal((await send(s.port, 'DELETE', '/del/me.txt')).status, 404);
  });

  test('delete_many reports what it deleted and what failed', async () => {
    await upload(s, [{ name: '/many/a.txt', data: Buffer.from('a') }, { name: '/many/b.txt', data: Buffer.from('b') }]);
    const res = await send(s.port, 'POST', '/delete_many', Buffer.from(JSON.stringify({ files: ['many/a.txt', '/many/b.txt', 'many/none.txt'] })),
      { 'content-type': 'application/json' });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body.toString());
    assert.deepEqual(body.deleted, { 'many/a.txt': true, '/many/b.txt': true });
    assert.deepEqual(Object.keys(body.errors), ['many/none.txt']);
    assert.equal(await s.stored('many/a.txt'), null);
    assert.equal(await s.stored('many/b.txt'), null);
  });

  test('path traversal is refused and nothing is written outside the root', async () => {
    for (const name of ['/../escape.txt', '/a/../../escape.txt', '/.cairn-tmp/x', '/nul\0.txt']) {
      const res = await upload(s, [{ name, data: Buffer.from('evil') }]);
      assert.equal(res.status, 400, name);
      assert.equal(JSON.parse(res.body.toString()).code, 400);
    }
    for (const path of ['/..%2Fescape.txt', '/%2e%2e/%2e%2e/etc/passwd', '/a/%2E%2E/%2E%2E/x', '/a%00b']) {
      assert.equal((await send(s.port, 'GET', path)).status, 400, path);
      assert.equal((await send(s.port, 'DELETE', path)).status, 400, path);
    }
    if (s.backend === 'disk') assert.deepEqual(await readdir(s.outer), ['root']);
    assert.equal(await s.stored('escape.txt'), null);
    assert.equal(await s.pending(), 0);
  });

  test('a malformed multipart body is 400 and leaves nothing', async () => {
    const cut = multipart([{ name: '/cut.txt', data: Buffer.from('never finished') }]).subarray(0, -TAIL.length);
    const res = await send(s.port, 'POST', '/', cut, multipartType);
    assert.equal(res.status, 400);
    assert.equal(await s.stored('cut.txt'), null);
    assert.equal(await s.pending(), 0);
    assert.equal((await send(s.port, 'POST', '/', Buffer.from('{}'), { 'content-type': 'application/json' })).status, 400);
  });

  test('a client that disconnects mid-upload leaves no file behind', { timeout: 30_000 }, async () => {
    const head = partHead('/aborted/model.bin');
    const req = http.request({
      host: '127.0.0.1', port: s.port, method: 'POST', path: '/',
      headers: { ...multipartType, 'content-length': head.length + 32 * 1024 * 1024 + TAIL.length },
    });
    req.on('error', () => {});
    req.write(head);
    // more than one multipart part, so that S3 holds an upload in progress too
    req.write(randomBytes(12 * 1024 * 1024));
    // Wait until the server is visibly writing, then vanish.
    await waitFor(async () => (await s.pending()) > 0);
    req.destroy();
    await waitFor(async () => (await s.pending()) === 0);
    assert.equal(await s.stored('aborted/model.bin'), null);
    assert.equal((await send(s.port, 'GET', '/')).status, 200);
  });

  test('a 50 MB upload streams through intact', { timeout: 120_000 }, async () => {
    const name = '/big/model weights.bin';
    const chunk = randomBytes(1024 * 1024);
    const chunks = 50;
    const sent = createHash('sha256');
    const res = await new Promise<Answer>((resolve, reject) => {
      const head = partHead(name);
      const req = http.request({
        host: '127.0.0.1', port: s.port, method: 'POST', path: '/',
        headers: { ...multipartType, 'content-length': head.length + chunks * chunk.length + TAIL.length },
      }, (r) => {
        const body: Buffer[] = [];
        r.on('data', (c: Buffer) => body.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(body) }));
      });
      req.on('error', reject);
      req.write(head);
      let i = 0;
      const pump = () => {
        while (i < chunks) {
          // Vary every megabyte so that a misplaced or repeated chunk changes the digest.
          const piece = Buffer.from(chunk);
          piece.writeUInt32BE(i++, 0);
          sent.update(piece);
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        req.end(TAIL);
      };
      pump();
    });
    assert.equal(res.status, 200, res.body.toString());
    const expected = sent.digest('hex');
    const kept = createHash('sha256').update((await s.stored('big/model weights.bin'))!).digest('hex');
    assert.equal(kept, expected);

    const served = await new Promise<{ digest: string; length: string | undefined }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: s.port, path: quote(name) }, (r) => {
        const h = createHash('sha256');
        r.on('data', (c: Buffer) => h.update(c));
        r.on('end', () => resolve({ digest: h.digest('hex'), length: r.headers['content-length'] }));
      }).on('error', reject);
    });
    assert.equal(served.length, String(chunks * chunk.length));
    assert.equal(served.digest, expected);
  });
});

for (const backend of BACKENDS) describe(`file server limits (${backend})`, () => {
  let s: Server;
  const limit = 64 * 1024;
  before(async () => {
    s = await startServer({ backend, maxUploadBytes: limit, bodyIdleMs: 1000 });
  });
  after(() => s.close());

  test('an upload that stops arriving is cut off with 408, keeps nothing, and its connection closes', async () => {
    const head = partHead('/stalled/model.bin');
    // What the server sent, once it closed the connection. Nothing else would close it: a
    // request's body has no time limit in Node here, so a close that has not come after 20 s
    // (the cut-off is 1 s) is a connection a client can hold for ever with a few bytes.
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(s.port, '127.0.0.1');
      let got = '';
      const left = setTimeout(() => {
        sock.destroy();
        reject(new Error(`the server left the stalled upload open; it sent: ${got}`));
      }, 20_000);
      sock.on('data', (d) => (got += d.toString()));
      sock.on('close', () => {
        clearTimeout(left);
        resolve(got);
      });
      sock.on('error', reject);
      sock.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: ${multipartType['content-type']}\r\nContent-Length: ${head.length + 4096 + TAIL.length}\r\n\r\n`);
      sock.write(Buffer.concat([head, randomBytes(1024)]));
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /the upload stalled: nothing arrived for 1 s after \d+ bytes; nothing of it was stored/);
    assert.equal(await s.stored('stalled/model.bin'), null);
    await waitFor(async () => (await s.pending()) === 0);
    assert.equal((await upload(s, [{ name: '/after/stall.txt', data: Buffer.from('fine') }])).status, 200);
  });

  test('a declared over-limit upload is 413 and the server keeps serving', async () => {
    const res = await upload(s, [{ name: '/too/big.bin', data: randomBytes(limit + 1) }]);
    assert.equal(res.status, 413);
    assert.deepEqual(JSON.parse(res.body.toString()).code, 413);
    assert.equal(await s.stored('too/big.bin'), null);
  });

  test('a streamed (chunked) over-limit upload keeps none of its parts', async () => {
    const small = Buffer.from('fits easily');
    const body = multipart([{ name: '/first/small.txt', data: small }, { name: '/second/big.bin', data: randomBytes(4 * limit) }]);
    const res = await new Promise<Answer>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/', headers: multipartType }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      for (let off = 0; off < body.length; off += 8192) req.write(body.subarray(off, off + 8192));
      req.end();
    });
    assert.equal(res.status, 413);
    assert.match(JSON.parse(res.body.toString()).error, /exceeds the limit/);
    assert.equal(await s.stored('first/small.txt'), null);
    assert.equal(await s.stored('second/big.bin'), null);
    assert.equal(await s.pending(), 0);

    const next = await upload(s, [{ name: '/after/ok.txt', data: small }]);
    assert.equal(next.status, 200);
    assert.deepEqual(await s.stored('after/ok.txt'), small);
  });
});

for (const backend of BACKENDS) describe(`file server access (${backend})`, () => {
  let s: Server;
  let pub: Server;
  let bearer: http.OutgoingHttpHeaders;
  before(async () => {
    s = await startServer({ backend, publicFiles: false });
    pub = await startServer({ backend, publicFiles: true });
    bearer = { authorization: `Bearer ${s.token}` };
  });
  after(async () => {
    await s.close();
    await pub.close();
  });

  test('without a token nothing is read, written or deleted (401), and nothing changes', async () => {
    await s.put('auth/kept.txt', 'kept');
    assert.equal((await send(s.port, 'GET', '/auth/kept.txt')).status, 401);
    assert.equal((await send(s.port, 'HEAD', '/auth/kept.txt')).status, 401);
    const up = await upload(s, [{ name: '/auth/planted.pkl', data: Buffer.from('pickle') }]);
    assert.equal(up.status, 401);
    assert.match(JSON.parse(up.body.toString()).error, /needs a token/);
    assert.equal((await send(s.port, 'DELETE', '/auth/kept.txt')).status, 401);
    // the probe: a web page's text/plain POST to /delete_many
    const many = await send(s.port, 'POST', '/delete_many', Buffer.from('{"files": ["auth/kept.txt"]}'), { 'content-type': 'text/plain' });
    assert.equal(many.status, 401);
    assert.equal(await s.stored('auth/planted.pkl'), null);
    assert.equal(String(await s.stored('auth/kept.txt')), 'kept');
    assert.equal((await send(s.port, 'GET', '/auth/kept.txt', undefined, { authorization: 'Bearer not.a.token' })).status, 401);
    // the health check stays open
    assert.equal((await send(s.port, 'GET', '/')).status, 200);
  });

  test('with the SDK\'s token everything works', async () => {
    const up = await upload(s, [{ name: '/auth/signed.txt', data: Buffer.from('signed') }], '/', bearer);
    assert.equal(up.status, 200, up.body.toString());
    const got = await send(s.port, 'GET', '/auth/signed.txt', undefined, bearer);
    assert.equal(got.status, 200);
    assert.equal(got.body.toString(), 'signed');
    assert.equal((await send(s.port, 'DELETE', '/auth/signed.txt', undefined, bearer)).status, 200);
    assert.equal(await s.stored('auth/signed.txt'), null);
  });

  test('a signed address reads its one path until it expires, and never writes', async () => {
    await s.put('imgs/a b.png', 'png bytes');
    await s.put('imgs/other.png', 'other');
    const { exp, sig } = s.signer.sign('imgs/a b.png');
    const q = `?cairn_exp=${exp}&cairn_sig=${sig}`;
    const got = await send(s.port, 'GET', `/imgs/a%20b.png${q}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.toString(), 'png bytes');
    assert.equal((await send(s.port, 'GET', `/imgs/other.png${q}`)).status, 401, 'another path');
    assert.equal((await send(s.port, 'GET', `/imgs/a%20b.png?cairn_exp=${exp + 1}&cairn_sig=${sig}`)).status, 401, 'a changed expiry');
    assert.equal((await send(s.port, 'DELETE', `/imgs/a%20b.png${q}`)).status, 401, 'a signature never deletes');
    const old = new UrlSigner(() => s.auth.signingKey, () => Date.now() - 2 * 3600_000).sign('imgs/a b.png');
    const expired = await send(s.port, 'GET', `/imgs/a%20b.png?cairn_exp=${old.exp}&cairn_sig=${old.sig}`);
    assert.equal(expired.status, 401);
    assert.match(JSON.parse(expired.body.toString()).error, /expired/);
  });

  test('writes from a page of another origin are refused, in public mode too; the web UI\'s origin may write', async () => {
    for (const server of [s, pub]) {
      const headers = server === s ? { ...bearer, origin: 'https://evil.example' } : { origin: 'https://evil.example' };
      const res = await upload(server, [{ name: '/x/evil.pkl', data: Buffer.from('x') }], '/', headers);
      assert.equal(res.status, 403);
      assert.equal(await server.stored('x/evil.pkl'), null);
    }
    assert.equal((await upload(pub, [{ name: '/x/ok.txt', data: Buffer.from('ok') }], '/', { origin: WEB_ORIGIN })).status, 200);
    assert.equal((await upload(pub, [{ name: '/x/anon.txt', data: Buffer.from('anon') }])).status, 200, 'public mode takes writes without a token');
  });

  test('the web UI\'s pages may read the answers to their reads, a failure\'s reason included; other pages may not', async () => {
    await s.put('cors/here.txt', 'here');
    const signed = (path: string) => {
      const { exp, sig } = s.signer.sign(path);
      return `/${path}?cairn_exp=${exp}&cairn_sig=${sig}`;
    };
    const ok = await send(s.port, 'GET', signed('cors/here.txt'), undefined, { origin: WEB_ORIGIN });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], WEB_ORIGIN);
    assert.match(String(ok.headers.vary), /origin/i);
    const missing = await send(s.port, 'GET', signed('cors/gone.txt'), undefined, { origin: WEB_ORIGIN });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['access-control-allow-origin'], WEB_ORIGIN);
    assert.match(JSON.parse(missing.body.toString()).error, /no such file/);
    assert.equal((await send(s.port, 'HEAD', signed('cors/here.txt'), undefined, { origin: WEB_ORIGIN })).headers['access-control-allow-origin'], WEB_ORIGIN);
    for (const headers of [{ origin: 'https://evil.example' }, {}]) {
      assert.equal((await send(s.port, 'GET', signed('cors/here.txt'), undefined, headers)).headers['access-control-allow-origin'], undefined);
    }
    const write = await upload(s, [{ name: '/cors/w.txt', data: Buffer.from('w') }], '/', { ...bearer, origin: WEB_ORIGIN });
    assert.equal(write.headers['access-control-allow-origin'], undefined, 'writes are the SDK\'s, not a page\'s');
  });

  test('links inside the storage root are not followed out of it', { skip: backend === 's3' && 'S3 has no links' }, async () => {
    const outside = join(s.outer, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(join(outside, 'secret.txt'), join(s.root, 'link-to-secret.txt'));
    await symlink(outside, join(s.root, 'link-dir'));
    assert.equal((await send(s.port, 'GET', '/link-to-secret.txt', undefined, bearer)).status, 403);
    assert.equal((await send(s.port, 'GET', '/link-dir/secret.txt', undefined, bearer)).status, 403);
    assert.equal((await upload(s, [{ name: '/link-dir/planted.txt', data: Buffer.from('x') }], '/', bearer)).status, 403);
    assert.equal(existsSync(join(outside, 'planted.txt')), false);
    assert.equal((await send(s.port, 'DELETE', '/link-dir/secret.txt', undefined, bearer)).status, 403);
    assert.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'secret');
    // a link that stays inside is fine
    await mkdir(join(s.root, 'real'), { recursive: true });
    await writeFile(join(s.root, 'real', 'f.txt'), 'inside');
    await symlink(join(s.root, 'real'), join(s.root, 'alias'));
    assert.equal((await send(s.port, 'GET', '/alias/f.txt', undefined, bearer)).body.toString(), 'inside');
  });
});

for (const backend of BACKENDS) describe(`file server under a prefix (${backend})`, () => {
  let s: Server;
  before(async () => {
    s = await startServer({ backend, prefix: '/files' });
  });
  after(() => s.close());

  test('uploads to /files and serves /files/<path>', async () => {
    assert.equal((await send(s.port, 'GET', '/files')).body.toString(), 'OK');
    const res = await upload(s, [{ name: SDK_NAME, data: Buffer.from('prefixed') }], '/files');
    assert.equal(res.status, 200);
    assert.equal(String(await s.stored('Proj %C3%A9%231/na%C3%AFve task.0123abcd/artifacts/dïct/dïct.json')), 'prefixed');
    const got = await send(s.port, 'GET', `/files${SDK_URL}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.toString(), 'prefixed');
    assert.equal((await send(s.port, 'DELETE', `/files${SDK_URL}`)).status, 200);
    assert.equal((await send(s.port, 'GET', '/elsewhere')).body.toString(), 'not files');
  });
});

describe('file server on a folder only', () => {
  let s: Server;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  test('a part that collides with an existing file is refused with 409', async () => {
    await upload(s, [{ name: '/clash', data: Buffer.from('a file') }]);
    const res = await upload(s, [{ name: '/clash/inner.txt', data: Buffer.from('x') }]);
    assert.equal(res.status, 409);
    assert.equal(await readFile(join(s.root, 'clash'), 'utf8'), 'a file');
    assert.equal(await s.pending(), 0);
  });
});

describe('file server start-up', () => {
  test('temp files left by a crash are swept, fresh ones are kept', async () => {
    const outer = await mkdtemp(join(tmpdir(), 'cairn-files-sweep-'));
    const tmp = join(outer, 'root', TMP_DIR_NAME);
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, 'stale'), 'old');
    await writeFile(join(tmp, 'fresh'), 'new');
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    await utimes(join(tmp, 'stale'), old, old);
    const app = Fastify({ logger: false });
    const store = await openTestStore();
    const auth = new Authenticator(store, randomBytes(32), 60);
    await app.register(filesPlugin, {
      store: await DiskBlobStore.open(join(outer, 'root')), s3: new S3Objects(S3Credentials.fromEnv({}), new S3Clients()), maxUploadBytes: 1024, auth, signer: new UrlSigner(() => auth.signingKey), publicFiles: false, trustedOrigins: [], log: () => {},
    });
    await app.ready();
    assert.deepEqual(await readdir(tmp), ['fresh']);
    await app.close();
    await store.close();
    await rm(outer, { recursive: true, force: true });
  });
});
