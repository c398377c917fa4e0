import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import type { Store } from '../store.js';
import { MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';

const Q = 'a'.repeat(32);
const R = 'b'.repeat(32);
const T = (n: number) => n.toString(16).padStart(32, '0');
let store: Store;

async function addQueue(id: string): Promise<void> {
  await store.queues.insert({ id, name: id, user: '', company: '', created: '', last_update: '', tags: [], system_tags: [], metadata: {} });
}

const tasks = async (queue: string) => (await store.queueEntries.list(queue)).map((e) => e.task);

beforeEach(async () => {
  store = openSqliteStore(':memory:');
  await addQueue(Q);
  await addQueue(R);
});

test('entries of queue documents from before migration 3 move to the entry table, in order', async () => {
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

test('add refuses duplicates and unknown queues; moves renumber without losing order', async () => {
  for (const n of [1, 2, 3, 4, 5]) assert.equal(await store.queueEntries.add(Q, T(n)), 'added');
  assert.equal(await store.queueEntries.add(Q, T(1)), 'duplicate');
  assert.equal(await store.queueEntries.add(T(99), T(1)), 'no-queue');
  assert.equal(await store.queueEntries.move(Q, T(4), { by: 2 }), 1);
  assert.equal(await store.queueEntries.move(Q, T(1), 'back'), 4);
  assert.equal(await store.queueEntries.move(Q, T(5), 'front'), 0);
  assert.equal(await store.queueEntries.move(Q, T(2), { by: -1 }), 3);
  assert.equal(await store.queueEntries.move(Q, T(9), 'front'), undefined);
  assert.deepEqual(await tasks(Q), [T(5), T(4), T(3), T(2), T(1)]);
  // Appending after reorders still goes to the tail.
  await store.queueEntries.add(Q, T(6));
  assert.deepEqual((await store.queueEntries.list(Q, 2)).map((e) => e.task), [T(5), T(4)]);
  assert.equal((await tasks(Q)).at(-1), T(6));
  assert.equal(await store.queueEntries.count(Q), 6);
});

test('an exclusive add takes the task out of the other queues; clear answers the tasks head first', async () => {
  await store.queueEntries.add(Q, T(1));
  await store.queueEntries.add(R, T(1));
  await store.queueEntries.add(R, T(2));
  assert.equal(await store.queueEntries.add(R, T(1), true), 'duplicate');
  assert.deepEqual(await tasks(Q), []);
  assert.equal(await store.queueEntries.add(Q, T(2), true), 'added');
  assert.deepEqual(await tasks(R), [T(1)]);
  assert.deepEqual(await store.queueEntries.removeEverywhere(T(2)), [Q]);
  await store.queueEntries.add(R, T(2));
  assert.deepEqual(await store.queueEntries.clear(R), [T(1), T(2)]);
  assert.equal(await store.queueEntries.clear(T(99)), undefined);
});

test('every change leaves a metrics sample; pruning keeps the latest one per queue', async () => {
  const before = Date.now();
  await store.queueEntries.add(Q, T(1));
  await store.queueEntries.add(Q, T(2));
  await store.queueEntries.pop(Q);
  await store.queueEntries.pop(Q);
  assert.equal(await store.queueEntries.pop(Q), undefined, 'an empty pop changes nothing');
  const samples = await store.queueEntries.metricSamples([Q], before, Date.now() + 1);
  assert.deepEqual(samples.map((s) => s.length), [1, 2, 1, 0]);
  assert.ok(samples.every((s) => s.avg_wait >= 0 && s.ts >= before));
  await store.queueEntries.pruneMetrics(Date.now() + 1000);
  const kept = await store.queueEntries.metricSamples(null, 0, Date.now() + 2000);
  assert.deepEqual(kept.map((s) => [s.queue, s.length]), [[Q, 0]]);
  assert.notEqual((await store.queues.get(Q))?.last_update, '', 'changes bump the queue last_update');
});

test('waitForAdd wakes on an add to its queue only, and on abort', async () => {
  const waiting = store.queueEntries.waitForAdd(Q, 60_000);
  await store.queueEntries.add(R, T(1));
  await store.queueEntries.add(Q, T(1));
  assert.equal(await waiting, true);
  const abort = new AbortController();
  const aborted = store.queueEntries.waitForAdd(Q, 60_000, abort.signal);
  abort.abort();
  assert.equal(await aborted, false);
  assert.equal(await store.queueEntries.waitForAdd(Q, 1), false);
});
