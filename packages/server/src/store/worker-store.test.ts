import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { storeBackends } from '../testing/store-backends.js';
import type { Store } from './store.js';
import { testDatabase } from '../testing/postgres.js';
import { openPgDatabase, type PgDb } from './postgres/database.js';
import { PgWorkers } from './postgres/worker-table.js';
import type { WorkerRecord } from './store.js';

const worker = (id: string, lastSeen: number, timeoutSec = 60): WorkerRecord => ({
  id,
  user: { id: 'u', name: 'user' },
  company: { id: 'c', name: 'company' },
  ip: '10.0.0.1',
  register_time: '2026-01-01T00:00:00.000000+00:00',
  register_timeout: timeoutSec,
  last_activity_time: '2026-01-01T00:00:00.000000+00:00',
  last_seen: lastSeen,
  queues: [],
  tags: [],
  system_tags: [],
  runtime_properties: [],
});

const task = (id: string, status: string, extra: Record<string, string> = {}) =>
  ({ id, name: id, type: 'training', status, last_update: '2026-01-01T00:00:00.000000+00:00', ...extra }) as never;

for (const backend of storeBackends) {
  describe(backend.name, () => {
    let s: Store;

    beforeEach(async () => {
      s = await backend.open();
    });
    afterEach(() => s.close());

    test('workers: upsert creates and changes, update changes only what exists, delete', async () => {
      const created = await s.workers.upsert('w:b', (current) => {
        assert.equal(current, undefined);
        return worker('w:b', 1000);
      });
      assert.deepEqual(await s.workers.get('w:b'), created);
      await s.workers.upsert('w:b', (current) => ({ ...current!, tags: ['again'] }));
      await s.workers.upsert('w_a', () => worker('w_a', 1000));
      assert.deepEqual((await s.workers.update('w:b', (w) => ({ ...w, queues: ['q'] })))?.tags, ['again']);
      assert.equal(await s.workers.update('nobody', (w) => w), undefined);
      assert.equal(await s.workers.get('nobody'), undefined);
      assert.deepEqual((await s.workers.list()).map((w) => [w.id, w.queues]), [['w:b', ['q']], ['w_a', []]], 'by id, bytewise');
      assert.equal(await s.workers.delete('w:b'), true);
      assert.equal(await s.workers.delete('w:b'), false);
      assert.deepEqual((await s.workers.list()).map((w) => w.id), ['w_a']);
    });

    test('workers: removeExpired deletes and answers those silent past their timeout, once', async () => {
      await s.workers.upsert('old', () => worker('old', 1000, 10));
      await s.workers.upsert('fresh', () => worker('fresh', 1000, 100));
      assert.deepEqual(await s.workers.removeExpired(11_000), [], 'expires strictly after the timeout');
      assert.deepEqual((await s.workers.removeExpired(11_001)).map((w) => w.id), ['old']);
      assert.deepEqual(await s.workers.removeExpired(11_001), []);
      // A report moves the expiry along.
      await s.workers.update('fresh', (w) => ({ ...w, last_seen: 200_000 }));
      assert.deepEqual(await s.workers.removeExpired(250_000), []);
      assert.deepEqual((await s.workers.list()).map((w) => w.id), ['fresh']);
    });

    test('workers: inProgressTasks answers the in_progress tasks with what the watchdog needs', async () => {
      await s.tasks.insert(task('t1', 'in_progress', { last_worker: 'w1', last_worker_report: '2026-01-01T00:01:00.000000+00:00', started: '2026-01-01T00:00:30.000000+00:00' }));
      await s.tasks.insert(task('t2', 'in_progress'));
      await s.tasks.insert(task('t3', 'queued', { last_worker: 'w1' }));
      const found = (await s.workers.inProgressTasks()).sort((a, b) => a.id.localeCompare(b.id));
      assert.deepEqual(found, [
        { id: 't1', last_worker: 'w1', last_worker_report: '2026-01-01T00:01:00.000000+00:00', started: '2026-01-01T00:00:30.000000+00:00', last_update: '2026-01-01T00:00:00.000000+00:00' },
        { id: 't2', last_update: '2026-01-01T00:00:00.000000+00:00' },
      ]);
    });

    test('worker stats: buckets per worker and variant, metric keys, activity, prune', async () => {
      await s.workerStats.add({ worker: 'w1', ts: 1000, task: 't1' }, [
        { metric: 'gpu_usage', variant: '0', value: 10 }, { metric: 'gpu_usage', variant: '1', value: 30 }, { metric: 'cpu_usage', variant: 'total', value: 5 },
        { metric: 'cpu_usage', variant: 'total', value: 7 },
      ]);
      await s.workerStats.add({ worker: 'w1', ts: 1500 }, [{ metric: 'gpu_usage', variant: '0', value: 20 }]);
      await s.workerStats.add({ worker: 'w2', ts: 2500 }, [{ metric: 'mem_used', variant: 'total', value: 1 }]);
      await s.workerStats.add({ worker: 'w1', ts: 1000 }, [{ metric: 'gpu_usage', variant: '0', value: 12 }]);

      assert.deepEqual(await s.workerStats.metricKeys(null), ['cpu_usage', 'gpu_usage', 'mem_used']);
      assert.deepEqual(await s.workerStats.metricKeys(['w2']), ['mem_used']);
      assert.deepEqual(await s.workerStats.metricKeys([]), []);
      assert.deepEqual(await s.workerStats.buckets({ metric: 'gpu_usage', workers: null, fromMs: 0, toMs: 3000, intervalMs: 1000 }), [
        { worker: 'w1', variant: '0', bucket: 1, sum: 32, count: 2, min: 12, max: 20 },
        { worker: 'w1', variant: '1', bucket: 1, sum: 30, count: 1, min: 30, max: 30 },
      ], 'a point reported again at the same time replaces the first');
      assert.deepEqual((await s.workerStats.buckets({ metric: 'cpu_usage', workers: ['w1'], fromMs: 0, toMs: 3000, intervalMs: 1000 })).map((b) => b.sum), [7]);
      assert.deepEqual(await s.workerStats.buckets({ metric: 'gpu_usage', workers: ['w2'], fromMs: 0, toMs: 3000, intervalMs: 1000 }), []);
      assert.deepEqual(await s.workerStats.activity(0, 3000, 1000), [{ bucket: 1, total: 1, active: 1 }, { bucket: 2, total: 1, active: 0 }]);

      await s.workerStats.prune(2000);
      assert.deepEqual(await s.workerStats.buckets({ metric: 'gpu_usage', workers: null, fromMs: 0, toMs: 3000, intervalMs: 1000 }), []);
      assert.deepEqual(await s.workerStats.activity(0, 3000, 1000), [{ bucket: 2, total: 1, active: 0 }]);
      assert.equal((await s.workerStats.buckets({ metric: 'mem_used', workers: null, fromMs: 0, toMs: 3000, intervalMs: 1000 })).length, 1);
    });
  });
}

describe('postgres replicas sharing one database', () => {
  let drop: () => Promise<void>;
  let a: PgDb;
  let b: PgDb;

  beforeEach(async () => {
    const database = await testDatabase();
    drop = database.drop;
    a = await openPgDatabase(database.url);
    b = await openPgDatabase(database.url);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await drop();
  });

  test('upserts racing on two replicas, creation included, each see the one before', async () => {
    const [wa, wb] = [new PgWorkers(a), new PgWorkers(b)];
    const n = 30;
    await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? wa : wb).upsert('w', (current) => {
      const w = current ?? worker('w', 0);
      return { ...w, tags: [...w.tags, String(i)] };
    })));
    assert.equal((await wa.get('w'))?.tags.length, n, 'no change was lost');
  });

  test('removeExpired racing on two replicas answers each expired worker once', async () => {
    const [wa, wb] = [new PgWorkers(a), new PgWorkers(b)];
    const ids = Array.from({ length: 50 }, (_, i) => `w${i}`);
    for (const id of ids) await wa.upsert(id, () => worker(id, 0, 1));
    const removed = (await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? wa : wb).removeExpired(10_000)))).flat().map((w) => w.id);
    assert.deepEqual(removed.sort(), [...ids].sort());
  });
});
