import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Task, Worker } from '@cairn/protocol';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/** The workers service through real HTTP, as clearml-agent drives it. */
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

const ok: TestServer['ok'] = (endpoint, body) => s.ok(endpoint, body);

const fails: TestServer['fails'] = (endpoint, body, subcode) => s.fails(endpoint, body, subcode);

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
const getTask = async (id: string) => (await ok('tasks.get_by_id', { task: id })).task as Task;
const workers = async (body: Record<string, unknown> = {}) => (await ok('workers.get_all', body)).workers as Worker[];
const worker = async (id: string) => (await workers()).find((w) => w.id === id);

describe('register, report, unregister', () => {
  test('register checks queues, takes names or ids, and get_all shows them with their head and length', async () => {
    const qName = unique('gpu');
    const queue = (await ok('queues.create', { name: qName })).id as string;
    const waiting = (await ok('tasks.create', { name: 'next up', type: 'training' })).id as string;
    await ok('tasks.enqueue', { task: waiting, queue });
    const id = unique('box:gpu0');
    await fails('workers.register', { worker: id, queues: ['no-such-queue'] }, 701);
    assert.equal(await worker(id), undefined, 'a refused registration stores nothing');
    assert.deepEqual(await ok('workers.register', { worker: id, queues: [qName], tags: ['fast'] }), {});
    const w = await worker(id);
    assert.ok(w);
    assert.deepEqual(w.queues, [{ id: queue, name: qName, num_tasks: 1, next_task: { id: waiting, name: 'next up' } }]);
    assert.deepEqual(w.tags, ['fast']);
    assert.equal(w.register_timeout, 600);
    assert.match(w.register_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    assert.equal(w.user.name.length > 0, true);
    assert.ok((await ok('workers.get_count', {})).count >= 1);
    assert.deepEqual((await workers({ tags: ['fast'], worker_pattern: `${id.split(':')[0]}:*` })).map((x) => x.id), [id]);
    assert.deepEqual(await workers({ worker_pattern: 'nobody-?' }), []);
  });

  test('a status report with a task marks the task and the worker; unknown tasks are 400/101', async () => {
    const project = (await ok('projects.create', { name: unique('proj') })).id as string;
    const task = (await ok('tasks.create', { name: 'remote run', type: 'training', project })).id as string;
    const queue = (await ok('queues.create', { name: unique('cpu') })).id as string;
    await ok('tasks.started', { task });
    const id = unique('pod-agent');
    await fails('workers.status_report', { worker: id, timestamp: Date.now(), task: 'f'.repeat(32) }, 101);
    assert.equal(await worker(id), undefined);
    // Never registered: a status report registers it (glue pod agents work this way).
    await ok('workers.status_report', { worker: id, timestamp: Date.now(), task, queue, queues: [queue], machine_stats: { cpu_usage: [12.5] } });
    const t = await getTask(task);
    assert.equal(t.last_worker, id);
    assert.match(t.last_worker_report ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    assert.equal(t.last_update, t.last_worker_report);
    const w = await worker(id);
    assert.equal(w?.task?.id, task);
    assert.equal(w?.task?.name, 'remote run');
    assert.equal(typeof w?.task?.running_time, 'number');
    assert.equal(w?.task?.last_iteration, 0);
    assert.equal(w?.project?.id, project);
    assert.equal(w?.queue?.id, queue);
    assert.equal(w?.queue?.num_tasks, 0);
    // The report after the task: no task any more.
    await ok('workers.status_report', { worker: id, timestamp: Date.now(), queues: [queue] });
    const idle = await worker(id);
    assert.equal(idle?.task, undefined);
    assert.equal(idle?.queue, undefined);
    assert.deepEqual(idle?.queues.map((q) => q.id), [queue]);
  });

  test('a worker may register a shorter timeout than the server\'s, not a longer one', async () => {
    const [short, long] = [unique('short'), unique('long')];
    await ok('workers.register', { worker: short, timeout: 30 });
    await ok('workers.register', { worker: long, timeout: 100_000 });
    assert.equal((await worker(short))?.register_timeout, 30);
    assert.equal((await worker(long))?.register_timeout, 600);
  });

  test('a second agent cannot register the id of one that still reports; once it left or went quiet, it can', async () => {
    const id = unique('host:0');
    await ok('workers.register', { worker: id, queues: [] });
    const r = await s.call('workers.register', { worker: id, queues: [] });
    assert.deepEqual([r.status, r.meta.result_subcode], [400, 1003]);
    assert.match(String(r.meta.result_msg), /already registered and reported \d+ s ago .*another agent is running under this id/);
    // A status report keeps the first one live; it is still refused.
    await ok('workers.status_report', { worker: id, timestamp: Date.now() });
    await fails('workers.register', { worker: id }, 1003);
    // After a clean exit (unregister) the id is free again.
    await ok('workers.unregister', { worker: id });
    await ok('workers.register', { worker: id });
    // An agent that was killed stops reporting: 90 s later its id can be taken over.
    await s.server.store.workers.update(id, (w) => ({ ...w, last_seen: Date.now() - 91_000 }));
    await ok('workers.register', { worker: id, tags: ['restarted'] });
    assert.deepEqual((await worker(id))?.tags, ['restarted']);
  });

  test('unregister removes a worker, and is silent for an unknown one', async () => {
    const id = unique('leaver');
    await ok('workers.register', { worker: id });
    assert.ok(await worker(id));
    assert.deepEqual(await ok('workers.unregister', { worker: id, queues: [] }), {});
    assert.equal(await worker(id), undefined);
    assert.deepEqual(await ok('workers.unregister', { worker: id }), {});
  });

  test('runtime properties are a per-worker key/value list', async () => {
    const id = unique('svc');
    assert.deepEqual(await ok('workers.get_runtime_properties', { worker: id }), { runtime_properties: [] });
    await fails('workers.set_runtime_properties', { worker: id, runtime_properties: [{ key: 'force', value: 'off' }] }, 1001);
    await ok('workers.register', { worker: id });
    await ok('workers.set_runtime_properties', { worker: id, runtime_properties: [{ key: 'max_num_instances', value: '2' }, { key: 'force', value: 'off' }] });
    await ok('workers.set_runtime_properties', { worker: id, runtime_properties: [{ key: 'force', value: 'on' }] });
    assert.deepEqual(await ok('workers.get_runtime_properties', { worker: id }), {
      runtime_properties: [{ key: 'max_num_instances', value: '2' }, { key: 'force', value: 'on' }],
    });
  });
});

describe('statistics', () => {
  const MIN = 60_000;
  // Two hours back, on an hour boundary: no other report of this server lands there.
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
  const id = unique('stats-box');
  let task = '';

  before(async () => {
    task = (await ok('tasks.create', { name: 'measured', type: 'training' })).id as string;
    const report = (offsetSec: number, machine_stats: Record<string, unknown>, withTask = false) =>
      ok('workers.status_report', { worker: id, timestamp: base + offsetSec * 1000, machine_stats, ...(withTask ? { task } : {}) });
    await report(10, { cpu_usage: [10], gpu_usage: [50, 70], memory_used: 1000 }, true);
    await report(20, { cpu_usage: [30], gpu_usage: [60, 80] }, true);
    await report(70, { cpu_usage: [20] });
    await report(190, { cpu_usage: [40] });
    await report(250, { cpu_usage: [99] });
  });

  test('get_stats buckets complete intervals, fills gaps with 0 and splits GPUs on request', async () => {
    const r = await ok('workers.get_stats', {
      from_date: base / 1000, to_date: base / 1000 + 270, interval: 60, worker_ids: [id], split_by_resource: true,
      items: [{ key: 'cpu_usage', aggregation: 'avg' }, { key: 'cpu_usage', aggregation: 'max' }, { key: 'gpu_usage', aggregation: 'avg' }, { key: 'disk_free_home', aggregation: 'avg' }],
    });
    assert.equal(r.workers.length, 1);
    const [w] = r.workers;
    assert.equal(w.worker, id);
    const dates = [base, base + MIN, base + 2 * MIN, base + 3 * MIN];
    assert.deepEqual(w.metrics.map((m: { metric: string }) => m.metric), ['cpu_usage', 'gpu_usage'], 'metrics without data are left out');
    const [cpu, gpu] = w.metrics;
    assert.deepEqual(cpu.stats, [
      { aggregation: 'avg', dates, values: [20, 20, 0, 40] },
      { aggregation: 'max', dates, values: [30, 20, 0, 40] },
    ]);
    assert.deepEqual(gpu.stats, [{
      aggregation: 'avg', dates, values: [65, 0, 0, 0],
      resource_series: [{ name: '0', values: [55, 0, 0, 0] }, { name: '1', values: [75, 0, 0, 0] }],
    }]);
  });

  test('a worker\'s series start at its first report: no zeros for the time before it existed', async () => {
    const r = await ok('workers.get_stats', {
      from_date: base / 1000 - 600, to_date: base / 1000 + 270, interval: 60, worker_ids: [id], split_by_resource: true,
      items: [{ key: 'cpu_usage', aggregation: 'avg' }, { key: 'gpu_usage', aggregation: 'avg' }],
    });
    const [cpu, gpu] = r.workers[0].metrics;
    const dates = [base, base + MIN, base + 2 * MIN, base + 3 * MIN];
    assert.deepEqual(cpu.stats, [{ aggregation: 'avg', dates, values: [20, 20, 0, 40] }]);
    assert.deepEqual(gpu.stats[0].dates, dates, 'every metric of the worker starts at the same bucket');
    assert.deepEqual(gpu.stats[0].resource_series.map((x: { values: number[] }) => x.values.length), [4, 4]);
  });

  test('the activity report counts reporting and task-running workers per interval', async () => {
    const r = await ok('workers.get_activity_report', { from_date: base / 1000, to_date: base / 1000 + 240, interval: 60 });
    const dates = [base, base + MIN, base + 2 * MIN, base + 3 * MIN];
    assert.deepEqual(r.total, { dates, counts: [1, 1, 0, 1] });
    assert.deepEqual(r.active, { dates, counts: [1, 0, 0, 0] });
  });

  test('metric keys come grouped by category; a worker without data is 400/1005', async () => {
    const r = await ok('workers.get_metric_keys', { worker_ids: [id] });
    assert.deepEqual(r.categories, [
      { name: 'cpu', metric_keys: ['cpu_usage'] },
      { name: 'gpu', metric_keys: ['gpu_usage'] },
      { name: 'memory', metric_keys: ['memory_used'] },
    ]);
    await fails('workers.get_metric_keys', { worker_ids: ['never-reported'] }, 1005);
  });

  test('bad ranges and items are validation errors', async () => {
    await fails('workers.get_stats', { from_date: 10, to_date: 5, interval: 60, items: [{ key: 'cpu_usage' }] }, 12);
    await fails('workers.get_stats', { from_date: 0, to_date: 600, interval: 60, items: [{ key: 'cpu_usage', aggregation: 'median' }] }, 12);
    await fails('workers.get_stats', { from_date: 0, to_date: 600, interval: 60 }, 11);
  });
});
