import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { RegexError, type Model, type Project, type Task } from '@cairn/protocol';
import { EndpointRegistry } from '../../http/endpoints.js';
import { TEST_IDENTITY, callEndpoint, rejectsWith, serviceDeps } from '../../testing/registry-harness.js';
import { openTestStore } from '../../testing/store-backends.js';
import type { Store } from '../../store/store.js';
import { registerModels } from './index.js';

const who = TEST_IDENTITY;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

let store: Store;
let registry: EndpointRegistry;

const call = (name: string, body: Record<string, unknown> = {}) => callEndpoint(registry, name, body);


async function create(body: Record<string, unknown>): Promise<string> {
  const res = await call('models.create', { uri: 'file:///tmp/w.bin', ...body });
  assert.equal(res.created, true);
  return res.id as string;
}

const getModel = async (id: string) => (await call('models.get_by_id', { model: id })).model as Model;
const ids = (res: Record<string, unknown>) => (res.models as { id: string }[]).map((m) => m.id);

async function addProject(id: string): Promise<void> {
  const p: Project = { id, name: `project ${id}`, basename: `project ${id}`, description: '', user: who.user, company: who.company, created: '2025-01-01T00:00:00.000Z', last_update: '2025-01-01T00:00:00.000Z', tags: [], system_tags: [] };
  await store.projects.insert(p);
}

async function addTask(id: string, fields: Partial<Task> = {}): Promise<void> {
  const t = {
    id, name: `task ${id}`, type: 'training', status: 'created', status_reason: '', status_message: '', comment: '', user: who.user,
    company: who.company, created: '2025-01-01T00:00:00.000Z', last_update: '2025-01-01T00:00:00.000Z', last_change: '2025-01-01T00:00:00.000Z',
    tags: [], system_tags: [], script: {}, execution: {}, output: {}, models: { input: [], output: [] }, hyperparams: {}, configuration: {},
    runtime: {}, container: {}, last_iteration: 0, last_metrics: {}, ...fields,
  } as Task;
  await store.tasks.insert(t);
}

afterEach(async () => store.close());

beforeEach(async () => {
  store = await openTestStore();
  registry = new EndpointRegistry();
  registerModels(registry, serviceDeps(store));
});

describe('models.create and models.get_by_id', () => {
  test('a created model comes back with every field typed as the SDK expects', async () => {
    await addProject('p'.repeat(32));
    const id = await create({ name: 'Anonymous model', labels: {}, ready: false, public: false, project: 'p'.repeat(32) });
    assert.match(id, /^[0-9a-f]{32}$/);
    const m = await getModel(id);
    assert.equal(m.id, id);
    assert.equal(m.name, 'Anonymous model');
    assert.equal(m.uri, 'file:///tmp/w.bin');
    assert.equal(m.project, 'p'.repeat(32));
    assert.equal(m.user, who.user);
    assert.equal(m.company, who.company);
    assert.equal(m.ready, false);
    assert.equal(m.comment, '');
    assert.deepEqual(m.tags, []);
    assert.deepEqual(m.system_tags, []);
    assert.deepEqual(m.design, {});
    assert.deepEqual(m.labels, {});
    assert.deepEqual(m.metadata, {});
    assert.match(m.created, ISO);
    assert.equal(m.last_update, m.created);
    assert.equal(m.published, undefined);
  });

  test('all create fields are stored, metadata keyed by key, design and labels as objects', async () => {
    const parent = await create({ name: 'parent' });
    const id = await create({
      name: 'full', comment: 'c', tags: ['a'], system_tags: ['s'], framework: 'PyTorch', design: { design: 'net' },
      labels: { cat: 1, dog: 2 }, parent, ready: true, metadata: [{ key: 'epochs', type: 'int', value: '10' }],
    });
    const m = await getModel(id);
    assert.equal(m.comment, 'c');
    assert.deepEqual(m.tags, ['a']);
    assert.deepEqual(m.system_tags, ['s']);
    assert.equal(m.framework, 'PyTorch');
    assert.deepEqual(m.design, { design: 'net' });
    assert.deepEqual(m.labels, { cat: 1, dog: 2 });
    assert.equal(m.parent, parent);
    assert.equal(m.ready, true);
    assert.equal(m.published, m.created);
    assert.deepEqual(m.metadata, { epochs: { key: 'epochs', type: 'int', value: '10' } });
  });

  test('a model made by a task joins the task project when none is given', async () => {
    await addProject('a'.repeat(32));
    await addTask('b'.repeat(32), { project: 'a'.repeat(32) });
    const m = await getModel(await create({ name: 'from task', task: 'b'.repeat(32) }));
    assert.equal(m.task, 'b'.repeat(32));
    assert.equal(m.project, 'a'.repeat(32));
  });

  test('bad input is refused with the ClearML error', async () => {
    await rejectsWith(call('models.create', { name: 'no uri' }), 400, 11);
    await rejectsWith(call('models.create', { uri: 'x' }), 400, 11);
    await rejectsWith(create({ name: 'm', labels: { a: 'one' } }), 400, 12);
    await rejectsWith(create({ name: 'm', tags: 'a' }), 400, 12);
    await rejectsWith(create({ name: 'm', metadata: [{ value: 'no key' }] }), 400, 12);
    await rejectsWith(create({ name: 'm', project: 'f'.repeat(32) }), 400, 401);
    await rejectsWith(create({ name: 'm', task: 'f'.repeat(32) }), 400, 101);
    await rejectsWith(create({ name: 'm', parent: 'f'.repeat(32) }), 400, 201);
    assert.equal(await store.models.count(), 0);
  });

  test('an unknown id answers 400/201', async () => {
    await rejectsWith(call('models.get_by_id', { model: 'f'.repeat(32) }), 400, 201);
    await rejectsWith(call('models.get_by_id', {}), 400, 11);
  });
});

describe('models.get_all', () => {
  test('name is a Python regex: re.escape output matches exactly', async () => {
    const exact = await create({ name: 'my model' });
    await create({ name: 'my model 2' });
    await create({ name: 'other' });
    assert.deepEqual(ids(await call('models.get_all', { name: '^my\\ model$' })), [exact]);
    assert.equal(ids(await call('models.get_all', { name: 'model' })).length, 2);
    await assert.rejects(call('models.get_all', { name: '(' }), RegexError);
  });

  test('system_tags ["-archived"] leaves archived models out', async () => {
    const kept = await create({ name: 'kept' });
    const archived = await create({ name: 'gone' });
    await call('models.archive_many', { ids: [archived] });
    assert.deepEqual(ids(await call('models.get_all', { system_tags: ['-archived'] })), [kept]);
    assert.deepEqual(ids(await call('models.get_all', { system_tags: ['archived'] })), [archived]);
  });

  test('uri is a list of exact uris, as import_model and framework reuse send it', async () => {
    const a = await create({ name: 'a', uri: 'file:///w/a.pt' });
    await create({ name: 'b', uri: 'file:///w/a.pt.bak' });
    const res = await call('models.get_all', { uri: ['file:///w/a.pt'], only_fields: ['id', 'name', 'created'], system_tags: ['-archived'] });
    assert.deepEqual(res.models, [{ id: a, name: 'a', created: (await getModel(a)).created }]);
  });

  test('metadata.<key>.value filters on a metadata value, numbers compared as strings', async () => {
    const ten = await create({ name: 'ten', metadata: [{ key: 'epochs', type: 'int', value: '10' }] });
    await create({ name: 'five', metadata: [{ key: 'epochs', type: 'int', value: '5' }] });
    await create({ name: 'none' });
    assert.deepEqual(ids(await call('models.get_all', { 'metadata.epochs.value': '10' })), [ten]);
    assert.deepEqual(ids(await call('models.get_all', { 'metadata.epochs.value': 10 })), [ten]);
  });

  test('only_fields nests dotted paths and always keeps id', async () => {
    const id = await create({ name: 'n', design: { design: 'txt' }, metadata: [{ key: 'k', type: 'str', value: 'v' }] });
    const res = await call('models.get_all', { id: [id], only_fields: ['metadata.k.value', 'design.design'] });
    assert.deepEqual(res.models, [{ id, metadata: { k: { value: 'v' } }, design: { design: 'txt' } }]);
  });

  test('order_by -created with pages of a fixed size, as Model.query_models pages', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await create({ name: `m${i}` });
      await call('models.update', { model: id, created: `2025-01-0${i + 1}T00:00:00Z` });
      made.push(id);
    }
    const page = (n: number) => call('models.get_all', { order_by: ['-created'], page: n, page_size: 2, only_fields: ['id', 'created', 'system_tags'] });
    assert.deepEqual(ids(await page(0)), [made[4], made[3]]);
    assert.deepEqual(ids(await page(1)), [made[2], made[1]]);
    assert.deepEqual(ids(await page(2)), [made[0]]);
    assert.deepEqual(ids(await page(3)), []);
    assert.deepEqual(ids(await call('models.get_all', {})), made, 'without order_by, creation order');
  });

  test('ready, project, task and tags filters', async () => {
    await addProject('1'.repeat(32));
    await addTask('2'.repeat(32));
    const published = await create({ name: 'p', ready: true, project: '1'.repeat(32), tags: ['best'] });
    const draft = await create({ name: 'd', task: '2'.repeat(32), tags: ['best', 'debug'] });
    assert.deepEqual(ids(await call('models.get_all', { ready: true })), [published]);
    assert.deepEqual(ids(await call('models.get_all', { ready: false })), [draft]);
    assert.deepEqual(ids(await call('models.get_all', { project: ['1'.repeat(32)] })), [published]);
    assert.deepEqual(ids(await call('models.get_all', { task: ['2'.repeat(32)], order_by: ['created'], only_fields: ['id'] })), [draft]);
    assert.deepEqual(ids(await call('models.get_all', { tags: ['best', '-debug'] })), [published]);
    assert.deepEqual(ids(await call('models.get_all', { tags: ['__$all', 'best', 'debug'] })), [draft]);
  });

  test('get_all_ex answers like get_all', async () => {
    const id = await create({ name: 'x' });
    assert.deepEqual(ids(await call('models.get_all_ex', { name: '^x$' })), [id]);
  });
});

describe('models.edit and models.update', () => {
  test('edit replaces the given fields, maps iteration to last_iteration and answers with the fields', async () => {
    await addTask('3'.repeat(32));
    const id = await create({ name: 'before', tags: ['old'], labels: { a: 1 } });
    const before = await getModel(id);
    const res = await call('models.edit', {
      model: id, uri: 'http://files/m.pt', name: 'after', comment: 'Created by task id: x', tags: [], system_tags: [],
      framework: 'PyTorch', design: { design: 'layers' }, labels: { b: 2 }, task: '3'.repeat(32), iteration: 7,
    });
    assert.equal(res.updated, 1);
    const m = await getModel(id);
    assert.equal(m.uri, 'http://files/m.pt');
    assert.equal(m.name, 'after');
    assert.deepEqual(m.tags, []);
    assert.deepEqual(m.labels, { b: 2 });
    assert.deepEqual(m.design, { design: 'layers' });
    assert.equal(m.task, '3'.repeat(32));
    assert.equal(m.last_iteration, 7);
    assert.equal(m.created, before.created);
    assert.ok(m.last_update >= before.last_update);
    const fields = res.fields as Record<string, unknown>;
    assert.equal(fields.name, 'after');
    assert.equal(fields.last_iteration, 7);
    assert.equal(fields.last_update, m.last_update);
  });

  test('an empty parent clears it; unknown model answers 400/201', async () => {
    const parent = await create({ name: 'parent' });
    const id = await create({ name: 'child', parent });
    await call('models.edit', { model: id, parent: '' });
    assert.equal((await getModel(id)).parent, undefined);
    await rejectsWith(call('models.edit', { model: 'f'.repeat(32), name: 'x' }), 400, 201);
    await rejectsWith(call('models.update', { model: id, created: 'not a date' }), 400, 12);
  });

  test('update takes only its own fields', async () => {
    const id = await create({ name: 'm', uri: 'file:///keep' });
    await call('models.update', { model: id, name: 'renamed', uri: 'file:///ignored', ready: true });
    const m = await getModel(id);
    assert.equal(m.name, 'renamed');
    assert.equal(m.uri, 'file:///keep');
    assert.equal(m.ready, true);
    assert.match(m.published ?? '', ISO);
  });
});

describe('models.set_ready and publish_many', () => {
  test('set_ready makes the model ready once and stamps published', async () => {
    const id = await create({ name: 'm' });
    assert.deepEqual(await call('models.set_ready', { model: id, publish_task: false }), { updated: 1 });
    const m = await getModel(id);
    assert.equal(m.ready, true);
    assert.match(m.published ?? '', ISO);
    assert.deepEqual(await call('models.set_ready', { model: id }), { updated: 0 });
    assert.equal((await getModel(id)).published, m.published);
    await rejectsWith(call('models.set_ready', { model: 'f'.repeat(32) }), 400, 201);
  });

  test('publish_many reports each id', async () => {
    const id = await create({ name: 'm' });
    const res = await call('models.publish_many', { ids: [id, 'f'.repeat(32)] });
    assert.deepEqual(res.succeeded, [{ id }]);
    assert.deepEqual((res.failed as { id: string; error: { codes: number[] } }[]).map((f) => [f.id, f.error.codes]), [['f'.repeat(32), [400, 201]]]);
    assert.equal((await getModel(id)).ready, true);
  });
});

describe('models metadata', () => {
  test('add_or_update_metadata merges by default and replaces with replace_metadata', async () => {
    const id = await create({ name: 'm', metadata: [{ key: 'a', type: 'str', value: '1' }, { key: 'b', type: 'str', value: '2' }] });
    assert.deepEqual(await call('models.add_or_update_metadata', { model: id, metadata: [{ key: 'b', type: 'int', value: '3' }, { key: 'c', type: 'None', value: 'x' }], replace_metadata: false }), { updated: 1 });
    assert.deepEqual((await getModel(id)).metadata, {
      a: { key: 'a', type: 'str', value: '1' },
      b: { key: 'b', type: 'int', value: '3' },
      c: { key: 'c', type: 'None', value: 'x' },
    });
    await call('models.add_or_update_metadata', { model: id, metadata: [{ key: 'z', type: 'float', value: '0.5' }], replace_metadata: true });
    assert.deepEqual((await getModel(id)).metadata, { z: { key: 'z', type: 'float', value: '0.5' } });
  });

  test('delete_metadata drops the named keys', async () => {
    const id = await create({ name: 'm', metadata: [{ key: 'a', type: 'str', value: '1' }, { key: 'b', type: 'str', value: '2' }] });
    assert.deepEqual(await call('models.delete_metadata', { model: id, keys: ['a', 'missing'] }), { updated: 1 });
    assert.deepEqual(Object.keys((await getModel(id)).metadata), ['b']);
    assert.deepEqual(await call('models.delete_metadata', { model: id, keys: ['missing'] }), { updated: 0 });
    await rejectsWith(call('models.add_or_update_metadata', { model: 'f'.repeat(32), metadata: [] }), 400, 201);
  });
});

describe('models archive and delete', () => {
  test('archive_many and unarchive_many toggle the archived system tag per id', async () => {
    const a = await create({ name: 'a', system_tags: ['keep'] });
    const res = await call('models.archive_many', { ids: [a, 'f'.repeat(32)] });
    assert.deepEqual(res.succeeded, [{ id: a, archived: true }]);
    assert.equal((res.failed as { id: string }[])[0].id, 'f'.repeat(32));
    assert.deepEqual((await getModel(a)).system_tags, ['keep', 'archived']);
    assert.deepEqual((await call('models.archive_many', { ids: [a] })).succeeded, [{ id: a, archived: false }]);
    assert.deepEqual((await call('models.unarchive_many', { ids: [a] })).succeeded, [{ id: a, unarchived: true }]);
    assert.deepEqual((await getModel(a)).system_tags, ['keep']);
    await rejectsWith(call('models.archive_many', { ids: [] }), 400, 17);
  });

  test('delete answers with the url, then 400/201', async () => {
    const id = await create({ name: 'm', uri: 'http://files/x/model.pt' });
    assert.deepEqual(await call('models.delete', { model: id, force: false }), { deleted: true, url: 'http://files/x/model.pt' });
    await rejectsWith(call('models.delete', { model: id }), 400, 201);
  });

  test('a model another task loads as input needs force', async () => {
    await addTask('4'.repeat(32));
    const id = await create({ name: 'm', task: '4'.repeat(32) });
    await addTask('5'.repeat(32), { models: { input: [{ name: 'in', model: id }], output: [] } });
    await rejectsWith(call('models.delete', { model: id }), 400, 205);
    assert.ok(await store.models.get(id));
    assert.equal((await call('models.delete', { model: id, force: true })).deleted, true);
    assert.equal(await store.models.get(id), undefined);
  });

  test('delete_many deletes what it can', async () => {
    const a = await create({ name: 'a', uri: 'file:///a' });
    const b = await create({ name: 'b', uri: 'file:///b' });
    const res = await call('models.delete_many', { ids: [a, b, 'f'.repeat(32)] });
    assert.deepEqual(res.succeeded, [{ id: a, deleted: true, url: 'file:///a' }, { id: b, deleted: true, url: 'file:///b' }]);
    assert.equal((res.failed as unknown[]).length, 1);
    assert.equal(await store.models.count(), 0);
  });
});
