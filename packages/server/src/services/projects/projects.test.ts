import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

let s: TestServer;
let parent: string;
let child: string;
let other: string;
const tasks: Record<string, string> = {};

async function ok(endpoint: string, body: Record<string, unknown> | string, contentType?: string): Promise<Record<string, any>> {
  const r = await s.call(endpoint, body, contentType ? { contentType } : undefined);
  assert.equal(r.meta.result_code, 200, `${endpoint}: ${String(r.meta.result_msg)}`);
  return r.data;
}

async function task(name: string, project: string, fields: Record<string, unknown> = {}): Promise<string> {
  const id = (await ok('tasks.create', { name, project, type: 'training', ...fields })).id as string;
  tasks[name] = id;
  return id;
}

const scalar = (task: string, metric: string, variant: string, iter: number, value: number) =>
  JSON.stringify({ type: 'training_stats_scalar', task, metric, variant, iter, value, timestamp: Date.now() });

before(async () => {
  s = await startTestServer();
  parent = (await ok('projects.create', { name: 'Vision' })).id as string;
  child = (await ok('projects.create', { name: 'Vision/Detection' })).id as string;
  other = (await ok('projects.create', { name: 'Audio' })).id as string;
  const hp = (lr: string, opt: string) => ({ hyperparams: { Args: { lr: { section: 'Args', name: 'lr', value: lr }, optimizer: { section: 'Args', name: 'optimizer', value: opt } } } });
  await task('draft', parent, { ...hp('0.1', 'sgd'), tags: ['baseline'] });
  const running = await task('running', child, { ...hp('0.01', 'adam'), tags: ['best', 'baseline'] });
  await ok('tasks.started', { task: running });
  const done = await task('done', child, hp('0.01', 'sgd'));
  await ok('tasks.started', { task: done });
  await ok('tasks.completed', { task: done });
  const archived = await task('archived', child);
  await ok('tasks.archive_many', { ids: [archived] });
  await task('elsewhere', other, { hyperparams: { General: { epochs: { section: 'General', name: 'epochs', value: '5' } } } });
  await ok('events.add_batch', [scalar(running, 'loss', 'train', 0, 0.9), scalar(running, 'loss', 'train', 1, 0.4), scalar(done, 'accuracy', 'val', 3, 0.8)].join('\n'), 'application/json-lines');
});
after(async () => s.close());

describe('projects.get_all_ex with include_stats', () => {
  test('counts tasks by status over the sub-tree, leaving archived tasks out', async () => {
    const data = await ok('projects.get_all_ex', { include_stats: true, order_by: ['name'] });
    const byName = Object.fromEntries((data.projects as any[]).map((p) => [p.name, p.stats.active]));
    assert.equal(byName.Vision.total_tasks, 3);
    assert.equal(byName.Vision.status_count.created, 1);
    assert.equal(byName.Vision.status_count.in_progress, 1);
    assert.equal(byName.Vision.status_count.completed, 1);
    assert.equal(byName.Vision.status_count.failed, 0);
    assert.equal(byName['Vision/Detection'].total_tasks, 2);
    assert.equal(byName.Audio.total_tasks, 1);
    assert.match(byName.Vision.last_task_update, /^\d{4}-\d\d-\d\dT/);
  });

  test('stats_with_children false counts only the project itself', async () => {
    const data = await ok('projects.get_all_ex', { id: [parent], include_stats: true, stats_with_children: false });
    assert.equal(data.projects[0].stats.active.total_tasks, 1);
  });

  test('without include_stats there are no stats', async () => {
    const data = await ok('projects.get_all_ex', { id: [parent] });
    assert.equal(data.projects[0].stats, undefined);
  });
});

describe('task facets of a project', () => {
  test('get_task_tags lists the tags used in the project and its sub-projects', async () => {
    assert.deepEqual((await ok('projects.get_task_tags', { projects: [parent] })).tags, ['baseline', 'best']);
    assert.deepEqual((await ok('projects.get_task_tags', { projects: [other] })).tags, []);
    const withSystem = await ok('projects.get_task_tags', { projects: [child], include_system: true });
    assert.ok(withSystem.system_tags.includes('archived'));
  });

  test('get_hyper_parameters lists section and name once each, sorted', async () => {
    const data = await ok('projects.get_hyper_parameters', { project: parent });
    assert.deepEqual(data.parameters, [{ section: 'Args', name: 'lr' }, { section: 'Args', name: 'optimizer' }]);
    assert.equal(data.total, 2);
    const all = await ok('projects.get_hyper_parameters', {});
    assert.deepEqual(all.parameters.map((p: any) => `${p.section}/${p.name}`), ['Args/lr', 'Args/optimizer', 'General/epochs']);
    const paged = await ok('projects.get_hyper_parameters', { page: 0, page_size: 1 });
    assert.equal(paged.parameters.length, 1);
    assert.equal(paged.remaining, 2);
  });

  test('get_hyperparam_values lists the distinct values of one parameter', async () => {
    const data = await ok('projects.get_hyperparam_values', { projects: [parent], section: 'Args', name: 'lr' });
    assert.deepEqual(data, { total: 2, values: ['0.01', '0.1'] });
    const only = await ok('projects.get_hyperparam_values', { projects: [parent], section: 'Args', name: 'lr', include_subprojects: false });
    assert.deepEqual(only.values, ['0.1']);
    const bad = await s.call('projects.get_hyperparam_values', { section: 'Args' });
    assert.equal(bad.status, 400);
    assert.match(String(bad.meta.result_msg), /name/);
  });

  test('get_unique_metric_variants gives names with the last_metrics keys that order_by uses', async () => {
    const data = await ok('projects.get_unique_metric_variants', { project: parent });
    const metrics = data.metrics as { metric: string; variant: string; metric_hash: string; variant_hash: string }[];
    assert.deepEqual(metrics.map((m) => `${m.metric}/${m.variant}`), ['accuracy/val', 'loss/train']);
    const loss = metrics.find((m) => m.metric === 'loss')!;
    const sorted = await ok('tasks.get_all_ex', {
      project: [child],
      order_by: [`-last_metrics.${loss.metric_hash}.${loss.variant_hash}.value`],
      only_fields: ['name', `last_metrics.${loss.metric_hash}.${loss.variant_hash}.value`],
    });
    assert.equal(sorted.tasks[0].name, 'running');
    assert.equal(sorted.tasks[0].last_metrics[loss.metric_hash][loss.variant_hash].value, 0.4);
  });
});
