import { SINGLE_VALUE_ITER, type Model, type Project, type Task, type User } from '@cairn/protocol';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabase } from '../../testing/postgres.js';
import type { DocEventType } from '../event-store.js';
import { openPgDatabase } from '../postgres/database.js';
import { openPgStore } from '../postgres/pg-store.js';
import { openSqliteStore } from '../sqlite/sqlite-store.js';
import type { QueueRecord, Store, WorkerRecord } from '../store.js';
import { backupStore } from './backup.js';
import { CopyError } from './copy-error.js';
import { countPg, type TableCount } from './count.js';
import { copySqliteToPg } from './migrate.js';
import { restoreStore } from './restore.js';

const CLI = fileURLToPath(new URL('../../../../cli/dist/main.js', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function freshDatabase(): Promise<string> {
  const database = await testDatabase();
  cleanups.push(() => database.drop());
  return database.url;
}

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-copy-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const storeFile = (dir: string) => join(dir, 'cairn.sqlite');

async function using<T>(open: Store | Promise<Store>, fn: (s: Store) => Promise<T>): Promise<T> {
  const s = await open;
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const TASKS = ['t-zeta', 't-alpha', 't-mid'];
const MODEL = 'm-one';
const SESSIONS = ['s1', 's2'];
const SETTINGS = ['signing_key', 'other'];
const DOC_TYPES: DocEventType[] = ['plot', 'training_debug_image', 'training_stats_vector'];

const user = (id: string, name: string, role: User['role']): User => ({ id, name, company: 'c', role, created: iso(T0) });
const project = (id: string, name: string): Project => ({
  id, name, basename: name, description: 'ünïcode ✓ "quoted"', user: 'u1', company: 'c', created: iso(T0), last_update: iso(T0), tags: [], system_tags: [],
});
const task = (id: string, projectId: string | undefined, status: string): Task => ({
  id, name: `task ${id}`, project: projectId, status, type: 'training', user: 'u1', company: 'c', created: iso(T0), last_update: iso(T0),
  hyperparams: { Args: { lr: { section: 'Args', name: 'lr', value: '0.1', type: 'float' }, big: { section: 'Args', name: 'big', value: String(2 ** 53) } } },
  configuration: { cfg: { name: 'cfg', value: 'a: 1\nb: [2, 3] # ✓ émoji 🚀', type: 'yaml' } },
  execution: { artifacts: [{ key: 'weights', type: 'object', mode: 'output', uri: `file:///data/${id}/w.bin`, hash: null }], parameters: {} },
  runtime: { progress: 0.25, nested: { empty: {}, list: [1, 2.5, -3e-7, null, true, 'x'] } },
  tags: ['b', 'a'], system_tags: [], last_worker: 'w1', started: iso(T0 + 1000),
}) as unknown as Task;
const model = (id: string): Model => ({
  id, name: 'model', project: 'p-b', task: 't-alpha', uri: 'file:///data/m.bin', framework: 'PyTorch', user: 'u1', company: 'c',
  created: iso(T0), last_update: iso(T0), tags: [], system_tags: [], design: { net: 'resnet' }, labels: { cat: 1 }, ready: true,
}) as unknown as Model;
const queue = (id: string, name: string): QueueRecord => ({
  id, name, user: 'u1', company: 'c', created: iso(T0), last_update: iso(T0), tags: [], system_tags: [], metadata: { k: { key: 'k', value: 'v', type: 'str' } },
}) as unknown as QueueRecord;
const worker = (id: string): WorkerRecord => ({
  id, user: { id: 'u1', name: 'admin' }, company: { id: 'c', name: 'c' }, ip: '10.0.0.1', register_time: iso(T0), register_timeout: 600,
  last_activity_time: iso(T0), last_seen: T0, queues: ['q-a'], task: { id: 't-alpha', name: 'task t-alpha' }, tags: [], system_tags: [],
  runtime_properties: [{ key: 'cpu', value: 'x86' }],
});

/** Something in every table, through the Store API as a server would write it. */
async function fill(s: Store): Promise<void> {
  await s.setSetting('signing_key', 'secret-ish');
  await s.setSetting('other', 'value');
  await s.users.insert(user('u1', 'admin', 'admin'));
  await s.users.insert(user('u0', 'bob', 'user'));
  await s.users.setPassword('u1', 'scrypt$hash');
  await s.credentials.insert({ access_key: 'KEY1', secret_hash: 'h1', user: 'u1', label: 'first', created: iso(T0), revoked: false });
  await s.credentials.insert({ access_key: 'KEY0', secret_hash: 'h0', user: 'u0', label: 'second', created: iso(T0 + 1), revoked: false });
  await s.credentials.revoke('KEY0');
  await s.credentials.touch('KEY1', iso(T0 + 5));
  await s.sessions.create({ id: 's1', user: 'u1', created: iso(T0), expires: T0 + 3_600_000, revoked: false });
  await s.sessions.create({ id: 's2', user: 'u0', created: iso(T0), expires: T0 + 3_600_000, revoked: false });
  await s.sessions.revoke('s2');
  // Ids out of alphabetical order: scans must keep creation order.
  await s.projects.insert(project('p-c', 'third'));
  await s.projects.insert(project('p-a', 'first'));
  await s.projects.insert(project('p-b', 'second'));
  await s.tasks.insert(task('t-zeta', 'p-c', 'in_progress'));
  await s.tasks.insert(task('t-alpha', 'p-a', 'queued'));
  await s.tasks.insert(task('t-mid', undefined, 'created'));
  await s.tasks.update('t-zeta', (t) => ({ ...t, comment: 'updated' }));
  await s.models.insert(model(MODEL));
  await s.queues.insert(queue('q-b', 'default'));
  await s.queues.insert(queue('q-a', 'gpu'));
  await s.queueEntries.add('q-b', 't-alpha');
  await s.queueEntries.add('q-b', 't-mid');
  await s.queueEntries.add('q-b', 't-zeta');
  await s.queueEntries.move('q-b', 't-zeta', 'front');
  await s.queueEntries.add('q-a', 't-mid');
  await s.workers.upsert('w1', () => worker('w1'));
  await s.workers.upsert('w0', () => ({ ...worker('w0'), task: undefined }));
  await s.workerStats.add({ worker: 'w1', ts: T0, task: 't-alpha' }, [
    { metric: 'gpu_usage', variant: '0', value: 12.5 }, { metric: 'cpu_usage', variant: 'total', value: 3 },
  ]);
  await s.workerStats.add({ worker: 'w0', ts: T0 + 2000 }, [{ metric: 'cpu_usage', variant: 'total', value: 0.125 }]);
  await s.storageDeletions.add([{ url: 'file:///data/old/a.bin', owner_type: 'task', owner: 't-gone' }, { url: 's3://b/x', owner_type: 'model', owner: 'm-gone' }], T0);
  await s.storageDeletions.record(1, { status: 'failed', error: 'access denied' }, T0 + 10);

  // Three chunks of one series (a chunk holds 1024 points), written over two overlapping batches.
  const loss = (from: number, to: number, scale: number) => {
    const iters = Array.from({ length: to - from }, (_, i) => from + i);
    return { task: 't-alpha', metric: 'loss', variant: 'train', iters, values: iters.map((i) => i * scale + 0.1), timestamps: iters.map((i) => T0 + i) };
  };
  await s.events.add({ scalars: [loss(0, 2000, 0.5)], logs: [], docs: [] });
  await s.events.add({
    scalars: [loss(1500, 3000, 0.25), { task: 't-alpha', metric: 'acc', variant: 'val', iters: [SINGLE_VALUE_ITER, 1, 2], values: [0.9, 0.5, 0.75], timestamps: [T0, T0, T0] },
      { task: MODEL, metric: 'm', variant: 'v', iters: [0], values: [1], timestamps: [T0] }],
    logs: [
      { task: 't-alpha', timestamp: T0, iter: 0, level: 'info', worker: 'w1', msg: 'first' },
      { task: 't-alpha', timestamp: T0, iter: null, level: 'info', worker: 'w1', msg: 'same time, later: NUL here \0 and \u0001 too' },
      { task: 't-alpha', timestamp: T0 - 5, iter: 3, level: 'warn\0', worker: 'w\u00011', msg: 'earlier' },
      { task: 't-zeta', timestamp: T0, iter: null, level: 'error', worker: '', msg: 'x'.repeat(100_000) },
    ],
    docs: [
      { task: 't-alpha', type: 'plot', metric: 'pr', variant: 'curve', iter: 1, key: '', timestamp: T0, body: '{"plot_str":"{\\"data\\":[]}"}' },
      { task: 't-alpha', type: 'training_debug_image', metric: 'img', variant: 'a', iter: 1, key: 'k1', timestamp: T0, body: '{"url":"http://f/1.png"}' },
      { task: 't-alpha', type: 'training_debug_image', metric: 'img', variant: 'a', iter: 2, key: 'k1', timestamp: T0, body: '{"url":"http://f/2.png"}' },
      { task: 't-alpha', type: 'training_stats_vector', metric: 'vec', variant: 'v', iter: 0, key: '', timestamp: T0, body: '{"values":[1,2,3]}' },
    ],
  });
  // A re-report replaces the stored document event.
  await s.events.add({ scalars: [], logs: [], docs: [
    { task: 't-alpha', type: 'training_debug_image', metric: 'img', variant: 'a', iter: 2, key: 'k1', timestamp: T0 + 9, body: '{"url":"http://f/2b.png"}' },
  ] });
}

/** Everything the Store API answers about the filled data, as plain values. */
async function snapshot(s: Store) {
  const users = await s.users.find();
  const queues = await s.queues.find();
  const events = async (t: string) => {
    const series = await s.events.series(t);
    const docs = async (type: DocEventType) => ({
      page: await s.events.docPage(t, type, { after: null, limit: 1000, descending: false }),
      count: await s.events.docCount(t, type),
      latest: await s.events.latestDocs(t, type, { fromRank: 1, toRank: 2 }),
      iterations: await s.events.docIterations(t, type, { variants: [], from: null, newestFirst: true, limit: 10 }),
    });
    return {
      series,
      points: await Promise.all(series.map(async (k) => {
        const p = await s.events.scalarPoints(t, k.metric, k.variant);
        return { iters: [...p.iters], values: [...p.values], timestamps: [...p.timestamps] };
      })),
      page: await s.events.scalarPage(t, { after: null, limit: 10_000, descending: true }),
      scalarCount: await s.events.scalarCount(t),
      single: await s.events.scalarsAtIter([t], SINGLE_VALUE_ITER),
      logs: await s.events.logs(t, { limit: 1000, newestFirst: false }),
      logsNewest: await s.events.logs(t, { limit: 1000, newestFirst: true }),
      logPage: await s.events.logPage(t, { after: null, limit: 1000, descending: true }),
      logCount: await s.events.logCount(t),
      docs: Object.fromEntries(await Promise.all(DOC_TYPES.map(async (type) => [type, await docs(type)]))),
    };
  };
  return {
    settings: await Promise.all(SETTINGS.map((k) => s.getSetting(k))),
    users,
    passwords: await Promise.all(users.map((u) => s.users.getPasswordHash(u.id))),
    byName: await s.users.findByName('bob'),
    credentials: await s.credentials.list(),
    sessions: await Promise.all(SESSIONS.map((id) => s.sessions.get(id))),
    projects: await s.projects.find(),
    tasks: await s.tasks.find(),
    byProject: await s.tasks.find({ projects: ['p-a', 'p-c'] }),
    models: await s.models.find(),
    queues,
    entries: await s.queueEntries.listMany(queues.map((q) => q.id)),
    samples: await s.queueEntries.metricSamples(null, 0, T0 * 2),
    workers: await s.workers.list(),
    inProgress: (await s.workers.inProgressTasks()).sort((a, b) => (a.id < b.id ? -1 : 1)),
    metricKeys: await s.workerStats.metricKeys(null),
    buckets: await s.workerStats.buckets({ metric: 'cpu_usage', workers: null, fromMs: 0, toMs: T0 * 2, intervalMs: 1000 }),
    activity: await s.workerStats.activity(0, T0 * 2, 1000),
    deletions: await s.storageDeletions.list(),
    events: Object.fromEntries(await Promise.all([...TASKS, MODEL].map(async (t) => [t, await events(t)]))),
  };
}

const allCounted = (counts: TableCount[]) => {
  assert.deepEqual(counts.filter((c) => c.source !== c.target), [], 'source and target counts match');
  assert.deepEqual(counts.filter((c) => c.target === 0).map((c) => c.table), [], 'the test data fills every table');
};

describe('migrate, backup and restore', () => {
  let source: string;
  let expected: Awaited<ReturnType<typeof snapshot>>;

  before(async () => {
    source = freshDir();
    expected = await using(openSqliteStore(storeFile(source)), async (s) => {
      await fill(s);
      return snapshot(s);
    });
  });

  test('migrate copies every table: the PostgreSQL store answers as the SQLite one did, and carries on from there', async () => {
    const url = await freshDatabase();
    allCounted(await copySqliteToPg(storeFile(source), url));
    await using(openPgStore(url), async (s) => {
      assert.deepEqual(await snapshot(s), expected);
      assert.match((await s.events.logs('t-alpha', { limit: 10, newestFirst: false }))[2].msg, /NUL here \0 and \u0001 too/);
      // Ids continue past the copied ones.
      const lastSeq = Math.max(...expected.events['t-alpha'].logs.map((l: { seq: number }) => l.seq));
      await s.events.add({
        scalars: [{ task: 't-mid', metric: 'new', variant: 'v', iters: [1], values: [2], timestamps: [T0] }],
        logs: [{ task: 't-alpha', timestamp: T0 + 1, iter: null, level: 'info', worker: 'w', msg: 'after' }], docs: [],
      });
      assert.ok((await s.events.logs('t-alpha', { limit: 10, newestFirst: true }))[0].seq > lastSeq);
      assert.deepEqual(await s.events.series('t-mid'), [{ metric: 'new', variant: 'v' }]);
      await s.storageDeletions.add([{ url: 'file:///new', owner_type: 'task', owner: 't' }], T0);
      assert.deepEqual((await s.storageDeletions.list()).map((d) => d.id), [1, 2, 3]);
      await s.projects.insert(project('p-0', 'newest'));
      assert.deepEqual((await s.projects.find()).map((p) => p.id), ['p-c', 'p-a', 'p-b', 'p-0']);
      assert.equal(await s.queueEntries.add('q-a', 't-alpha'), 'added');
      assert.deepEqual((await s.queueEntries.list('q-a')).map((e) => e.task), ['t-mid', 't-alpha']);
    });
  });

  test('a PostgreSQL backup restores into another PostgreSQL database and into a data folder', async () => {
    const url = await freshDatabase();
    await copySqliteToPg(storeFile(source), url);
    const file = join(freshDir(), 'backup.sqlite');
    allCounted(await backupStore({ dataDir: '/nonexistent', database: url }, file));
    assert.deepEqual(['-wal', '-shm', `.partial-${process.pid}`].filter((s) => existsSync(`${file}${s}`)), [], 'only the backup file is left');

    const other = await freshDatabase();
    allCounted(await restoreStore({ dataDir: '/nonexistent', database: other }, file));
    await using(openPgStore(other), async (s) => assert.deepEqual(await snapshot(s), expected));

    const dir = join(freshDir(), 'data');
    allCounted(await restoreStore({ dataDir: dir, database: null }, file));
    await using(openSqliteStore(storeFile(dir)), async (s) => assert.deepEqual(await snapshot(s), expected));
  });

  test('a SQLite backup restores into a fresh data folder', async () => {
    const file = join(freshDir(), 'backup.sqlite');
    const counts = await backupStore({ dataDir: source, database: null }, file);
    assert.ok(counts.every((c) => c.source === null && c.target > 0));
    const dir = freshDir();
    allCounted(await restoreStore({ dataDir: dir, database: null }, file));
    await using(openSqliteStore(storeFile(dir)), async (s) => assert.deepEqual(await snapshot(s), expected));
  });

  test('migrate refuses a database that holds data and leaves it as it was', async () => {
    const url = await freshDatabase();
    await using(openPgStore(url), (s) => s.setSetting('signing_key', 'theirs'));
    await assert.rejects(copySqliteToPg(storeFile(source), url), (err: Error) => err instanceof CopyError && /not empty: settings \(1 row\)/.test(err.message));
    await using(openPgStore(url), async (s) => {
      assert.equal(await s.getSetting('signing_key'), 'theirs');
      assert.equal(await s.tasks.count(), 0);
    });
    await assert.rejects(restoreStore({ dataDir: '/nonexistent', database: url }, storeFile(source)), /not empty: settings \(1 row\)/);
  });

  test('a copy that fails midway leaves the database empty', async () => {
    const file = join(freshDir(), 'broken.sqlite');
    await backupStore({ dataDir: source, database: null }, file);
    const raw = new Database(file);
    // JSON that SQLite keeps but jsonb refuses, in a table copied after several others
    raw.prepare('INSERT INTO tasks (id, project, doc) VALUES (?, NULL, ?)').run('bad', '{"id":"bad","name":"a\\u0000b"}');
    raw.close();
    const url = await freshDatabase();
    await assert.rejects(copySqliteToPg(file, url), /unsupported Unicode escape sequence/);
    const db = await openPgDatabase(url, 1);
    try {
      assert.deepEqual([...(await countPg(db.pool)).values()].filter((n) => n > 0), []);
    } finally {
      await db.close();
    }
  });

  test('restore refuses a data folder that holds data, backup an existing file', async () => {
    const written = statSync(storeFile(source)).mtimeMs;
    const file = join(freshDir(), 'backup.sqlite');
    await backupStore({ dataDir: source, database: null }, file);
    await assert.rejects(restoreStore({ dataDir: source, database: null }, file), /cairn\.sqlite is not empty: settings \(2 rows\), users \(2 rows\)/);
    assert.equal(statSync(storeFile(source)).mtimeMs, written);
    await assert.rejects(backupStore({ dataDir: source, database: null }, file), /backup\.sqlite already exists/);
    await assert.rejects(copySqliteToPg(join(freshDir(), 'cairn.sqlite'), 'postgres://nobody@127.0.0.1:1/x'), /cairn\.sqlite does not exist/);
  });

  test('cairn migrate (the built CLI) copies, prints the counts of both sides and says files stay', async () => {
    const url = await freshDatabase();
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'migrate', '--from', source, '--to', url]);
    assert.match(stdout, /^table\s+source\s+target$/m);
    assert.match(stdout, /^scalar_chunks\s+(\d+)\s+\1$/m);
    assert.match(stdout, /Files were not copied/);
    await using(openPgStore(url), async (s) => assert.deepEqual(await snapshot(s), expected));
    const again = await promisify(execFile)(process.execPath, [CLI, 'migrate', '--from', source, '--to', url]).catch((err: { code: number; stderr: string }) => err);
    assert.equal((again as { code: number }).code, 1);
    assert.match((again as { stderr: string }).stderr, /^cairn migrate: .* is not empty: settings \(2 rows\)/m);
  });
});
