import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Task } from '@cairn/protocol';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * The nested parts of a task come back exactly as the clients wrote them. The shapes below
 * are the ones the clearml SDK 2.1 and clearml-agent 3.0 send (read from their code): a
 * list must stay a list and an object an object, or a clone of an agent-run task can no
 * longer run (pip reads "attrs==26.1.0,certifi==…" as one requirement).
 */
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

const getTask = async (id: string) => (await s.ok('tasks.get_by_id', { task: id })).task as Task;

// script as the SDK's repository detection writes it (requirements as text)
const SDK_SCRIPT = {
  repository: 'https://example.com/org/repo.git',
  branch: 'main',
  version_num: '0123456789abcdef0123456789abcdef01234567',
  tag: '',
  entry_point: 'train.py',
  working_dir: '.',
  diff: 'diff --git a/train.py b/train.py\n+print("x")\n',
  binary: 'python3.11',
  requirements: { pip: '# Python 3.11.7\nclearml == 2.1.12\nnumpy == 2.4.6\n' },
};
// clearml-agent's freeze write-back (tasks.set_requirements): the original text moves to
// org_pip and the freeze is a list of lines
const AGENT_REQUIREMENTS = {
  org_pip: '# Python 3.11.7\nclearml == 2.1.12\nnumpy == 2.4.6\n',
  pip: ['attrs==26.1.0', 'certifi==2026.11.1', 'clearml==2.1.12', 'numpy==2.4.6'],
};
const EXECUTION = {
  parameters: {},
  model_desc: {},
  model_labels: { background: 0, person: 1 },
  framework: 'pytorch',
  docker_cmd: 'python:3.11 --ipc=host',
};
const CONTAINER = { image: 'python:3.11-slim', arguments: '--ipc=host -e A=1', setup_shell_script: 'apt-get update\napt-get install -y git\n' };
const RUNTIME = { ide: 'PyCharm', _abort_poll_freq: 10, cpu_cores: 2.0, gpu_type: 'NVIDIA H200', progress: 50, nested: { a: [1, 2], b: null } };
const HYPERPARAMS = {
  General: { lr: { section: 'General', name: 'lr', value: '0.01', type: 'float', description: 'learning rate' } },
  Args: { layers: { section: 'Args', name: 'layers', value: '[64, 32]', type: 'list' } },
};
const CONFIGURATION = {
  'model config': { name: 'model config', value: 'a: 1\nb: [1, 2]\n', type: 'yaml', description: 'the model' },
  General: { name: 'General', value: '{"lr": 0.01}', type: 'dictionary' },
};

test('script, execution, container, runtime, hyperparams and configuration read back as sent', async () => {
  const { id } = await s.ok('tasks.create', {
    name: 'shapes', type: 'training', script: SDK_SCRIPT, execution: EXECUTION, container: CONTAINER, runtime: RUNTIME,
    hyperparams: HYPERPARAMS, configuration: CONFIGURATION,
  });
  const t = await getTask(id);
  assert.deepEqual(t.script, SDK_SCRIPT);
  assert.deepEqual({ ...t.execution, artifacts: undefined }, { ...EXECUTION, artifacts: undefined });
  assert.deepEqual(t.container, CONTAINER);
  assert.deepEqual(t.runtime, RUNTIME);
  assert.deepEqual(t.hyperparams, HYPERPARAMS);
  assert.deepEqual(t.configuration, CONFIGURATION);
});

test("clearml-agent's list requirements survive set_requirements, clone and edit", async () => {
  const { id } = await s.ok('tasks.create', { name: 'agent run', type: 'training', script: SDK_SCRIPT });
  await s.ok('tasks.set_requirements', { task: id, requirements: AGENT_REQUIREMENTS });
  assert.deepEqual((await getTask(id)).script.requirements, AGENT_REQUIREMENTS);

  const clone = (await s.ok('tasks.clone', { task: id, new_task_name: 'clone' })).id as string;
  const cloned = await getTask(clone);
  assert.deepEqual(cloned.script.requirements, AGENT_REQUIREMENTS);
  assert.ok(Array.isArray((cloned.script.requirements as { pip: unknown }).pip));

  // the SDK's own edit of the script (another field) keeps the requirements as they are
  await s.ok('tasks.edit', { task: clone, script: { branch: 'dev' } });
  assert.deepEqual((await getTask(clone)).script.requirements, AGENT_REQUIREMENTS);
  await s.ok('tasks.edit', { task: clone, script: { requirements: { pip: ['numpy==2.4.6'], conda: null } } });
  assert.deepEqual((await getTask(clone)).script.requirements, { pip: ['numpy==2.4.6'], conda: null });
});

test('container values that are not strings are refused with a 400 naming the field, and nothing changes', async () => {
  const { id } = await s.ok('tasks.create', { name: 'container', type: 'training', container: CONTAINER });
  for (const bad of [{ a: { b: 1 } }, { image: ['python:3.11'] }, { image: 3 }]) {
    const r = await s.call('tasks.edit', { task: id, container: bad });
    assert.equal(r.status, 400);
    assert.equal(r.meta.result_code, 400);
    assert.match(String(r.meta.result_msg), /container\.(a|image)/);
  }
  const r = await s.call('tasks.clone', { task: id, new_task_container: { image: { name: 'x' } } });
  assert.equal(r.status, 400);
  assert.match(String(r.meta.result_msg), /new_task_container\.image/);
  assert.deepEqual((await getTask(id)).container, CONTAINER);
  // null means "not set" (the SDK sends it for an empty argument list)
  await s.ok('tasks.edit', { task: id, container: { image: 'python:3.12', arguments: null } });
  assert.deepEqual((await getTask(id)).container, { image: 'python:3.12' });
});

test('requirements that are not an object, and parameter types that are not strings, are refused', async () => {
  const { id } = await s.ok('tasks.create', { name: 'bad', type: 'training', script: SDK_SCRIPT });
  for (const [endpoint, body] of [
    ['tasks.set_requirements', { task: id, requirements: ['numpy'] }],
    ['tasks.edit', { task: id, script: { requirements: 'numpy' } }],
    ['tasks.edit', { task: id, hyperparams: { General: { lr: { name: 'lr', value: '1', type: { t: 'float' } } } } }],
    ['tasks.edit', { task: id, configuration: { c: { name: 'c', value: 'x', description: ['d'] } } }],
  ] as const) {
    const r = await s.call(endpoint, body);
    assert.equal(r.status, 400, `${endpoint} ${JSON.stringify(body)}: ${String(r.meta.result_msg)}`);
  }
  assert.deepEqual((await getTask(id)).script, SDK_SCRIPT);
});
