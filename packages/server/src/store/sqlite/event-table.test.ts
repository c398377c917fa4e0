import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { DocEventRow, EventStore, ScalarSeriesInput } from '../event-store.js';
import { CHUNK_POINTS } from '../scalar-chunks.js';
import { openSqliteStore } from './sqlite-store.js';

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

beforeEach(() => {
  events = openSqliteStore(':memory:').events;
});

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
