import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { storeBackends } from '../testing/store-backends.js';
import type { Store } from './store.js';
import { testDatabase } from '../testing/postgres.js';
import { openPgDatabase } from './postgres/database.js';
import { PgStorageDeletions } from './postgres/storage-deletion-table.js';
import type { StorageDeletionStore } from './store.js';

const T1 = '1'.repeat(32);
const M1 = 'a'.repeat(32);
const claimFrom = (q: StorageDeletionStore, nowMs: number, limit = 10, queuedBefore = nowMs) => q.claim({ nowMs, queuedBefore, limit, leaseMs: 1000 });

for (const backend of storeBackends) {
  describe(backend.name, () => {
    let s: Store;
    const q = () => s.storageDeletions;
    const claimAt = (nowMs: number, limit?: number, queuedBefore?: number) => claimFrom(q(), nowMs, limit, queuedBefore);

    beforeEach(async () => {
      s = await backend.open();
    });
    afterEach(() => s.close());

    test('a claimed row is handed to no other caller until its lease runs out', async () => {
      await q().add([{ url: 's3://h:9000/b/x', owner_type: 'task', owner: T1 }], 100);
      const [first] = await claimAt(100);
      assert.deepEqual([first.url, first.next_attempt], ['s3://h:9000/b/x', 100], 'the row as it was before the lease');
      assert.deepEqual(await claimAt(500), [], 'leased to the first caller');
      const again = await claimAt(1100);
      assert.equal(again.length, 1, 'due again once the lease is over (the first caller died)');
      assert.equal(again[0].attempts, 0, 'claiming is not an attempt');
    });

    test('rows queued after `queuedBefore` wait (the grace period), due ones come oldest first and in batches', async () => {
      await q().add([{ url: 'u1', owner_type: 'task', owner: T1 }, { url: 'u2', owner_type: 'task', owner: T1 }], 100);
      await q().add([{ url: 'u3', owner_type: 'model', owner: M1 }], 200);
      assert.deepEqual(await claimAt(300, 10, 50), []);
      assert.deepEqual((await claimAt(300, 2, 150)).map((r) => r.url), ['u1', 'u2']);
      assert.deepEqual((await claimAt(300, 2, 250)).map((r) => [r.url, r.owner_type, r.owner]), [['u3', 'model', M1]]);
    });

    test('outcomes: a retry waits and counts, done and failed end the row, queueing a URL again starts it over', async () => {
      await q().add([{ url: 'u1', owner_type: 'task', owner: T1 }], 100);
      const [row] = await claimAt(100);
      await q().record(row.id, { status: 'pending', error: 'S3 down', retryAt: 5000 }, 150);
      assert.deepEqual(await claimAt(4999), []);
      let [r] = await q().list();
      assert.deepEqual([r.status, r.attempts, r.last_error, r.next_attempt], ['pending', 1, 'S3 down', 5000]);
      await q().record(row.id, { status: 'failed', error: 'still down' }, 6000);
      assert.deepEqual(await claimAt(9000), [], 'a failed row is not tried again');
      [r] = await q().list();
      assert.deepEqual([r.status, r.attempts, r.last_error, r.finished], ['failed', 2, 'still down', 6000]);

      await q().add([{ url: 'u1', owner_type: 'model', owner: M1 }], 7000);
      [r] = await q().list();
      assert.deepEqual([r.status, r.attempts, r.last_error, r.owner, r.created], ['pending', 0, null, M1, 7000]);
      const [again] = await claimAt(7000);
      await q().record(again.id, { status: 'done' }, 7100);
      [r] = await q().list();
      assert.deepEqual([r.status, r.attempts, r.finished], ['done', 1, 7100]);
    });

    test('a URL queued twice in one call is one row, with the last owner', async () => {
      await q().add([{ url: 'u1', owner_type: 'task', owner: T1 }, { url: 'u2', owner_type: 'task', owner: T1 }, { url: 'u1', owner_type: 'model', owner: M1 }], 100);
      assert.deepEqual((await q().list()).map((r) => [r.url, r.owner_type, r.owner]), [['u1', 'model', M1], ['u2', 'task', T1]]);
    });

    test('prune forgets done rows finished before the cut-off and keeps failed ones', async () => {
      await q().add([{ url: 'done-old', owner_type: 'task', owner: T1 }, { url: 'done-new', owner_type: 'task', owner: T1 }, { url: 'failed', owner_type: 'task', owner: T1 }], 0);
      const rows = await claimAt(0);
      await q().record(rows[0].id, { status: 'done' }, 10);
      await q().record(rows[1].id, { status: 'done' }, 30);
      await q().record(rows[2].id, { status: 'failed', error: 'x' }, 10);
      await q().prune(20);
      assert.deepEqual((await q().list()).map((r) => r.url), ['done-new', 'failed']);
    });

    test('holders: the remaining tasks (any artifact, input ones included) and models that name a URL', async () => {
      const base = { name: 't', type: 'training', status: 'created', status_reason: '', status_message: '', comment: '', user: 'u', company: 'c', created: '', last_update: '', last_change: '', tags: [], system_tags: [], script: {}, output: {}, models: { input: [], output: [] }, hyperparams: {}, configuration: {}, runtime: {}, container: {}, last_iteration: 0, last_metrics: {} } as const;
      await s.tasks.insert({ ...base, id: T1, execution: { artifacts: [{ key: 'in', type: 'custom', mode: 'input', uri: 's3://h:1/b/shared' }] } } as never);
      await s.tasks.insert({ ...base, id: '2'.repeat(32), execution: {} } as never);
      await s.models.insert({ id: M1, name: 'm', user: 'u', company: 'c', created: '', last_update: '', comment: '', tags: [], system_tags: [], design: {}, labels: {}, uri: 'http://f:8081/m.pt', ready: false, metadata: {} });
      const found = await q().holders(['s3://h:1/b/shared', 'http://f:8081/m.pt', 'http://f:8081/free.pt']);
      assert.deepEqual(Object.fromEntries(found), {
        's3://h:1/b/shared': { owner_type: 'task', owner: T1 },
        'http://f:8081/m.pt': { owner_type: 'model', owner: M1 },
      });
      assert.equal((await q().holders([])).size, 0);
    });
  });
}

test('postgres: claims racing on two replicas never hand out one row twice', async () => {
  const database = await testDatabase();
  const [a, b] = [await openPgDatabase(database.url), await openPgDatabase(database.url)];
  try {
    const [qa, qb] = [new PgStorageDeletions(a), new PgStorageDeletions(b)];
    const urls = Array.from({ length: 100 }, (_, i) => `u${i}`);
    await qa.add(urls.map((url) => ({ url, owner_type: 'task', owner: T1 })), 0);
    const batches = await Promise.all(Array.from({ length: 20 }, (_, i) => claimFrom(i % 2 === 0 ? qa : qb, 10, 7)));
    const claimed = batches.flat().map((r) => r.url);
    assert.equal(new Set(claimed).size, claimed.length, 'no row went to two callers');
    assert.deepEqual(new Set(claimed), new Set(urls), 'every due row went to some caller');
  } finally {
    await a.close();
    await b.close();
    await database.drop();
  }
});
