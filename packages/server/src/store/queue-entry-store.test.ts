import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { storeBackends } from '../testing/store-backends.js';
import type { QueueRecord, Store } from './store.js';
import { testDatabase } from '../testing/postgres.js';
import { openPgDatabase, type PgDb } from './postgres/database.js';
import { PgQueueEntries } from './postgres/queue-entry-table.js';
import { MIGRATIONS } from './sqlite/migrations.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

const queueDoc = (id: string): QueueRecord => ({ id, name: id, user: '', company: '', created: '', last_update: '', tags: [], system_tags: [], metadata: {} });

const Q = 'a'.repeat(32);
const R = 'b'.repeat(32);
const T = (n: number) => n.toString(16).padStart(32, '0');

for (const backend of storeBackends) {
  describe(backend.name, () => {
    let s: Store;
    const tasks = async (queue: string) => (await s.queueEntries.list(queue)).map((e) => e.task);

    beforeEach(async () => {
      s = await backend.open();
      await s.queues.insert(queueDoc(Q));
      await s.queues.insert(queueDoc(R));
    });
    afterEach(() => s.close());

    test('add refuses duplicates and unknown queues; moves renumber without losing order', async () => {
      for (const n of [1, 2, 3, 4, 5]) assert.equal(await s.queueEntries.add(Q, T(n)), 'added');
      assert.equal(await s.queueEntries.add(Q, T(1)), 'duplicate');
      assert.equal(await s.queueEntries.add(T(99), T(1)), 'no-queue');
      assert.equal(await s.queueEntries.move(Q, T(4), { by: 2 }), 1);
      assert.equal(await s.queueEntries.move(Q, T(1), 'back'), 4);
      assert.equal(await s.queueEntries.move(Q, T(5), 'front'), 0);
      assert.equal(await s.queueEntries.move(Q, T(2), { by: -1 }), 3);
      assert.equal(await s.queueEntries.move(Q, T(9), 'front'), undefined);
      assert.deepEqual(await tasks(Q), [T(5), T(4), T(3), T(2), T(1)]);
      // Appending after reorders still goes to the tail.
      await s.queueEntries.add(Q, T(6));
      assert.deepEqual((await s.queueEntries.list(Q, 2)).map((e) => e.task), [T(5), T(4)]);
      assert.equal((await tasks(Q)).at(-1), T(6));
      assert.equal(await s.queueEntries.count(Q), 6);
      const many = await s.queueEntries.listMany([Q, R, T(99)], 1);
      assert.deepEqual([...many].map(([q, entries]) => [q, entries.map((e) => e.task)]), [[Q, [T(5)]], [R, []], [T(99), []]]);
    });

    test('an exclusive add takes the task out of the other queues; clear answers the tasks head first', async () => {
      await s.queueEntries.add(Q, T(1));
      await s.queueEntries.add(R, T(1));
      await s.queueEntries.add(R, T(2));
      assert.equal(await s.queueEntries.add(R, T(1), true), 'duplicate');
      assert.deepEqual(await tasks(Q), []);
      assert.equal(await s.queueEntries.add(Q, T(2), true), 'added');
      assert.deepEqual(await tasks(R), [T(1)]);
      assert.deepEqual(await s.queueEntries.removeEverywhere(T(2)), [Q]);
      await s.queueEntries.add(R, T(2));
      assert.deepEqual(await s.queueEntries.clear(R), [T(1), T(2)]);
      assert.equal(await s.queueEntries.clear(T(99)), undefined);
    });

    test('pop takes the head, or only the named task when it is the head; remove and drop', async () => {
      for (const n of [1, 2, 3]) await s.queueEntries.add(Q, T(n));
      assert.equal(await s.queueEntries.pop(Q, T(2)), undefined, 'not the head');
      assert.equal((await s.queueEntries.pop(Q, T(1)))?.task, T(1));
      const head = await s.queueEntries.pop(Q);
      assert.equal(head?.task, T(2));
      assert.match(head!.added, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      assert.equal(await s.queueEntries.remove(Q, T(3)), true);
      assert.equal(await s.queueEntries.remove(Q, T(3)), false);
      await s.queueEntries.add(Q, T(4));
      await s.queueEntries.drop(Q);
      assert.equal(await s.queueEntries.count(Q), 0);
      assert.deepEqual(await s.queueEntries.metricSamples([Q], 0, Date.now() + 1), [], 'the samples went with the queue');
    });

    test('every change leaves a metrics sample; pruning keeps the latest one per queue', async () => {
      const before = Date.now();
      await s.queueEntries.add(Q, T(1));
      await s.queueEntries.add(Q, T(2));
      await s.queueEntries.pop(Q);
      await s.queueEntries.pop(Q);
      assert.equal(await s.queueEntries.pop(Q), undefined, 'an empty pop changes nothing');
      const samples = await s.queueEntries.metricSamples([Q], before, Date.now() + 1);
      assert.deepEqual(samples.map((x) => x.length), [1, 2, 1, 0]);
      assert.ok(samples.every((x) => x.avg_wait >= 0 && x.ts >= before));
      await sleep(2);
      await s.queueEntries.add(Q, T(3));
      const after = Date.now() + 1;
      assert.deepEqual((await s.queueEntries.metricSamples([Q], after, after + 1)).map((x) => x.length), [1], 'the latest sample before the range');
      await s.queueEntries.pruneMetrics(Date.now() + 1000);
      const kept = await s.queueEntries.metricSamples(null, 0, Date.now() + 2000);
      assert.deepEqual(kept.map((x) => [x.queue, x.length]), [[Q, 1]]);
      assert.notEqual((await s.queues.get(Q))?.last_update, '', 'changes bump the queue last_update');
    });

    test('waitForAdd wakes on an add to its queue only, and on abort', async () => {
      const waiting = s.queueEntries.waitForAdd(Q, 60_000);
      await s.queueEntries.add(R, T(1));
      await s.queueEntries.add(Q, T(1));
      assert.equal(await waiting, true);
      const abort = new AbortController();
      const aborted = s.queueEntries.waitForAdd(Q, 60_000, abort.signal);
      abort.abort();
      assert.equal(await aborted, false);
      assert.equal(await s.queueEntries.waitForAdd(Q, 1), false);
    });
  });
}

// SQLite only: PostgreSQL databases never had entries inside queue documents.
test('sqlite: entries of queue documents from before migration 3 move to the entry table, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-mig-'));
  try {
    const file = join(dir, 'old.sqlite');
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    old.exec(MIGRATIONS[1]);
    old.pragma('user_version = 2');
    const doc = { id: Q, name: 'old', entries: [{ task: T(2), added: '2025-01-02T03:04:05.678Z' }, { task: T(1), added: '2025-01-02T03:04:06.000Z' }] };
    old.prepare('INSERT INTO queues (id, doc) VALUES (?, ?)').run(Q, JSON.stringify(doc));
    old.close();
    const migrated = openSqliteStore(file);
    assert.deepEqual(await migrated.queueEntries.list(Q), [
      { task: T(2), added: '2025-01-02T03:04:05.678000+00:00' },
      { task: T(1), added: '2025-01-02T03:04:06.000000+00:00' },
    ]);
    assert.equal('entries' in (await migrated.queues.get(Q))!, false);
    assert.equal((await migrated.queueEntries.pop(Q))?.task, T(2));
    await migrated.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('postgres replicas sharing one database', () => {
  let drop: () => Promise<void>;
  let a: PgDb;
  let b: PgDb;

  beforeEach(async () => {
    const database = await testDatabase();
    drop = database.drop;
    a = await openPgDatabase(database.url);
    b = await openPgDatabase(database.url);
    for (const id of [Q, R]) await a.query('INSERT INTO queues (id, doc) VALUES ($1, $2)', [id, JSON.stringify({ id, name: id })]);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await drop();
  });

  test('pops racing on two replicas take every task exactly once and none comes back empty while tasks remain', async () => {
    const n = 40;
    const [qa, qb] = [new PgQueueEntries(a), new PgQueueEntries(b)];
    for (let i = 0; i < n; i++) await qa.add(Q, T(i));
    const popped = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? qa : qb).pop(Q)));
    assert.equal(popped.filter((e) => e === undefined).length, 0);
    assert.deepEqual(new Set(popped.map((e) => e!.task)), new Set(Array.from({ length: n }, (_, i) => T(i))));
    assert.equal(await qa.count(Q), 0);
  });

  test('adds, moves and exclusive adds racing on two replicas keep positions unique and each task in one queue', async () => {
    const [qa, qb] = [new PgQueueEntries(a), new PgQueueEntries(b)];
    const n = 20;
    await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? qa : qb).add(Q, T(i))));
    assert.equal(await qa.count(Q), n);
    await Promise.all([
      ...Array.from({ length: n }, (_, i) => (i % 2 === 0 ? qb : qa).move(Q, T(i), i % 3 === 0 ? 'front' : { by: 2 })),
      ...Array.from({ length: n }, (_, i) => (i % 2 === 0 ? qa : qb).add(i % 2 === 0 ? R : Q, T(100 + (i >> 1)), true)),
    ]);
    const { rows } = await a.query<{ queue: string; n: number; positions: number }>(
      'SELECT queue, count(*) AS n, count(DISTINCT position) AS positions FROM queue_entries GROUP BY queue ORDER BY queue');
    assert.deepEqual(rows.map((r) => [r.n, r.positions]), rows.map((r) => [r.n, r.n]), 'no two entries share a position');
    const twice = await a.query('SELECT task FROM queue_entries WHERE task >= $1 GROUP BY task HAVING count(*) > 1', [T(100)]);
    assert.deepEqual(twice.rows, [], 'an exclusive add leaves the task in one queue');
    assert.equal(rows.reduce((sum, r) => sum + r.n, 0), n + n / 2);
  });

  test('waitForAdd on one replica wakes when another adds to the queue', async () => {
    const [qa, qb] = [new PgQueueEntries(a), new PgQueueEntries(b)];
    // Let replica A's listening connection come up: a notification sent before it listens is lost.
    assert.equal(await qa.waitForAdd(Q, 300), false);
    const waiting = qa.waitForAdd(Q, 10_000);
    const other = qa.waitForAdd(R, 300);
    await qb.add(Q, T(1));
    assert.equal(await waiting, true);
    assert.equal(await other, false, 'an add to another queue wakes nobody waiting on this one');
  });
});
