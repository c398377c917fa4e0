import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Task } from '@cairn/protocol';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

async function newTask(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await s.call('tasks.create', { name: 'unit task', type: 'training', ...extra });
  assert.equal(r.status, 200, String(r.meta.result_msg));
  return r.data.id as string;
}
const getTask = async (id: string) => (await s.call('tasks.get_by_id', { task: id })).data.task as Task;

test('a new task has every nested part the SDK dereferences', async () => {
  const t = await getTask(await newTask());
  assert.equal(t.status, 'created');
  assert.deepEqual(t.models, { input: [], output: [] });
  for (const f of ['script', 'execution', 'output', 'hyperparams', 'configuration', 'runtime', 'container'] as const) assert.equal(typeof t[f], 'object');
  assert.deepEqual(t.tags, []);
  assert.match(t.created, /T.*(Z|[+-]\d\d:\d\d)$/);
});

test('illegal status transitions are 400/110 and forced ones pass', async () => {
  const id = await newTask();
  const r = await s.call('tasks.completed', { task: id });
  assert.equal(r.status, 400);
  assert.equal(r.meta.result_subcode, 110);
  assert.equal((await getTask(id)).status, 'created');
  assert.equal((await s.call('tasks.started', { task: id })).status, 200);
  assert.equal((await s.call('tasks.started', { task: id })).status, 200, 'same-state transition');
  assert.equal((await s.call('tasks.completed', { task: id })).status, 200);
  const t = await getTask(id);
  assert.equal(t.status, 'completed');
  assert.ok(t.started && t.completed && t.started <= t.completed);
  assert.equal((await s.call('tasks.stopped', { task: id })).status, 400);
  assert.equal((await s.call('tasks.stopped', { task: id, force: true })).status, 200);
  assert.equal((await getTask(id)).status, 'stopped');
});

test('edit merges script/execution one level deep and replaces maps', async () => {
  const id = await newTask();
  await s.call('tasks.edit', { task: id, force: true, script: { repository: 'r', branch: 'main' }, execution: { queue: 'q1', framework: 'torch' } });
  await s.call('tasks.edit', { task: id, force: true, script: { branch: 'dev' }, execution: { framework: 'tf' }, output_dest: 'http://files' });
  await s.call('tasks.edit', { task: id, force: true, hyperparams: { General: { lr: { section: 'General', name: 'lr', value: '0.1', type: 'float' } } } });
  await s.call('tasks.edit', { task: id, force: true, hyperparams: { Args: { x: { section: 'Args', name: 'x', value: 3 } } } });
  const t = await getTask(id);
  assert.equal(t.script.repository, 'r');
  assert.equal(t.script.branch, 'dev');
  assert.equal(t.execution.queue, 'q1');
  assert.equal(t.execution.framework, 'tf');
  assert.equal(t.output.destination, 'http://files');
  assert.deepEqual(Object.keys(t.hyperparams), ['Args']);
  assert.equal(t.hyperparams.Args.x.value, '3', 'numeric values are stored as strings');
});

test('edit of a non-draft task needs force', async () => {
  const id = await newTask();
  await s.call('tasks.started', { task: id });
  const r = await s.call('tasks.edit', { task: id, comment: 'x' });
  assert.equal(r.status, 400);
  assert.equal(r.meta.result_subcode, 110);
  assert.equal((await s.call('tasks.edit', { task: id, comment: 'x', force: true })).status, 200);
});

test('concurrent edits of one task all land without losing parameters', async () => {
  const id = await newTask();
  const results = await Promise.all(Array.from({ length: 25 }, (_, i) =>
    s.call('tasks.edit_hyper_params', { task: id, hyperparams: [{ section: 'P', name: `p${i}`, value: String(i) }], replace_hyperparams: 'none' })));
  assert.ok(results.every((r) => r.status === 200));
  const t = await getTask(id);
  assert.equal(Object.keys(t.hyperparams.P).length, 25);
  assert.equal(t.hyperparams.P.p7.value, '7');
});

test('artifacts upsert by key and come back sorted, default mode output', async () => {
  const id = await newTask();
  await s.call('tasks.add_or_update_artifacts', { task: id, artifacts: [{ key: 'b', type: 'dict', uri: 'u1' }] });
  const r = await s.call('tasks.add_or_update_artifacts', { task: id, artifacts: [{ key: 'a', type: 'custom', uri: 'u2' }, { key: 'b', type: 'dict', uri: 'u3' }] });
  assert.ok(r.data.updated);
  const arts = (await getTask(id)).execution.artifacts!;
  assert.deepEqual(arts.map((a) => [a.key, a.mode, a.uri]), [['a', 'output', 'u2'], ['b', 'output', 'u3']]);
  const d = await s.call('tasks.delete_artifacts', { task: id, artifacts: [{ key: 'a' }] });
  assert.equal(d.data.deleted, 1);
});

test('reset brings a finished task back to a clean draft and clears its events', async () => {
  const id = await newTask({ system_tags: ['development'] });
  await s.call('tasks.started', { task: id });
  await s.call('events.add_batch', JSON.stringify({ type: 'training_stats_scalar', task: id, metric: 'm', variant: 'v', iter: 3, value: 1.5 }), { contentType: 'application/json-lines' });
  await s.call('tasks.add_or_update_artifacts', { task: id, artifacts: [{ key: 'out', type: 'dict' }, { key: 'in', type: 'dict', mode: 'input' }] });
  await s.call('tasks.completed', { task: id });
  const r = await s.call('tasks.reset', { task: id });
  assert.equal(r.status, 200);
  const t = await getTask(id);
  assert.equal(t.status, 'created');
  assert.equal(t.last_iteration, 0);
  assert.deepEqual(t.last_metrics, {});
  assert.equal(t.started, undefined);
  assert.deepEqual(t.execution.artifacts!.map((a) => a.key), ['in']);
  const hist = await s.call('events.scalar_metrics_iter_histogram', { task: id });
  assert.deepEqual(hist.data, {});
});

test('enqueue to the default queue by name, then dequeue', async () => {
  const id = await newTask({ system_tags: ['development'] });
  const q = await s.call('tasks.enqueue', { task: id, queue_name: 'default' });
  assert.equal(q.status, 200, String(q.meta.result_msg));
  let t = await getTask(id);
  assert.equal(t.status, 'queued');
  assert.ok(!t.system_tags.includes('development'));
  const queue = (await s.call('queues.get_by_id', { queue: t.execution.queue })).data.queue as { name: string; entries: { task: string }[] };
  assert.equal(queue.name, 'default');
  assert.ok(queue.entries.some((e) => e.task === id));
  await s.call('tasks.dequeue', { task: id });
  t = await getTask(id);
  assert.equal(t.status, 'created');
  const after = (await s.call('queues.get_by_id', { queue: queue && (await getTask(id)).execution.queue })).data.queue as { entries: { task: string }[] } | undefined;
  assert.ok(!after || !after.entries.some((e) => e.task === id));
});

test('stop of a local development run stops it at once', async () => {
  const id = await newTask({ system_tags: ['development'] });
  await s.call('tasks.started', { task: id });
  await s.call('tasks.stop', { task: id });
  const t = await getTask(id);
  assert.equal(t.status, 'stopped');
  assert.match(t.status_message, /Stopped by/);
});

test('clone copies the configuration and not the results', async () => {
  const id = await newTask();
  await s.call('tasks.edit', { task: id, force: true, configuration: { cfg: { name: 'cfg', value: 'a: 1', type: 'yaml' } } });
  await s.call('tasks.add_or_update_artifacts', { task: id, artifacts: [{ key: 'out', type: 'dict' }] });
  const c = await s.call('tasks.clone', { task: id, new_task_name: 'the clone' });
  const t = await getTask(c.data.id as string);
  assert.equal(t.name, 'the clone');
  assert.equal(t.parent, id);
  assert.equal(t.status, 'created');
  assert.equal(t.configuration.cfg.value, 'a: 1');
  assert.deepEqual(t.execution.artifacts, []);
});

test('get_all filters by project, status and tags, and projects only_fields', async () => {
  const p = (await s.call('projects.create', { name: 'Filter Proj' })).data.id as string;
  const a = await newTask({ project: p, tags: ['x'] });
  await newTask({ project: p, tags: ['y'] });
  const byTag = await s.call('tasks.get_all', { project: [p], tags: ['x'], only_fields: ['name', 'script.repository'] });
  assert.deepEqual((byTag.data.tasks as { id: string }[]).map((t) => t.id), [a]);
  // the script object is kept though it has no repository (MongoDB's projection)
  assert.deepEqual((byTag.data.tasks as object[])[0], { id: a, name: 'unit task', script: {} });
  const proj = await s.call('projects.get_all', { name: '^Filter\\ Proj$', only_fields: ['id'] });
  assert.deepEqual(proj.data.projects, [{ id: p }]);
  const bad = await s.call('tasks.get_all', { name: '(' });
  assert.equal(bad.status, 400);
  assert.equal(bad.meta.result_subcode, 21);
});

test('unknown ids are 400 with the entity subcode', async () => {
  const r = await s.call('tasks.get_by_id', { task: 'f'.repeat(32) });
  assert.equal(r.status, 400);
  assert.equal(r.meta.result_subcode, 101);
  assert.equal((await s.call('projects.get_by_id', { project: 'nope' })).meta.result_subcode, 401);
});
