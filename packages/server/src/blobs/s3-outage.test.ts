import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startMoto, type Moto } from '../testing/moto.js';
import { startTestServer, testTempDir, type TestServer } from '../testing/test-server.js';

/**
 * S3 going away under a running server (`--files-store` on S3): moto sits behind a TCP
 * relay the test can shut and reopen, so the objects survive the outage as they would
 * on a MinIO that restarts or a network that drops.
 */
class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: number) {}

  async open(): Promise<void> {
    this.server = createServer((inbound) => {
      const outbound = connect(this.target, '127.0.0.1');
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async shut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server = null;
  }
}

async function upload(s: TestServer, path: string, data: string): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append(path, new Blob([data]), path.split('/').pop());
  const res = await fetch(`${s.files}/`, { method: 'POST', body: form, headers: { authorization: `Bearer ${s.token}` } });
  return { status: res.status, body: await res.json() };
}

async function download(s: TestServer, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${s.files}/${path}`, { headers: { authorization: `Bearer ${s.token}` } });
  return { status: res.status, text: await res.text() };
}

describe('the file store on S3 while S3 is away', () => {
  let moto: Moto;
  let relay: Relay;
  let s: TestServer;
  let host: string;
  const logged: string[] = [];
  before(async () => {
    moto = await startMoto();
    relay = new Relay(Number(moto.host.split(':')[1]));
    await relay.open();
    host = `127.0.0.1:${relay.port}`;
    const dir = testTempDir('s3-outage-');
    writeFileSync(join(dir, 's3.conf'), moto.seedConf().replaceAll(moto.host, host));
    s = await startTestServer(['--files-store', `s3://${host}/clearml/outage`, '--storage-credentials', join(dir, 's3.conf')], (l) => logged.push(l));
  });
  after(async () => {
    await s?.close();
    await relay?.shut();
    await moto?.stop();
  });

  test('uploads and reads fail with a message naming the server and bucket, the API keeps answering, and nothing stored is lost', async () => {
    assert.equal((await upload(s, 'proj/t.1/artifacts/before.txt', 'stored before')).status, 200);

    await relay.shut();
    const refused = await upload(s, 'proj/t.1/artifacts/during.txt', 'sent while S3 is away');
    assert.equal(refused.status, 503);
    assert.match(refused.body.error, new RegExp(`cannot reach S3 for bucket clearml on ${host}`));
    const read = await download(s, 'proj/t.1/artifacts/before.txt');
    assert.equal(read.status, 503);
    assert.match(JSON.parse(read.text).error, /bucket clearml on 127\.0\.0\.1:\d+.*ECONNREFUSED/);
    assert.equal((await s.call('debug.ping', {})).status, 200);

    await relay.open();
    assert.deepEqual(await download(s, 'proj/t.1/artifacts/before.txt'), { status: 200, text: 'stored before' });
    assert.equal((await download(s, 'proj/t.1/artifacts/during.txt')).status, 404, 'the refused upload left nothing');
    assert.equal((await upload(s, 'proj/t.1/artifacts/during.txt', 'sent again')).status, 200);
    assert.deepEqual(await download(s, 'proj/t.1/artifacts/during.txt'), { status: 200, text: 'sent again' });
  });
});

describe('server-side credentials that S3 refuses', () => {
  test('the server does not start on S3 it cannot use, and says which server and bucket', async () => {
    const moto = await startMoto();
    try {
      const dir = testTempDir('s3-refused-');
      writeFileSync(join(dir, 'bad.conf'), moto.seedConf({ secret: 'not-the-secret' }));
      await assert.rejects(startTestServer(['--files-store', `s3://${moto.host}/clearml/x`, '--storage-credentials', join(dir, 'bad.conf')]),
        (e: Error) => e.message.includes(`bucket clearml on ${moto.host}`) && /403 Forbidden.*check the key and secret/.test(e.message));
      writeFileSync(join(dir, 'good.conf'), moto.seedConf());
      await assert.rejects(startTestServer(['--files-store', `s3://${moto.host}/no-such-bucket/x`, '--storage-credentials', join(dir, 'good.conf')]),
        (e: Error) => e.message.includes(`bucket no-such-bucket on ${moto.host}`));
    } finally {
      await moto.stop();
    }
  });
});
