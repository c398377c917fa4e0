import assert from 'node:assert/strict';
import { createCredentials } from '../auth/accounts.js';
import { serviceDeps } from '../../testing/registry-harness.js';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { newId, type Identity, type Model, type Task } from '@cairn/protocol';
import { Authenticator } from '../../auth/authenticator.js';
import { apiPlugin } from '../../http/api-plugin.js';
import { EndpointRegistry } from '../../http/endpoints.js';
import { openTestStore } from '../../testing/store-backends.js';
import type { Store } from '../../store/store.js';
import { nameKey, type StoredLastMetric } from './last-metrics.js';
import { registerEvents } from './index.js';

/** The events service behind the real router, over real HTTP on a free port. */
const who: Identity = { user: 'u'.repeat(32), user_name: 'tester', company: 'c', company_name: 'Co', role: 'admin' };
const SINGLE = -2147483648;
let app: FastifyInstance;
let store: Store;
let base: string;
let token: string;

interface Envelope {
  meta: { result_code: number; result_subcode: number; result_msg: string };
  data: Record<string, any>;
}

async function send(endpoint: string, body: string, contentType: string): Promise<Envelope> {
  const res = await fetch(`${base}/v2.23/${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'x-clearml-worker': 'box-7' },
    body,
  });
  const env = (await res.json()) as Envelope;
  assert.equal(res.status, env.meta.result_code);
  return env;
}

async function call(endpoint: string, body: Record<string, unknown>): Promise<Record<string, any>> {
  const env = await send(endpoint, JSON.stringify(body), 'application/json');
  assert.equal(env.meta.result_code, 200, `${endpoint}: ${env.meta.result_msg}`);
  return env.data;
}

const batch = (events: readonly Record<string, unknown>[]) => send('events.add_batch', events.map((e) => JSON.stringify(e)).join('\n'), 'application/json-lines');

async function addBatch(events: readonly Record<string, unknown>[]): Promise<Record<string, any>> {
  const env = await batch(events);
  assert.equal(env.meta.result_code, 200, env.meta.result_msg);
  return env.data;
}

async function newTask(fields: Partial<Task> = {}): Promise<string> {
  const id = newId();
  const t = {
    id, name: `task ${id.slice(0, 6)}`, type: 'training', status: 'in_progress', status_reason: '', status_message: '', comment: '', user: who.user,
    company: who.company, created: '2025-01-01T00:00:00.000Z', last_update: '2025-01-01T00:00:00.000Z', last_change: '2025-01-01T00:00:00.000Z',
    tags: [], system_tags: [], script: {}, execution: {}, output: {}, models: { input: [], output: [] }, hyperparams: {}, configuration: {},
    runtime: {}, container: {}, last_iteration: 0, last_metrics: {}, ...fields,
  } as Task;
  await store.tasks.insert(t);
  return id;
}

const scalar = (task: string, metric: string, variant: string, iter: number, value: unknown, extra: Record<string, unknown> = {}) => ({
  timestamp: 1_790_000_000_000 + iter, type: 'training_stats_scalar', task, iter, metric, variant, value, allow_locked: false, model_event: false, method: 'get', ...extra,
});
const log = (task: string, i: number, extra: Record<string, unknown> = {}) => ({ type: 'log', task, timestamp: 1_790_000_000_000 + i, level: 'info', msg: `line ${i}`, ...extra });
const image = (task: string, iter: number, variant: string) => ({
  type: 'training_debug_image', task, iter, metric: 'samples', variant, key: `p/t/${variant}_${iter}.png`, url: `http://files/p/t/${variant}_${iter}.png`,
});

before(async () => {
  store = await openTestStore();
  const auth = new Authenticator(store, randomBytes(32), 3600);
  const registry = new EndpointRegistry();
  registerEvents(registry, serviceDeps(store, auth));
  app = Fastify();
  await app.register(apiPlugin, { registry, auth, maxRequestBytes: 64 * 1024 * 1024, log: () => {}, logRequests: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  base = `http://127.0.0.1:${address.port}`;
  await store.users.insert({ id: who.user, name: who.user_name, company: who.company, role: 'admin', created: '2025-01-01T00:00:00.000Z' });
  const key = await createCredentials(store, who.user, 'events test');
  token = auth.issue(who, key.access_key);
});

after(async () => {
  await app.close();
  await store.close();
});

describe('events.add_batch', () => {
  test('scalars are stored and the task gets last_iteration and last_metrics', async () => {
    const task = await newTask();
    const first = await addBatch([0, 1, 2, 3].map((i) => scalar(task, 'loss', 'train', i, [0.9, 0.5, 0.7, 0.6][i])));
    assert.deepEqual(first, { added: 4, errors: 0, errors_info: {} });
    await addBatch([
      scalar(task, 'loss', 'train', 4, 0.1),
      scalar(task, 'loss', 'train', 5, 0.95),
      scalar(task, 'loss', 'train', 3, 0.65),
      scalar(task, 'Summary', 'best', SINGLE, 0.99),
      scalar(task, ':monitor:machine', 'cpu', 500, 12),
    ]);
    const t = (await store.tasks.get(task))!;
    assert.equal(t.last_iteration, 5, 'single values and monitor metrics do not move last_iteration');
    assert.match(t.last_update, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    assert.notEqual(t.last_update, '2025-01-01T00:00:00.000Z');
    const lm = t.last_metrics[nameKey('loss')][nameKey('train')] as StoredLastMetric;
    assert.deepEqual(
      [lm.metric, lm.variant, lm.value, lm.min_value, lm.min_value_iteration, lm.max_value, lm.max_value_iteration, lm.first_value, lm.first_value_iteration, lm.count],
      ['loss', 'train', 0.95, 0.1, 4, 0.95, 5, 0.9, 0, 6],
      'iteration 3 was re-reported: it does not add to the count',
    );
    assert.equal(lm.timestamp, 1_790_000_000_005);
    assert.equal(t.last_metrics[nameKey('Summary')][nameKey('best')].value, 0.99);

    const page = await call('events.get_task_events', { task, event_type: 'training_stats_scalar', batch_size: 1000 });
    assert.equal(page.total, 8);
    assert.equal(page.returned, 8);
    const loss = page.events.filter((e: any) => e.metric === 'loss');
    assert.deepEqual(loss.map((e: any) => e.iter), [0, 1, 2, 3, 4, 5], 'ascending iterations');
    assert.deepEqual(loss.map((e: any) => e.value), [0.9, 0.5, 0.7, 0.65, 0.1, 0.95]);
    assert.deepEqual(Object.keys(loss[0]).sort(), ['iter', 'metric', 'task', 'timestamp', 'type', 'value', 'variant']);
  });

  test('a partly bad batch stores the good lines and counts the rest', async () => {
    const task = await newTask();
    const body = [
      JSON.stringify(scalar(task, 'm', 'v', 1, 1)),
      '{not json',
      '',
      JSON.stringify({ type: 'mystery', task }),
      JSON.stringify({ type: 'log', msg: 'no task' }),
      JSON.stringify(scalar(newId(), 'm', 'v', 1, 1)),
      JSON.stringify(scalar(task, 'm', 'v', 2, 'two')),
      `${JSON.stringify(log(task, 1))}\r`,
    ].join('\n');
    const env = await send('events.add_batch', body, 'application/json-lines; charset=utf-8');
    assert.equal(env.meta.result_code, 200);
    assert.equal(env.data.added, 2);
    assert.equal(env.data.errors, 5);
    assert.equal(Object.values(env.data.errors_info as Record<string, number>).reduce((a, b) => a + b, 0), 5);
    assert.equal(env.data.errors_info['invalid JSON'], 1);
    const logs = await call('events.get_task_log', { task });
    assert.equal(logs.events[0].worker, 'box-7', 'worker defaults to the X-ClearML-Worker header');
  });

  test('nothing added, empty and oversized batches are errors', async () => {
    const env = await batch([scalar(newId(), 'm', 'v', 1, 1)]);
    assert.deepEqual([env.meta.result_code, env.meta.result_subcode], [400, 131]);
    const empty = await send('events.add_batch', '\n\n', 'application/json-lines');
    assert.deepEqual([empty.meta.result_code, empty.meta.result_subcode], [400, 17]);
    const task = await newTask();
    const huge = Array.from({ length: 100_001 }, () => '{}').join('\n');
    const tooLarge = await send('events.add_batch', huge, 'application/json-lines');
    assert.deepEqual([tooLarge.meta.result_code, tooLarge.meta.result_subcode], [400, 15]);
    assert.equal((await call('events.get_task_events', { task })).total, 0);
  });

  test('published tasks accept events only with allow_locked', async () => {
    const task = await newTask({ status: 'published' });
    const refused = await batch([scalar(task, 'm', 'v', 1, 1)]);
    assert.deepEqual([refused.meta.result_code, refused.meta.result_subcode], [400, 131]);
    assert.equal((await addBatch([scalar(task, 'm', 'v', 1, 1, { allow_locked: true })])).added, 1);
  });

  test('model events go to a model', async () => {
    const id = newId();
    await store.models.insert({ id, name: 'net', user: who.user, company: who.company, created: '', last_update: '', comment: '', tags: [], system_tags: [], design: {}, labels: {}, ready: false, metadata: {} } as Model);
    const res = await addBatch([scalar(id, 'acc', 'val', 7, 0.8, { model_event: true }), scalar(id, 'acc', 'val', 8, 0.8)]);
    assert.equal(res.added, 1, 'without model_event the id is looked up among tasks');
    assert.equal((await store.models.get(id))!.last_iteration, 7);
    const page = await call('events.get_task_events', { task: id, event_type: 'training_stats_scalar', model_events: true });
    assert.deepEqual(page.events.map((e: any) => e.iter), [7]);
  });

  test('events.add stores one event', async () => {
    const task = await newTask();
    assert.equal((await call('events.add', log(task, 3))).added, 1);
    assert.equal((await call('events.get_task_log', { task })).events[0].msg, 'line 3');
  });
});

describe('reading back', () => {
  test('get_task_log: the last n in ascending order, and the other directions', async () => {
    const task = await newTask();
    await addBatch(Array.from({ length: 20 }, (_, i) => log(task, i, i === 5 ? { iter: 5 } : {})));
    const lastAsc = await call('events.get_task_log', { task, order: 'asc', navigate_earlier: true, batch_size: 3 });
    assert.deepEqual(lastAsc.events.map((e: any) => e.msg), ['line 17', 'line 18', 'line 19']);
    assert.equal(lastAsc.total, 20);
    assert.equal(lastAsc.returned, 3);
    const lastDesc = await call('events.get_task_log', { task, batch_size: 2 });
    assert.deepEqual(lastDesc.events.map((e: any) => e.msg), ['line 19', 'line 18']);
    const earlier = await call('events.get_task_log', { task, batch_size: 2, order: 'asc', from_timestamp: 1_790_000_000_017 });
    assert.deepEqual(earlier.events.map((e: any) => e.msg), ['line 15', 'line 16']);
    const oldest = await call('events.get_task_log', { task, batch_size: 3, navigate_earlier: false });
    assert.deepEqual(oldest.events.map((e: any) => e.msg), ['line 0', 'line 1', 'line 2']);
    const after = await call('events.get_task_log', { task, batch_size: 2, navigate_earlier: false, from_timestamp: 1_790_000_000_004 });
    assert.deepEqual(after.events.map((e: any) => [e.msg, e.iter, e.type, e.task]), [['line 5', 5, 'log', task], ['line 6', undefined, 'log', task]]);
  });

  test('get_task_events pages through every type with a scroll that ends', async () => {
    const task = await newTask();
    await addBatch([
      ...Array.from({ length: 7 }, (_, i) => scalar(task, 'm', 'v', i, i)),
      ...Array.from({ length: 4 }, (_, i) => log(task, i)),
      { type: 'plot', task, iter: 1, metric: 'p', variant: 'q', plot_str: '{"data":[]}' },
      image(task, 2, 'a'),
      { type: 'training_stats_vector', task, iter: 0, metric: 'vec', variant: 'x', values: [1, 2, 3] },
    ]);
    const seen: Record<string, any>[] = [];
    let scroll: string | undefined;
    for (let calls = 0; calls < 20; calls++) {
      const page = await call('events.get_task_events', { task, batch_size: 4, scroll_id: scroll });
      assert.equal(page.total, 14);
      assert.equal(page.returned, page.events.length);
      seen.push(...page.events);
      scroll = page.scroll_id;
      if (page.returned < 4) break;
    }
    assert.equal(seen.length, 14);
    assert.deepEqual([...new Set(seen.map((e) => e.type))], ['training_stats_scalar', 'training_stats_vector', 'plot', 'training_debug_image', 'log']);
    assert.deepEqual(seen.find((e) => e.type === 'training_stats_vector')!.values, [1, 2, 3]);
    const plot = seen.find((e) => e.type === 'plot')!;
    assert.equal(plot.plot_str, '{"data":[]}');
    assert.equal('method' in plot || 'allow_locked' in plot || 'model_event' in plot, false);
    const desc = await call('events.get_task_events', { task, event_type: 'log', order: 'desc', batch_size: 2 });
    assert.deepEqual(desc.events.map((e: any) => e.msg), ['line 3', 'line 2']);
  });

  test('a scroll id of another request is refused', async () => {
    const task = await newTask();
    const other = await newTask();
    await addBatch([log(task, 1), log(other, 1)]);
    const page = await call('events.get_task_events', { task, batch_size: 1 });
    const env = await send('events.get_task_events', JSON.stringify({ task: other, batch_size: 1, scroll_id: page.scroll_id }), 'application/json');
    assert.deepEqual([env.meta.result_code, env.meta.result_subcode], [400, 1104]);
  });

  test('scalar_metrics_iter_histogram: exact small series, no single values, thinned long ones', async () => {
    const task = await newTask();
    await addBatch([
      scalar(task, 'loss', 'train', 0, 1.5), scalar(task, 'loss', 'train', 10, 0.5), scalar(task, 'loss', 'val', 10, 0.75),
      scalar(task, 'Summary', 'acc', SINGLE, 0.9),
    ]);
    const h = await call('events.scalar_metrics_iter_histogram', { task, key: 'iter', model_events: false });
    assert.deepEqual(h, { loss: { train: { name: 'train', x: [0, 10], y: [1.5, 0.5] }, val: { name: 'val', x: [10], y: [0.75] } } });
    const byTime = await call('events.scalar_metrics_iter_histogram', { task, key: 'iso_time' });
    assert.deepEqual(byTime.loss.train.x, [new Date(1_790_000_000_000).toISOString(), new Date(1_790_000_000_010).toISOString()]);

    const long = await newTask();
    await addBatch(Array.from({ length: 5000 }, (_, i) => scalar(long, 'm', 'v', i, i === 4321 ? 100 : 0)));
    const thin = await call('events.scalar_metrics_iter_histogram', { task: long, samples: 100 });
    assert.ok(thin.m.v.x.length <= 100);
    assert.ok(thin.m.v.y.includes(100), 'the spike is kept');
    const all = await call('events.scalar_metrics_iter_histogram', { task: long });
    assert.equal(all.m.v.x.length, 5000, 'the default sample count keeps a 5000-point series whole');
  });

  test('single values and the list of metrics', async () => {
    const task = await newTask();
    await addBatch([scalar(task, 'Summary', 'acc', SINGLE, 0.9), scalar(task, 'Summary', 'f1', SINGLE, 0.8), scalar(task, 'loss', 'train', 3, 1)]);
    const res = await call('events.get_task_single_value_metrics', { tasks: [task] });
    assert.equal(res.tasks.length, 1);
    assert.equal(res.tasks[0].task, task);
    assert.equal(res.tasks[0].task_name, `task ${task.slice(0, 6)}`);
    assert.deepEqual(res.tasks[0].values.map((v: any) => [v.metric, v.variant, v.value]), [['Summary', 'acc', 0.9], ['Summary', 'f1', 0.8]]);
    assert.equal(typeof res.tasks[0].values[0].timestamp, 'number');
    const mv = await call('events.get_scalar_metrics_and_variants', { task });
    assert.deepEqual(mv.metrics, { Summary: { acc: { name: 'acc' }, f1: { name: 'f1' } }, loss: { train: { name: 'train' } } });
  });

  test('get_task_plots returns the latest iteration of every plot', async () => {
    const task = await newTask();
    await addBatch([1, 2, 3].map((i) => ({ type: 'plot', task, iter: i, metric: 'cm', variant: 'val', plot_str: `{"i":${i}}` })).concat([
      { type: 'plot', task, iter: 0, metric: 'table', variant: 'x', plot_str: '{}' },
    ]));
    const res = await call('events.get_task_plots', { task, iters: 1, no_scroll: true });
    assert.deepEqual(res.plots.map((p: any) => [p.metric, p.iter, p.plot_str]), [['cm', 3, '{"i":3}'], ['table', 0, '{}']]);
    assert.equal(res.returned, 2);
    assert.equal(res.total, 4);
    assert.equal(res.scroll_id, null);
    const scrolled = await call('events.get_task_plots', { task, iters: 1 });
    const next = await call('events.get_task_plots', { task, iters: 1, scroll_id: scrolled.scroll_id });
    assert.deepEqual(next.plots.map((p: any) => p.iter), [2]);
  });

  test('debug_images pages back through iterations and ends with empty iterations', async () => {
    const task = await newTask();
    await addBatch([0, 1, 2, 3, 4].flatMap((i) => [image(task, i, 'a'), image(task, i, 'b')]));
    // The SDK's get_debug_samples loop, for series "a".
    const samples: Record<string, any>[] = [];
    let res = await call('events.debug_images', { metrics: [{ task, metric: 'samples', variants: ['a'] }], iters: 2 });
    let calls = 1;
    for (;;) {
      for (const m of res.metrics) for (const it of m.iterations) samples.push(...it.events);
      res = await call('events.debug_images', { metrics: [{ task, metric: 'samples', variants: ['a'] }], iters: 2, scroll_id: res.scroll_id });
      calls++;
      if (res.metrics.every((m: any) => m.iterations.length === 0)) break;
      assert.ok(calls < 10, 'the scroll ends');
    }
    assert.deepEqual(samples.map((e) => e.iter), [4, 3, 2, 1, 0]);
    assert.ok(samples.every((e) => e.variant === 'a' && e.url === `http://files/p/t/a_${e.iter}.png`));
    const again = await call('events.debug_images', { metrics: [{ task, metric: 'samples', variants: ['a'] }], iters: 2, scroll_id: res.scroll_id });
    assert.deepEqual(again.metrics[0].iterations, [], 'an exhausted scroll stays empty');
    const first = await call('events.debug_images', { metrics: [{ task, metric: 'samples' }], iters: 1 });
    assert.deepEqual(first.metrics[0].iterations[0].events.map((e: any) => e.variant), ['a', 'b']);
    assert.equal(first.metrics[0].task, task);
  });

  test('get_scalar_series keeps spikes; small series come back exactly', async () => {
    const task = await newTask();
    const n = 20_000;
    for (let from = 0; from < n; from += 10_000) {
      await addBatch(Array.from({ length: 10_000 }, (_, k) => scalar(task, 'loss', 'train', from + k, from + k === 12_345 ? 999 : Math.cos(from + k))));
    }
    const s = await call('events.get_scalar_series', { task, metric: 'loss', variant: 'train', buckets: 500 });
    assert.equal(s.total_points, n);
    assert.ok(s.x.length <= 500 && s.x.length > 400);
    assert.equal(Math.max(...s.max), 999);
    assert.equal(s.x[s.x.length - 1], n - 1);
    assert.equal(s.last[s.last.length - 1], Math.cos(n - 1));
    const zoom = await call('events.get_scalar_series', { task, metric: 'loss', variant: 'train', x_min: 100, x_max: 104 });
    assert.deepEqual(zoom.x, [100, 101, 102, 103, 104]);
    assert.deepEqual(zoom.last, [100, 101, 102, 103, 104].map(Math.cos));
    assert.deepEqual(zoom.min, zoom.last);
    assert.equal(zoom.total_points, 5);
    const byTime = await call('events.get_scalar_series', { task, metric: 'loss', variant: 'train', x_axis: 'timestamp', x_min: 1_790_000_000_000, x_max: 1_790_000_000_001 });
    assert.deepEqual(byTime.x, [1_790_000_000_000, 1_790_000_000_001]);
    const other = await newTask();
    await addBatch([scalar(other, 'loss', 'train', 1, 5)]);
    const multi = await call('events.get_multi_scalar_series', { series: [{ task, metric: 'loss', variant: 'train' }, { task: other, metric: 'loss', variant: 'train' }, { task: other, metric: 'nope', variant: '' }], buckets: 100 });
    assert.equal(multi.series.length, 3);
    assert.ok(multi.series[0].x.length <= 100);
    assert.deepEqual([multi.series[1].task, multi.series[1].x, multi.series[1].last], [other, [1], [5]]);
    assert.deepEqual([multi.series[2].metric, multi.series[2].x, multi.series[2].total_points], ['nope', [], 0]);
    const unknown = await send('events.get_scalar_series', JSON.stringify({ task: newId(), metric: 'm', variant: 'v' }), 'application/json');
    assert.deepEqual([unknown.meta.result_code, unknown.meta.result_subcode], [400, 101]);
  });

  test('delete_for_task removes everything and says how much', async () => {
    const task = await newTask();
    await addBatch([scalar(task, 'm', 'v', 1, 1), scalar(task, 'm', 'v', 2, 1), log(task, 1), image(task, 1, 'a')]);
    assert.deepEqual(await call('events.delete_for_task', { task }), { deleted: 4 });
    assert.equal((await call('events.get_task_events', { task })).total, 0);
    const locked = await newTask({ status: 'published' });
    const env = await send('events.delete_for_task', JSON.stringify({ task: locked }), 'application/json');
    assert.deepEqual([env.meta.result_code, env.meta.result_subcode], [400, 110]);
  });
});
