import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { testDatabase } from '../testing/postgres.js';
import type { DocEventRow, EventStore, ScalarSeriesInput } from './event-store.js';
import { openPgDatabase } from './postgres/database.js';
import { PgEventStore } from './postgres/event-table.js';
import { CHUNK_POINTS } from './scalar-chunks.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

const T = 'a'.repeat(32);
const U = 'b'.repeat(32);
let events: EventStore;

function series(task: string, metric: string, variant: string, iters: number[], value = (i: number) => i / 2): ScalarSeriesInput {
  return { task, metric, variant, iters, values: iters.map(value), timestamps: iters.map((i) => 1_700_000_000_000 + i) };
}

const span = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const addScalars = (...s: ScalarSeriesInput[]) => events.add({ scalars: s, logs: [], docs: [] });

function doc(type: DocEventRow['type'], iter: number, metric: string, variant: string, extra: Record<string, unknown> = {}): DocEventRow {
  const body = { type, task: T, iter, metric, variant, timestamp: 1000 + iter, ...extra };
  return { task: T, type, metric, variant, iter, key: (extra.key as string) ?? '', timestamp: 1000 + iter, body: JSON.stringify(body) };
}

/** Each backend's test opens a fresh, empty store and closes (PostgreSQL: drops) it afterwards. */
const backends: { name: string; open(): Promise<{ events: EventStore; close(): Promise<void> }> }[] = [
  {
    name: 'sqlite',
    async open() {
      const store = openSqliteStore(':memory:');
      return { events: store.events, close: () => store.close() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const database = await testDatabase();
      const db = await openPgDatabase(database.url);
      return {
        events: new PgEventStore(db),
        close: async () => {
          await db.close();
          await database.drop();
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(backend.name, () => {
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ events, close } = await backend.open());
    });
    afterEach(() => close());

    describe('scalar series', () => {
      test('appends across many chunks and reads every point back in order', async () => {
        const n = CHUNK_POINTS * 3 + 17;
        // Several batches of uneven size, the way an SDK flushes.
        for (let from = 0; from < n; from += 700) {
          const r = await addScalars(series(T, 'loss', 'train', span(from, Math.min(n, from + 700))));
          assert.deepEqual(r.newScalarPoints, [Math.min(n, from + 700) - from]);
        }
        const p = await events.scalarPoints(T, 'loss', 'train');
        assert.equal(p.iters.length, n);
        assert.ok(p.iters.every((v, i) => v === i));
        assert.ok(p.values.every((v, i) => v === i / 2));
        assert.equal(p.timestamps[n - 1], 1_700_000_000_000 + n - 1);
        assert.equal(await events.scalarCount(T), n);
      });

      test('re-reported iterations replace, out-of-order ones interleave', async () => {
        await addScalars(series(T, 'm', 'v', span(0, 3000).map((i) => i * 2)));
        const r = await addScalars(series(T, 'm', 'v', [10, 11, 2500, 5997, 9000], () => -1));
        assert.deepEqual(r.newScalarPoints, [3], '10 and 2500 replaced stored points');
        const p = await events.scalarPoints(T, 'm', 'v');
        assert.equal(p.iters.length, 3003);
        for (let i = 1; i < p.iters.length; i++) assert.ok(p.iters[i] > p.iters[i - 1], 'iterations stay strictly ordered');
        const at = (iter: number) => p.values[Array.from(p.iters).indexOf(iter)];
        assert.equal(at(10), -1);
        assert.equal(at(11), -1);
        assert.equal(at(12), 6);
        assert.equal(at(2500), -1);
        assert.equal(at(9000), -1);
      });

      test('range reads and the count stay exact', async () => {
        await addScalars(series(T, 'm', 'v', span(0, 5000)));
        const p = await events.scalarPoints(T, 'm', 'v', { min: 1000, max: 2999 });
        assert.equal(p.iters.length, 2000);
        assert.equal(p.iters[0], 1000);
        assert.equal(p.iters[1999], 2999);
        assert.equal((await events.scalarPoints(T, 'm', 'nope')).iters.length, 0);
        // A request's bounds may be fractions or lie beyond any iteration.
        const tail = await events.scalarPoints(T, 'm', 'v', { min: 3999.5, max: 1e300 });
        assert.deepEqual([tail.iters.length, tail.iters[0]], [1000, 4000]);
      });

      test('pages walk (metric, variant, iter) both ways without loss or repeats', async () => {
        await addScalars(series(T, 'b', 'x', span(0, 1500)), series(T, 'a', 'y', span(0, 40)), series(T, 'a', 'x', span(5, 10)), series(U, 'a', 'x', [1]));
        for (const descending of [false, true]) {
          const seen: string[] = [];
          let after = null;
          for (;;) {
            const page = await events.scalarPage(T, { after, limit: 333, descending });
            seen.push(...page.map((r) => `${r.metric}/${r.variant}/${r.iter}`));
            if (page.length < 333) break;
            const last = page[page.length - 1];
            after = { metric: last.metric, variant: last.variant, iter: last.iter };
          }
          assert.equal(seen.length, 1545);
          assert.equal(new Set(seen).size, 1545);
          const expected = [...span(5, 10).map((i) => `a/x/${i}`), ...span(0, 40).map((i) => `a/y/${i}`), ...span(0, 1500).map((i) => `b/x/${i}`)];
          assert.deepEqual(seen, descending ? expected.reverse() : expected);
        }
        assert.equal((await events.scalarPage(T, { after: null, limit: 100, descending: false, metric: 'a' })).length, 45);
      });

      test('pages stay exact where re-reports split chunks', async () => {
        await addScalars(series(T, 'm', 'v', span(0, 5000).map((i) => i * 2)));
        // A new iteration inside a full chunk splits it into a full chunk and a one-point one.
        for (const i of [101, 2101, 4101, 6101, 8101]) await addScalars(series(T, 'm', 'v', [i]));
        const all = Array.from((await events.scalarPoints(T, 'm', 'v')).iters);
        assert.equal(all.length, 5005);
        for (const descending of [false, true]) {
          const seen: number[] = [];
          let after = null;
          for (;;) {
            const page = await events.scalarPage(T, { after, limit: 700, descending });
            seen.push(...page.map((r) => r.iter));
            if (page.length < 700) break;
            after = { metric: 'm', variant: 'v', iter: page[page.length - 1].iter };
          }
          assert.deepEqual(seen, descending ? [...all].reverse() : all);
        }
      });

      test('scalars at one iteration (single values) and series listing', async () => {
        await addScalars(series(T, 'Summary', 'acc', [-2147483648], () => 0.9), series(T, 'loss', 'train', span(0, 10)), series(U, 'Summary', 'f1', [-2147483648], () => 0.7));
        const rows = await events.scalarsAtIter([T, U], -2147483648);
        assert.deepEqual(rows.map((r) => [r.task, r.metric, r.variant, r.value]), [[T, 'Summary', 'acc', 0.9], [U, 'Summary', 'f1', 0.7]]);
        assert.deepEqual(await events.series(T), [{ metric: 'Summary', variant: 'acc' }, { metric: 'loss', variant: 'train' }]);
      });
    });

    describe('logs and document events', () => {
      test('logs page by (timestamp, arrival) and read newest first', async () => {
        const logs = span(0, 10).map((i) => ({ task: T, timestamp: 100 + Math.floor(i / 2), iter: i === 3 ? 3 : null, level: 'info', worker: 'w', msg: `line ${i}` }));
        await events.add({ scalars: [], logs, docs: [] });
        const newest = await events.logs(T, { limit: 3, newestFirst: true });
        assert.deepEqual(newest.map((l) => l.msg), ['line 9', 'line 8', 'line 7']);
        const page1 = await events.logPage(T, { after: null, limit: 5, descending: false });
        const last = page1[4];
        const page2 = await events.logPage(T, { after: { timestamp: last.timestamp, seq: last.seq }, limit: 5, descending: false });
        assert.deepEqual([...page1, ...page2].map((l) => l.msg), span(0, 10).map((i) => `line ${i}`));
        assert.equal(page1[3].iter, 3);
        assert.equal(page1[2].iter, null);
        assert.equal(await events.logCount(T), 10);
        assert.equal((await events.logs(T, { limit: 100, fromTimestamp: 1e300, newestFirst: true })).length, 10);
        assert.equal((await events.logs(T, { limit: 100, fromTimestamp: -1e300, newestFirst: false })).length, 10);
      });

      test('plots: re-reports replace, latest iterations per series, pages', async () => {
        await events.add({
          scalars: [], logs: [],
          docs: [doc('plot', 1, 'cm', 'a'), doc('plot', 2, 'cm', 'a'), doc('plot', 3, 'cm', 'a'), doc('plot', 0, 'hist', 'b'), doc('plot', 2, 'cm', 'a', { plot_str: 'again' })],
        });
        assert.equal(await events.docCount(T, 'plot'), 4);
        const latest = await events.latestDocs(T, 'plot', { fromRank: 1, toRank: 1 });
        assert.deepEqual(latest.map((d) => [d.metric, d.iter]), [['cm', 3], ['hist', 0]]);
        const next = await events.latestDocs(T, 'plot', { fromRank: 2, toRank: 2 });
        assert.deepEqual(next.map((d) => [d.metric, d.iter, JSON.parse(d.body).plot_str]), [['cm', 2, 'again']]);
        const filtered = await events.latestDocs(T, 'plot', { fromRank: 1, toRank: 5, metrics: [{ metric: 'hist', variants: [] }] });
        assert.deepEqual(filtered.map((d) => d.metric), ['hist']);
        const page = await events.docPage(T, 'plot', { after: { iter: 1, metric: 'cm', variant: 'a', key: '' }, limit: 10, descending: false });
        assert.deepEqual(page.map((d) => d.iter), [2, 3]);
      });

      test('debug images by iteration in both directions', async () => {
        const docs = span(0, 5).flatMap((i) => [doc('training_debug_image', i, 'img', 'a', { key: `k${i}` }), doc('training_debug_image', i, 'img', 'b', { key: `k${i}` })]);
        await events.add({ scalars: [], logs: [], docs: [...docs, doc('training_debug_image', 9, 'other', 'a')] });
        const newest = await events.docIterations(T, 'training_debug_image', { metric: 'img', variants: ['a'], from: null, newestFirst: true, limit: 2 });
        assert.deepEqual(newest.map((it) => [it.iter, it.events.map((e) => e.variant)]), [[4, ['a']], [3, ['a']]]);
        const older = await events.docIterations(T, 'training_debug_image', { metric: 'img', variants: [], from: 3, newestFirst: true, limit: 10 });
        assert.deepEqual(older.map((it) => [it.iter, it.events.length]), [[2, 2], [1, 2], [0, 2]]);
        const oldest = await events.docIterations(T, 'training_debug_image', { variants: [], from: 3, newestFirst: false, limit: 10 });
        assert.deepEqual(oldest.map((it) => it.iter), [4, 9]);
      });
    });

    test('deleteTask removes every kind of event of that task only and counts them', async () => {
      await addScalars(series(T, 'm', 'v', span(0, 2000)), series(U, 'm', 'v', span(0, 5)));
      await events.add({ scalars: [], logs: [{ task: T, timestamp: 1, iter: null, level: 'info', worker: '', msg: 'x' }], docs: [doc('plot', 1, 'p', 'q')] });
      assert.equal(await events.deleteTask(T), 2002);
      assert.equal(await events.scalarCount(T), 0);
      assert.equal(await events.logCount(T), 0);
      assert.equal(await events.docCount(T, 'plot'), 0);
      assert.equal(await events.scalarCount(U), 5);
      // The series can be written again after deletion.
      await addScalars(series(T, 'm', 'v', [7]));
      assert.deepEqual(Array.from((await events.scalarPoints(T, 'm', 'v')).iters), [7]);
    });

    test('entries of one series in one batch apply in order and count only their own new points', async () => {
      const r = await addScalars(series(T, 'm', 'v', span(0, 10)), series(T, 'm', 'w', [1]), series(T, 'm', 'v', span(5, 15), (i) => -i), series(T, 'm', 'none', []));
      assert.deepEqual(r.newScalarPoints, [10, 1, 5, 0]);
      const p = await events.scalarPoints(T, 'm', 'v');
      assert.deepEqual(Array.from(p.iters), span(0, 15));
      assert.deepEqual(Array.from(p.values), [...span(0, 5).map((i) => i / 2), ...span(5, 15).map((i) => -i)]);
      assert.deepEqual(await events.series(T), [{ metric: 'm', variant: 'v' }, { metric: 'm', variant: 'w' }], 'an empty entry creates no series');
    });

    test('names sort by code point, whatever the locale', async () => {
      const names = ['b', 'B', '_', 'a'];
      await addScalars(...names.map((m) => series(T, m, 'v', [1])));
      await events.add({ scalars: [], logs: [], docs: names.map((m) => doc('plot', 1, m, 'v')) });
      assert.deepEqual((await events.series(T)).map((k) => k.metric), ['B', '_', 'a', 'b']);
      const page = await events.docPage(T, 'plot', { after: null, limit: 10, descending: false });
      assert.deepEqual(page.map((d) => d.metric), ['B', '_', 'a', 'b']);
    });

    test('log text comes back unchanged, NUL included', async () => {
      const msg = 'a\u0000b \u0001c \u00010 \\u0000 end';
      await events.add({ scalars: [], logs: [{ task: T, timestamp: 1, iter: null, level: 'info\u0000', worker: 'w\u0001', msg }], docs: [] });
      const [row] = await events.logs(T, { limit: 1, newestFirst: true });
      assert.deepEqual([row.msg, row.level, row.worker], [msg, 'info\u0000', 'w\u0001']);
    });
  });
}

describe('postgres: servers writing at once', () => {
  test('concurrent batches to one series from two servers keep all their points', async () => {
    const database = await testDatabase();
    const dbs = [await openPgDatabase(database.url), await openPgDatabase(database.url)];
    try {
      const stores = dbs.map((db) => new PgEventStore(db));
      // Each round the two servers write interleaved iterations (even, odd) of one range,
      // so each batch merges into chunks the other is rewriting; the first round also
      // creates the series from both sides.
      const rounds = 30;
      const perBatch = 200;
      let added = 0;
      for (let round = 0; round < rounds; round++) {
        const results = await Promise.all(stores.map((store, w) => store.add({
          scalars: [series(T, 'loss', 'train', span(0, perBatch).map((i) => round * 2 * perBatch + 2 * i + w))], logs: [], docs: [],
        })));
        for (const r of results) added += r.newScalarPoints[0];
      }
      const total = rounds * 2 * perBatch;
      assert.equal(added, total);
      const p = await stores[0].scalarPoints(T, 'loss', 'train');
      assert.equal(p.iters.length, total);
      assert.ok(p.iters.every((v, i) => v === i));
      assert.equal(await stores[1].scalarCount(T), total);
      assert.deepEqual(await stores[1].series(T), [{ metric: 'loss', variant: 'train' }]);
    } finally {
      for (const db of dbs) await db.close();
      await database.drop();
    }
  });
});
