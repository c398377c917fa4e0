import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compileGetAll, runQuery, storePages, type Task } from '@cairn/protocol';
import { storeBackends } from '../testing/store-backends.js';
import { metricWindow } from './metric-pages.js';
import { scanCopy } from './sqlite/document-table.js';
import type { Store } from './store.js';

/**
 * Pages answered in SQL (`select`) and scans narrowed in SQL (`find` with conditions)
 * agree with the query language evaluated in memory over every document, on both
 * backends, for the filters and orders the SDK and the experiments table send.
 */
const LIST_FIELDS = ['project', 'status', 'type', 'user', 'parent', 'tags', 'system_tags'];
const STATUSES = ['created', 'queued', 'in_progress', 'completed', 'failed'];
const LRS = ['0.1', '0.01', '0.001', '1e-4', '10'];

/** A deterministic pseudo-random sequence, so that a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function makeTasks(n: number): Task[] {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, (_, i) => {
    const doc: Record<string, unknown> = {
      id: `t${String(i).padStart(4, '0')}${pick(['a', 'b', 'c'])}`,
      name: pick(['9', '10', 'run', 'Run 2']),
      project: pick(['p1', 'p2', 'p3']),
      status: pick(STATUSES),
      type: pick(['training', 'testing']),
      user: pick(['u1', 'u2']),
      tags: r() < 0.3 ? [pick(['best', 'debug'])] : [],
      system_tags: r() < 0.1 ? ['hidden'] : r() < 0.2 ? ['archived'] : [],
      created: new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * 1e9)).toISOString(),
      hyperparams: { Args: { lr: { section: 'Args', name: 'lr', value: pick(LRS) }, 'batch size': { value: pick(['32', '64']) } } },
    };
    if (r() < 0.8) {
      doc.last_metrics = { m1: { v1: { metric: 'loss', variant: 'train', value: Math.round(r() * 1000) / 1000 } } };
      doc.last_iteration = Math.floor(r() * 100);
    }
    if (r() < 0.05) doc.runtime = { gpus: ['0', '1'] };
    if (r() < 0.05) doc.runtime = { gpus: '1' };
    if (r() < 0.05) doc.script = { jobs: 3 };
    return doc as unknown as Task;
  });
}

const PAGE = { page: 0, page_size: 25 };
/** Requests whose whole page a store answers (storePages). */
const PAGED: Record<string, unknown>[] = [
  { ...PAGE },
  { ...PAGE, status: ['completed', 'failed'], order_by: ['-last_metrics.m1.v1.value'] },
  { ...PAGE, status: ['completed'], 'hyperparams.Args.lr.value': '0.01', 'last_metrics.m1.v1.value': [0.2, 0.7], order_by: ['last_metrics.m1.v1.value'] },
  { ...PAGE, 'last_metrics.m1.v1.value': [null, 0.5], order_by: ['-last_metrics.m1.v1.value', '-created'] },
  { ...PAGE, 'last_metrics.m1.v1.value': [0.5, null], order_by: ['last_iteration'] },
  { ...PAGE, 'last_metrics.m1.v1.value': [null, 0.5], order_by: ['last_iteration'] },
  { ...PAGE, order_by: ['last_metrics.m1.v1.value'] },
  { page: 0, page_size: 500, search_hidden: true, order_by: ['-last_iteration', 'created'] },
  { ...PAGE, system_tags: ['-archived'], project: ['p1'], order_by: ['-created'] },
  { ...PAGE, system_tags: ['archived'], order_by: ['-created'] },
  { ...PAGE, tags: ['best', 'debug'], order_by: ['status', '-last_iteration'] },
  { ...PAGE, tags: ['-debug'], search_hidden: true, order_by: ['created'] },
  { ...PAGE, 'hyperparams.Args.batch size.value': ['64'], type: ['testing'], user: ['u2'], order_by: ['-id'] },
  { ...PAGE, 'runtime.gpus': '1', search_hidden: true },
  { ...PAGE, 'script.jobs': '3', search_hidden: true },
  { page: 2, page_size: 10, status: ['completed'], order_by: ['-last_metrics.m1.v1.value'] },
  { page: 40, page_size: 25 },
  // pages that start among the tasks with the metric and end among those without it, and back
  { page: 1, page_size: 300, order_by: ['-last_metrics.m1.v1.value'] },
  { page: 1, page_size: 60, order_by: ['last_metrics.m1.v1.value', '-created'] },
  { page: 5, page_size: 100, order_by: ['-last_metrics.m1.v1.value'] },
  { page: 0, page_size: 100, 'last_metrics.m1.v1.value': [null, 0.5], status: ['completed', 'created', 'failed'], order_by: ['last_metrics.m1.v1.value'] },
];
/** Requests answered from a narrowed scan and filtered or ordered in memory. */
const SCANNED: Record<string, unknown>[] = [
  { ...PAGE, order_by: ['name'] },
  { ...PAGE, name: 'run', status: ['completed'] },
  { ...PAGE, search_text: 'Run', 'hyperparams.Args.lr.value': ['0.1', '10'] },
  { ...PAGE, status: ['__$not', 'completed'], order_by: ['-created'] },
  { ...PAGE, 'last_metrics.m1.v1.value': ['0.2', '0.6'] },
  { status: ['completed', 'queued'], order_by: ['-last_metrics.m1.v1.value'] },
  { ...PAGE, order_by: ['hyperparams.Args.lr.value'] },
];

const tasks = makeTasks(600);
const metrics = (value: unknown) => ({ m1: { v1: { value } } }) as unknown as Task['last_metrics'];
const byId = new Map(tasks.map((t) => [t.id, t]));
const expected = (req: Record<string, unknown>) => runQuery(tasks, compileGetAll(req, LIST_FIELDS)).map((t) => t.id);

for (const backend of storeBackends) {
  describe(`${backend.name}: get_all in SQL`, () => {
    let store: Store;
    before(async () => {
      store = await backend.open();
      for (const t of tasks) await store.tasks.insert(t);
    });
    after(async () => store.close());

    test('pages answered by the store are the pages the query gives over every document', async () => {
      for (const req of PAGED) {
        const q = compileGetAll(req, LIST_FIELDS);
        assert.ok(storePages(q), `the store pages ${JSON.stringify(req)}`);
        const got = await store.tasks.select({ conditions: q.plan.conditions, order: q.plan.order!, offset: q.offset, limit: q.limit });
        assert.deepEqual(got.map((t) => t.id), expected(req), JSON.stringify(req));
      }
      for (const req of PAGED.filter((r) => r.page === 0)) assert.ok(expected(req).length > 0, `${JSON.stringify(req)} matches something`);
      // the last four pages hold tasks without the metric, the first three beside tasks with it
      const lacking = (req: Record<string, unknown>) => expected(req).filter((id) => !byId.get(id)!.last_metrics).length;
      assert.deepEqual(PAGED.slice(-4).map((r) => [expected(r).length, lacking(r)]), [[242, 95], [60, 35], [42, 42], [100, 56]]);
    });

    test('pages sorted by a metric are the same whether the index window holds them or not', async () => {
      const saved = { ...metricWindow };
      try {
        for (const [base, perRow] of [[0, 1], [5, 2], [40, 1], [150, 0]]) {
          Object.assign(metricWindow, { base, perRow });
          for (const req of PAGED.filter((r) => String(r.order_by ?? '').startsWith('last_metrics') || String(r.order_by ?? '').startsWith('-last_metrics'))) {
            const q = compileGetAll(req, LIST_FIELDS);
            const got = await store.tasks.select({ conditions: q.plan.conditions, order: q.plan.order!, offset: q.offset, limit: q.limit });
            assert.deepEqual(got.map((t) => t.id), expected(req), `window ${base} + ${perRow}/row: ${JSON.stringify(req)}`);
          }
        }
      } finally {
        Object.assign(metricWindow, saved);
      }
    });

    test('a page that ends at any distance from the window\'s edge is the page the query gives', async () => {
      const saved = { ...metricWindow };
      const reqs = [
        { page: 0, page_size: 5, status: ['completed'], order_by: ['last_metrics.m1.v1.value'] },
        { page: 1, page_size: 4, status: ['completed', 'failed'], order_by: ['-last_metrics.m1.v1.value'] },
        // more than match: the window must have held every entry to answer it
        { page: 0, page_size: 500, status: ['completed'], order_by: ['last_metrics.m1.v1.value'] },
      ];
      const entries = tasks.filter((t) => t.last_metrics).length;
      const bases = [...Array.from({ length: 80 }, (_, i) => i + 1), ...Array.from({ length: 12 }, (_, i) => entries - 9 + i)];
      try {
        for (const base of bases) {
          Object.assign(metricWindow, { base, perRow: 0 });
          for (const req of reqs) {
            const q = compileGetAll(req, LIST_FIELDS);
            const got = await store.tasks.select({ conditions: q.plan.conditions, order: q.plan.order!, offset: q.offset, limit: q.limit });
            assert.deepEqual(got.map((t) => t.id), expected(req), `window ${base}: ${JSON.stringify(req)}`);
          }
        }
      } finally {
        Object.assign(metricWindow, saved);
      }
    });

    test('tasks tied on the metric at the window\'s edge come in id order', async () => {
      const tied = Array.from({ length: 30 }, (_, i) => ({ ...tasks[i], id: `tie${String(i).padStart(2, '0')}`, system_tags: [], last_metrics: metrics(9999) }) as Task);
      for (const t of tied) await store.tasks.insert(t);
      const saved = { ...metricWindow };
      try {
        Object.assign(metricWindow, { base: 5, perRow: 0 });
        const q = compileGetAll({ page: 0, page_size: 3, order_by: ['-last_metrics.m1.v1.value'] }, LIST_FIELDS);
        const got = await store.tasks.select({ conditions: q.plan.conditions, order: q.plan.order!, offset: q.offset, limit: q.limit });
        assert.deepEqual(got.map((t) => t.id), ['tie00', 'tie01', 'tie02']);
      } finally {
        Object.assign(metricWindow, saved);
        for (const t of tied) await store.tasks.delete(t.id);
      }
    });

    test('a metric sort follows the documents as they change and go', async () => {
      const req = { page: 0, page_size: 3, order_by: ['-last_metrics.m1.v1.value'], search_hidden: true };
      const top = async () => {
        const q = compileGetAll(req, LIST_FIELDS);
        return (await store.tasks.select({ conditions: q.plan.conditions, order: q.plan.order!, offset: q.offset, limit: q.limit })).map((t) => t.id);
      };
      const last = tasks.at(-1)!.id;
      await store.tasks.update(last, (t) => ({ ...t, last_metrics: metrics(5000) }));
      assert.deepEqual((await top()).slice(0, 2), [last, expected(req)[0]]);
      await store.tasks.update(last, (t) => ({ ...t, name: 'renamed' }));
      assert.equal((await top())[0], last, 'an update that leaves the metrics alone keeps them');
      await store.tasks.update(last, (t) => ({ ...t, last_metrics: metrics('not a number') }));
      assert.deepEqual(await top(), expected(req));
      await store.tasks.update(last, (t) => ({ ...t, last_metrics: metrics(6000) }));
      await store.tasks.delete(last);
      assert.deepEqual(await top(), expected(req));
      assert.ok(!expected(req).includes(last));
      await store.tasks.insert(tasks.at(-1)!);
    });

    test('narrowed scans keep every document the query answers', async () => {
      // SQLite: first from its parsed copy of the table, then from SQL as past the copy's limit
      for (const limit of [scanCopy.limit, 10]) {
        const saved = scanCopy.limit;
        scanCopy.limit = limit;
        try {
          for (const req of SCANNED) {
            const q = compileGetAll(req, LIST_FIELDS);
            assert.ok(!storePages(q), `${JSON.stringify(req)} is filtered or ordered in memory`);
            const docs = await store.tasks.find({ ids: q.ids, conditions: q.plan.conditions, projects: ['p1', 'p3'] });
            assert.ok(docs.every((d) => d.project !== 'p2'));
            const inProjects = (ids: string[]) => ids.filter((id) => byId.get(id)!.project !== 'p2');
            assert.deepEqual(runQuery(docs, q).map((t) => t.id), inProjects(expected({ ...req, page: undefined, page_size: undefined })).slice(0, q.limit ?? undefined), JSON.stringify(req));
          }
        } finally {
          scanCopy.limit = saved;
        }
      }
    });
  });
}
