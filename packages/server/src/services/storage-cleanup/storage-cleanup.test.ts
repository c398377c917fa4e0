import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CleanupTiming } from './worker.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * The files of deleted tasks and models, as a user checks them: listing the bucket or
 * the file store after the background deletion has run. S3 is moto's server (tests/s3),
 * with credentials enforced; the server reaches it with its own --storage-credentials.
 */

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
interface Moto { endpoint: string; host: string; key: string; secret: string; buckets: string[]; stop(): Promise<void> }
interface MotoLauncher { startMoto(): Promise<Moto>; seedS3Conf(m: Moto): string }
const launcher = (): Promise<MotoLauncher> => import(pathToFileURL(join(REPO_ROOT, 'tests', 's3', 'moto.mjs')).href);

const FAST: Partial<CleanupTiming> = { intervalMs: 50, graceMs: 0, retryDelaysMs: [1000, 300] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: readonly string[]) => [...xs].sort();

/**
 * S3 dates have whole seconds, and the cleanup keeps an object changed less than a
 * second before its deletion was queued (a re-run may have written it again): the
 * objects of a test are made older than that before the delete call.
 */
const letFilesAge = () => sleep(1100);

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`${what}; last seen: ${JSON.stringify(v)}`);
    await sleep(25);
  }
}

/** Waits until no queued deletion is pending. */
const settled = (s: TestServer) => until(() => s.server.store.storageDeletions.list(), (rows) => rows.every((r) => r.status !== 'pending'), 'the deletion queue to settle');

async function newTask(s: TestServer, name: string, fields: Record<string, unknown> = {}): Promise<string> {
  return (await s.ok('tasks.create', { name, type: 'training', ...fields })).id;
}

const artifact = (key: string, uri: string, mode: 'input' | 'output' = 'output') => ({ key, type: 'custom', mode, uri });

async function addEvents(s: TestServer, events: Record<string, unknown>[]): Promise<void> {
  const r = await s.call('events.add_batch', events.map((e) => JSON.stringify(e)).join('\n'), { contentType: 'application/json-lines' });
  assert.equal(r.status, 200, String(r.meta.result_msg));
}

const debugImage = (task: string, url: string, iter = 1) => ({ type: 'training_debug_image', task, metric: 'samples', variant: 'img', iter, url });
const imagePlot = (task: string, url: string) => ({
  type: 'plot', task, metric: 'figures', variant: 'confusion', iter: 1,
  plot_str: JSON.stringify({ data: [], layout: { images: [{ source: url, xref: 'paper', yref: 'paper', sizex: 1, sizey: 1 }] } }),
});

function s3Client(m: Moto): S3Client {
  return new S3Client({
    endpoint: m.endpoint, forcePathStyle: true, region: 'us-east-1',
    credentials: { accessKeyId: m.key, secretAccessKey: m.secret },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function listBucket(client: S3Client, prefix: string): Promise<string[]> {
  const r = await client.send(new ListObjectsV2Command({ Bucket: 'clearml', Prefix: prefix }));
  return sorted((r.Contents ?? []).map((o) => o.Key!.slice(prefix.length)));
}

describe('files the SDK put in S3', () => {
  let moto: Moto;
  let s: TestServer;
  let client: S3Client;
  let confDir: string;
  const log: string[] = [];
  const run = `cleanup-${randomBytes(4).toString('hex')}/`;
  const url = (key: string) => `s3://${moto.host}/clearml/${run}${key}`;
  const put = (key: string) => client.send(new PutObjectCommand({ Bucket: 'clearml', Key: run + key, Body: `contents of ${key}` }));

  before(async () => {
    const m = await launcher();
    moto = await m.startMoto();
    confDir = mkdtempSync(join(tmpdir(), 'cairn-cleanup-conf-'));
    writeFileSync(join(confDir, 'clearml.conf'), m.seedS3Conf(moto));
    s = await startTestServer(['--storage-credentials', join(confDir, 'clearml.conf')], (l) => log.push(l), { storageCleanup: FAST });
    client = s3Client(moto);
  });

  after(async () => {
    await s?.close();
    client?.destroy();
    await moto?.stop();
    rmSync(confDir, { recursive: true, force: true });
  });

  test('deleting a task deletes its artifacts, debug samples, image plots and draft output models, and keeps what is still in use', async () => {
    const keys = ['a/artifact.pkl', 'a/shared.csv', 'a/debug.png', 'a/plot.png', 'a/model.pt', 'a/used-model.pt', 'a/published.pt', 'other/keep.txt'];
    for (const k of keys) await put(k);
    const producer = await newTask(s, 'producer');
    await s.ok('tasks.add_or_update_artifacts', { task: producer, artifacts: [artifact('data', url('a/artifact.pkl')), artifact('table', url('a/shared.csv'))] });
    const clone = await newTask(s, 'clone of producer');
    await s.ok('tasks.add_or_update_artifacts', { task: clone, artifacts: [artifact('table', url('a/shared.csv'), 'input')] });
    await addEvents(s, [debugImage(producer, url('a/debug.png')), imagePlot(producer, url('a/plot.png'))]);
    const draft = (await s.ok('models.create', { name: 'draft', uri: url('a/model.pt'), task: producer })).id;
    const used = (await s.ok('models.create', { name: 'used', uri: url('a/used-model.pt'), task: producer })).id;
    const published = (await s.ok('models.create', { name: 'published', uri: url('a/published.pt'), task: producer, ready: true })).id;
    for (const [name, model] of [['draft', draft], ['used', used], ['published', published]]) {
      await s.ok('tasks.add_or_update_model', { task: producer, name, model, type: 'output' });
    }
    const consumer = await newTask(s, 'consumer');
    await s.ok('tasks.add_or_update_model', { task: consumer, name: 'init', model: used, type: 'input' });
    await letFilesAge();

    // what the SDK's Task.delete() sends, plus the urls it may ask for
    const r = await s.ok('tasks.delete', { task: producer, force: true, move_to_trash: false, delete_external_artifacts: true, return_file_urls: true });
    assert.deepEqual([r.deleted, r.deleted_models], [true, 1]);
    assert.deepEqual(sorted(r.urls.artifact_urls), [url('a/artifact.pkl'), url('a/shared.csv')]);
    assert.deepEqual(r.urls.model_urls, [url('a/model.pt')]);
    assert.deepEqual(sorted(r.urls.event_urls), [url('a/debug.png'), url('a/plot.png')]);

    await settled(s);
    assert.deepEqual(await listBucket(client, run), ['a/published.pt', 'a/shared.csv', 'a/used-model.pt', 'other/keep.txt']);
    assert.ok(log.includes(`storage cleanup: deleted ${url('a/artifact.pkl')} (task ${producer})`), log.join('\n'));
    assert.ok(log.includes(`storage cleanup: deleted ${url('a/debug.png')} (task ${producer})`), log.join('\n'));
    assert.ok(log.includes(`storage cleanup: deleted ${url('a/model.pt')} (model ${draft})`), log.join('\n'));
    assert.ok(log.includes(`storage cleanup: kept ${url('a/shared.csv')} (task ${producer}): still used by task ${clone}`), log.join('\n'));
    assert.equal((await s.call('models.get_by_id', { model: draft })).status, 400, 'the draft output model went with its task');
    await s.ok('models.get_by_id', { model: used });
    await s.ok('models.get_by_id', { model: published });
  });

  test('delete_external_artifacts: false leaves the files; without return_file_urls no urls are answered', async () => {
    await put('b/kept.bin');
    await put('b/gone.bin');
    const keeper = await newTask(s, 'keeper');
    await s.ok('tasks.add_or_update_artifacts', { task: keeper, artifacts: [artifact('k', url('b/kept.bin'))] });
    const other = await newTask(s, 'other');
    await s.ok('tasks.add_or_update_artifacts', { task: other, artifacts: [artifact('g', url('b/gone.bin'))] });
    await letFilesAge();

    const r = await s.ok('tasks.delete', { task: keeper, delete_external_artifacts: false });
    assert.equal('urls' in r, false);
    const many = await s.ok('tasks.delete_many', { ids: [other] });
    assert.deepEqual(many.succeeded.map((x: { id: string }) => x.id), [other]);
    await settled(s);
    // the later deletion is done, so the earlier one would have been too
    assert.deepEqual(await listBucket(client, `${run}b/`), ['kept.bin']);
    assert.equal((await s.server.store.storageDeletions.list()).some((row) => row.url === url('b/kept.bin')), false);
  });

  test('models.delete deletes the model file once no other model names it', async () => {
    await put('m/weights.pt');
    const first = (await s.ok('models.create', { name: 'first', uri: url('m/weights.pt') })).id;
    const imported = (await s.ok('models.create', { name: 'imported copy', uri: url('m/weights.pt') })).id;
    await letFilesAge();

    assert.deepEqual(await s.ok('models.delete', { model: first }), { deleted: true, url: url('m/weights.pt') });
    await settled(s);
    assert.deepEqual(await listBucket(client, `${run}m/`), ['weights.pt']);
    assert.ok(log.includes(`storage cleanup: kept ${url('m/weights.pt')} (model ${first}): still used by model ${imported}`), log.join('\n'));

    const many = await s.ok('models.delete_many', { ids: [imported] });
    assert.deepEqual(many.succeeded, [{ id: imported, deleted: true, url: url('m/weights.pt') }]);
    await settled(s);
    assert.deepEqual(await listBucket(client, `${run}m/`), []);
  });
});

/**
 * A TCP relay to moto that can be taken down and brought back on the same port: S3 as
 * the server sees it when the storage goes away for a while.
 */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(readonly port: number, private readonly target: number) {}

  static async freePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as { port: number };
    await new Promise((r) => probe.close(r));
    return port;
  }

  async up(): Promise<void> {
    this.server = createServer((inbound) => {
      const outbound = connect(this.target, '127.0.0.1');
      for (const sock of [inbound, outbound]) {
        this.sockets.add(sock);
        sock.on('error', () => {});
        sock.on('close', () => {
          this.sockets.delete(sock);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
  }

  async down(): Promise<void> {
    for (const sock of this.sockets) sock.destroy();
    if (this.server) await new Promise((r) => this.server!.close(r));
    this.server = undefined;
  }
}

describe('S3 unreachable when the files are deleted', () => {
  let moto: Moto;
  let relay: Relay;
  let deadHost: string;
  let s: TestServer;
  let client: S3Client;
  let confDir: string;
  const log: string[] = [];
  const run = `outage-${randomBytes(4).toString('hex')}/`;

  before(async () => {
    moto = await (await launcher()).startMoto();
    relay = new Relay(await Relay.freePort(), Number(new URL(moto.endpoint).port));
    deadHost = `127.0.0.1:${await Relay.freePort()}`;
    const entry = (host: string) => `{ host: "${host}", bucket: "clearml", key: "${moto.key}", secret: "${moto.secret}", secure: false }`;
    confDir = mkdtempSync(join(tmpdir(), 'cairn-cleanup-conf-'));
    writeFileSync(join(confDir, 'clearml.conf'), `sdk { aws { s3 { credentials: [\n${[moto.host, `127.0.0.1:${relay.port}`, deadHost].map(entry).join('\n')}\n] } } }\n`);
    s = await startTestServer(['--storage-credentials', join(confDir, 'clearml.conf')], (l) => log.push(l), { storageCleanup: FAST });
    client = s3Client(moto);
  });

  after(async () => {
    await relay?.down();
    await s?.close();
    client?.destroy();
    await moto?.stop();
    rmSync(confDir, { recursive: true, force: true });
  });

  test('deletions are retried while S3 is down, with the host and bucket in the log; once it is back they complete, and past the last attempt they fail', async () => {
    const viaRelay = `s3://127.0.0.1:${relay.port}/clearml/${run}comes-back.bin`;
    const neverBack = `s3://${deadHost}/clearml/${run}never-back.bin`;
    for (const key of ['comes-back.bin', 'untouched.bin']) await client.send(new PutObjectCommand({ Bucket: 'clearml', Key: run + key, Body: key }));
    const a = await newTask(s, 'stored behind the relay');
    await s.ok('tasks.add_or_update_artifacts', { task: a, artifacts: [artifact('x', viaRelay)] });
    const b = await newTask(s, 'stored on a server that is gone');
    await s.ok('tasks.add_or_update_artifacts', { task: b, artifacts: [artifact('y', neverBack)] });
    await letFilesAge();

    await s.ok('tasks.delete_many', { ids: [a, b] });
    const firstFailure = `storage cleanup: cannot delete ${viaRelay} (task ${a}, attempt 1/3, retry in 1 s): cannot reach S3 for bucket clearml on 127.0.0.1:${relay.port}`;
    await until(async () => log.some((l) => l.startsWith(firstFailure)), Boolean, `a log line starting "${firstFailure}"; log:\n${log.join('\n')}`);

    const started = Date.now();
    assert.equal((await s.ok('tasks.get_all', { id: [a, b] })).tasks.length, 0, 'the API answers while S3 is down');
    assert.ok(Date.now() - started < 1000, 'and answers at once');

    await relay.up();
    await settled(s);
    assert.deepEqual(await listBucket(client, run), ['untouched.bin']);
    assert.ok(log.includes(`storage cleanup: deleted ${viaRelay} (task ${a})`), log.join('\n'));

    const rows = new Map((await s.server.store.storageDeletions.list()).map((r) => [r.url, r]));
    assert.deepEqual([rows.get(viaRelay)?.status, rows.get(viaRelay)?.attempts], ['done', 2]);
    const dead = rows.get(neverBack)!;
    assert.deepEqual([dead.status, dead.attempts], ['failed', 3]);
    assert.match(dead.last_error ?? '', new RegExp(`bucket clearml on ${deadHost}`));
    assert.ok(log.some((l) => l.startsWith(`storage cleanup: cannot delete ${neverBack} (task ${b}, attempt 3/3, giving up): cannot reach S3 for bucket clearml on ${deadHost}`)), log.join('\n'));
  });
});

describe("files on the server's file server", () => {
  let s: TestServer;
  const log: string[] = [];

  const upload = async (srv: TestServer, path: string, data = `contents of ${path}`) => {
    const form = new FormData();
    form.append(path, new Blob([data]), 'file');
    const res = await fetch(`${srv.files}/`, { method: 'POST', headers: { authorization: `Bearer ${srv.token}` }, body: form });
    assert.equal(res.status, 200, await res.text());
    return `${srv.server.urls.files}/${path}`;
  };

  /** Every file in the file store, as paths under it. */
  const stored = (srv: TestServer, under: string) => {
    const root = join(srv.server.config.dataDir, 'files', under);
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)))
      .sort();
  };

  before(async () => {
    s = await startTestServer([], (l) => log.push(l), { storageCleanup: FAST });
  });

  after(async () => {
    await s?.close();
  });

  test('projects.delete with delete_contents deletes the files of its tasks and models (sub-projects too); without it they stay', async () => {
    const detached = (await s.ok('projects.create', { name: 'Detached' })).id;
    const doomed = (await s.ok('projects.create', { name: 'Doomed' })).id;
    const sub = (await s.ok('projects.create', { name: 'Doomed/sub' })).id;
    const elsewhere = (await s.ok('projects.create', { name: 'Elsewhere' })).id;

    const keptTask = await newTask(s, 'kept', { project: detached });
    await s.ok('tasks.add_or_update_artifacts', { task: keptTask, artifacts: [artifact('a', await upload(s, 'p/detached/a.txt'))] });
    const subTask = await newTask(s, 'in sub', { project: sub });
    await s.ok('tasks.add_or_update_artifacts', { task: subTask, artifacts: [artifact('a', await upload(s, 'p/doomed/sub/a.txt'))] });
    await addEvents(s, [debugImage(subTask, await upload(s, 'p/doomed/sub/metrics/img.png'))]);
    const model = (await s.ok('models.create', { name: 'm', uri: await upload(s, 'p/doomed/model.bin'), project: doomed })).id;
    const other = await newTask(s, 'elsewhere', { project: elsewhere });
    await s.ok('tasks.add_or_update_artifacts', { task: other, artifacts: [artifact('a', await upload(s, 'p/elsewhere/a.txt'))] });
    await letFilesAge();

    assert.deepEqual(await s.ok('projects.delete', { project: detached, force: true }), { deleted: 1, disassociated_tasks: 1 });
    const r = await s.ok('projects.delete', { project: doomed, force: true, delete_contents: true });
    assert.deepEqual([r.deleted, r.deleted_tasks, r.deleted_models], [2, 1, 1]);
    assert.deepEqual(r.urls, {
      artifact_urls: [`${s.server.urls.files}/p/doomed/sub/a.txt`],
      model_urls: [`${s.server.urls.files}/p/doomed/model.bin`],
      event_urls: [`${s.server.urls.files}/p/doomed/sub/metrics/img.png`],
    });
    await settled(s);
    assert.deepEqual(stored(s, 'p'), ['detached/a.txt', 'elsewhere/a.txt']);
    assert.equal((await s.call('tasks.get_by_id', { task: subTask })).status, 400);
    assert.equal((await s.call('models.get_by_id', { model })).status, 400);
    assert.equal((await s.ok('tasks.get_by_id', { task: keptTask })).task.project, undefined, 'without delete_contents the task is only detached');
  });

  test('tasks.reset deletes the output artifacts and debug samples but not the input artifacts; reset_many answers urls on request', async () => {
    const t = await newTask(s, 'to reset', { system_tags: ['development'] });
    await s.ok('tasks.add_or_update_artifacts', { task: t, artifacts: [artifact('out', await upload(s, 'r/out.txt')), artifact('in', await upload(s, 'r/in.txt'), 'input')] });
    await addEvents(s, [debugImage(t, await upload(s, 'r/img.png'))]);
    const u = await newTask(s, 'reset in a batch');
    await s.ok('tasks.add_or_update_artifacts', { task: u, artifacts: [artifact('out', await upload(s, 'r/batch.txt'))] });
    await letFilesAge();

    const r = await s.ok('tasks.reset', { task: t });
    assert.equal('urls' in r, false);
    const many = await s.ok('tasks.reset_many', { ids: [u], return_file_urls: true });
    assert.deepEqual(many.succeeded[0].urls, { artifact_urls: [`${s.server.urls.files}/r/batch.txt`], model_urls: [], event_urls: [] });
    await settled(s);
    assert.deepEqual(stored(s, 'r'), ['in.txt']);
    assert.equal((await s.ok('tasks.get_by_id', { task: t })).task.status, 'created');
  });

  test('addresses the server cannot delete are logged and marked failed, not retried', async () => {
    const t = await newTask(s, 'elsewhere');
    const foreign = ['file:///tmp/cairn-never/a.bin', 'gs://bucket/a.bin', 'https://example.invalid/a.bin'];
    await s.ok('tasks.add_or_update_artifacts', { task: t, artifacts: foreign.map((uri, i) => artifact(`a${i}`, uri)) });
    await s.ok('tasks.delete', { task: t });
    await settled(s);
    const rows = (await s.server.store.storageDeletions.list()).filter((r) => foreign.includes(r.url));
    assert.deepEqual(rows.map((r) => [r.status, r.attempts]), foreign.map(() => ['failed', 1]));
    for (const uri of foreign) {
      assert.ok(log.some((l) => l.startsWith(`storage cleanup: cannot delete ${uri} (task ${t}): the server deletes only files of its file server`)), log.join('\n'));
    }
  });
});

test('a file written again after its task was reset (the SDK re-runs a reset draft) is kept', async () => {
  const log: string[] = [];
  const s = await startTestServer([], (l) => log.push(l), { storageCleanup: { ...FAST, graceMs: 1500 } });
  try {
    const form = (path: string, data: string) => {
      const f = new FormData();
      f.append(path, new Blob([data]), 'file');
      return fetch(`${s.files}/`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` }, body: f });
    };
    const t = await newTask(s, 'reused draft', { system_tags: ['development'] });
    await form('rerun/metrics/img.png', 'first run');
    await form('rerun/metrics/old.png', 'first run');
    const base = s.server.urls.files;
    await addEvents(s, [debugImage(t, `${base}/rerun/metrics/img.png`), debugImage(t, `${base}/rerun/metrics/old.png`, 2)]);
    await letFilesAge();

    await s.ok('tasks.reset', { task: t, force: true });
    await sleep(100);
    assert.equal((await form('rerun/metrics/img.png', 'second run')).status, 200);
    await until(() => s.server.store.storageDeletions.list(), (rows) => rows.length === 2 && rows.every((r) => r.status === 'done'), 'both deletions to be done');

    const files = join(s.server.config.dataDir, 'files', 'rerun', 'metrics');
    assert.deepEqual(readdirSync(files), ['img.png']);
    assert.equal(readFileSync(join(files, 'img.png'), 'utf8'), 'second run');
    assert.ok(log.includes(`storage cleanup: kept ${base}/rerun/metrics/img.png (task ${t}): written again after its deletion was queued`), log.join('\n'));
  } finally {
    await s.close();
  }
});
