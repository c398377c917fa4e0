/**
 * `cairn agent k8s` against a real Kubernetes API (shared/kube: real apiserver,
 * scheduler and controllers; pods on the fake GPU node are simulated by kwok, their
 * outcome chosen with `kube-local/*` annotations of the pod template, so no container
 * runs here: the pod's command is run for real in runner-contract.test.mjs). Each test
 * has its own namespace, queues and glue; the Cairn server is real.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { K8sGlue } from '@cairn/agent';
import { startTestServer, TEST_KEY, TEST_SECRET } from '@cairn/server/testing';
import { freshNamespace, kubeDown, kubeUp, until } from './harness.mjs';

let server;
let kc;
let core;
const glues = [];
let n = 0;

before(async () => {
  ({ kc } = kubeUp());
  core = kc.makeApiClient(k8s.CoreV1Api);
  server = await startTestServer();
});

after(async () => {
  for (const g of glues) await g.stop().catch(() => undefined);
  await server?.close();
  kubeDown();
});

const config = () => ({ apiHost: server.api, webHost: server.server.listening.web, filesHost: server.files, accessKey: TEST_KEY, secretKey: TEST_SECRET });

async function startGlue(opts) {
  const glue = await K8sGlue.start({
    config: config(),
    kubeConfig: kc,
    runnerImage: 'cairn-agent:0.1.0',
    pollIntervalSec: 1,
    checkIntervalMs: 500,
    log: () => {},
    name: `glue-${process.pid}-${++n}`,
    ...opts,
  });
  glues.push(glue);
  return glue;
}

async function queue(prefix = 'k8s') {
  const name = `${prefix}-${process.pid}-${++n}`;
  const { id } = await server.ok('queues.create', { name });
  return { name, id };
}

async function enqueue(q, fields = {}) {
  const { id } = await server.ok('tasks.create', { name: `k8s task ${++n}`, type: 'training', script: { repository: 'https://example.com/r.git', entry_point: 'train.py' }, ...fields });
  await server.ok('tasks.enqueue', { task: id, queue: q.id });
  return id;
}

const task = async (id) => (await server.ok('tasks.get_by_id', { task: id })).task;
const consoleText = async (id) => ((await server.ok('events.get_task_log', { task: id, batch_size: 1000, navigate_earlier: false })).events ?? []).map((e) => e.msg).join('\n');
const readPod = (namespace, name) => core.readNamespacedPod({ name, namespace }).catch((err) => (err.code === 404 ? null : Promise.reject(err)));
const podOf = (namespace, taskId) => until(() => readPod(namespace, `cairn-task-${taskId}`), Boolean, `pod of task ${taskId}`);
const gone = (namespace, taskId) => until(() => readPod(namespace, `cairn-task-${taskId}`), (p) => p === null, `pod of task ${taskId} deleted`);
const finalTask = (id, ms) => until(() => task(id), (t) => ['completed', 'failed', 'stopped'].includes(t.status), `task ${id} final`, ms);
const ourPods = async (namespace) => (await core.listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/managed-by=cairn-agent' })).items;

/** A namespace, a queue and a glue whose pods all get `template`. */
async function scenario(prefix, template, opts = {}) {
  const namespace = await freshNamespace(core, prefix);
  const q = await queue(prefix);
  const glue = await startGlue({ queues: [q.name], namespace, baseTemplate: template, ...opts });
  return { namespace, q, glue };
}

const withOutcome = (annotations, limits = { memory: '1Gi' }) => ({ metadata: { annotations }, spec: { containers: [{ name: 'main', resources: { limits } }] } });

describe('pods from templates', () => {
  test('a queued task becomes one pod carrying the base and queue templates, scheduled on the GPU node', async () => {
    const namespace = await freshNamespace(core, 'tpl');
    const gpu = await queue('gpu');
    const cpu = await queue('cpu');
    const base = {
      metadata: { labels: { team: 'vision' }, annotations: { 'kube-local/outcome': 'run' } },
      spec: {
        nodeSelector: { gpu: 'true' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        containers: [{ name: 'main', env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }], resources: { limits: { 'nvidia.com/gpu': '1', memory: '4Gi' } } }],
      },
    };
    await startGlue({
      queues: [gpu.name, cpu.name], namespace, baseTemplate: base,
      queueTemplates: { [cpu.name]: { metadata: { labels: { pool: 'cpu' } }, spec: { containers: [{ name: 'x', resources: { limits: { 'nvidia.com/gpu': '0' } } }] } } },
    });
    const onGpu = await enqueue(gpu, { container: { image: 'pytorch/pytorch:2.5.1', arguments: '-e WANDB_MODE=offline' } });
    const onCpu = await enqueue(cpu);
    const p = await podOf(namespace, onGpu);
    assert.equal(p.metadata.labels['cairn.dev/task'], onGpu);
    assert.equal(p.metadata.labels['cairn.dev/queue'], gpu.id);
    assert.equal(p.metadata.labels.team, 'vision');
    assert.equal(p.spec.containers[0].image, 'pytorch/pytorch:2.5.1');
    assert.deepEqual(p.spec.containers[0].resources.limits, { 'nvidia.com/gpu': '1', memory: '4Gi' });
    assert.ok(p.spec.containers[0].env.some((e) => e.name === 'WANDB_MODE' && e.value === 'offline'));
    assert.ok(p.spec.containers[0].env.some((e) => e.name === 'NVIDIA_VISIBLE_DEVICES' && e.value === 'all'));
    assert.equal(p.spec.initContainers[0].image, 'cairn-agent:0.1.0');
    const running = await until(() => readPod(namespace, p.metadata.name), (x) => x?.status?.phase === 'Running', 'GPU pod running');
    assert.equal(running.spec.nodeName, 'gpu-node-0');
    const c = await podOf(namespace, onCpu);
    assert.equal(c.metadata.labels.pool, 'cpu');
    assert.deepEqual(c.spec.containers[0].resources.limits, { 'nvidia.com/gpu': '0', memory: '4Gi' });
    assert.equal(c.spec.containers[0].image, 'python:3.11-slim');
    assert.match(await consoleText(onGpu), /pulled from gpu-\S+ by worker glue-\S+; creating pod cairn-task-/);
    assert.match(await consoleText(onGpu), /pod cairn-task-\S+ is running on node gpu-node-0/);
  });
});

describe('what the cluster says reaches the task', () => {
  test('a pod no node fits: the scheduler\'s own words in the status message and the console; the task waits', async () => {
    const { q } = await scenario('unsched', withOutcome({}, { 'nvidia.com/gpu': '9' }));
    const id = await enqueue(q);
    const t = await until(() => task(id), (x) => /Insufficient nvidia\.com\/gpu/.test(x.status_message), 'unschedulable status message');
    assert.match(t.status_message, /^Pending: 0\/1 nodes are available: 1 Insufficient nvidia\.com\/gpu/);
    assert.equal(t.status, 'queued');
    assert.match(await consoleText(id), /K8s: Pending: 0\/1 nodes are available: 1 Insufficient nvidia\.com\/gpu/);
  });

  test('--pending-timeout fails a task whose pod never starts, with the reason, and deletes the pod', async () => {
    const { q, namespace } = await scenario('ptimeout', withOutcome({}, { 'nvidia.com/gpu': '9' }), { pendingTimeoutSec: 2 });
    const id = await enqueue(q);
    const t = await finalTask(id);
    assert.equal(t.status, 'failed');
    assert.match(t.status_reason, /^the pod did not start within 2 s \(Pending: 0\/1 nodes are available/);
    await gone(namespace, id);
  });

  test('an image that cannot be pulled fails the task with the image and the reason, and the pod goes', async () => {
    const { q, namespace } = await scenario('pull', withOutcome({}));
    const id = await enqueue(q, { container: { image: 'nonexistent:1' } });
    const t = await finalTask(id);
    assert.equal(t.status, 'failed');
    assert.match(t.status_reason, /^image nonexistent:1 cannot be pulled: (ErrImagePull|ImagePullBackOff)/);
    assert.match(await consoleText(id), /K8s: image nonexistent:1 cannot be pulled/);
    await gone(namespace, id);
  });

  for (const [what, annotations, want] of [
    ['OOMKilled', { 'kube-local/outcome': 'oomkill' }, /^out of memory, limit 1Gi/],
    ['CrashLoopBackOff', { 'kube-local/outcome': 'crashloop' }, /CrashLoopBackOff/],
    ['a failing container', { 'kube-local/outcome': 'fail', 'kube-local/exit-code': '3', 'kube-local/message': 'segfault in loader' }, /^the pod failed: Error, exit code 3 \(segfault in loader\)/],
    ['a container that exits 0 before its runner reported', { 'kube-local/outcome': 'succeed' }, /^the pod ended before the task reported a result/],
  ]) {
    test(`${what} fails the task, saying so, and the pod goes`, async () => {
      const { q, namespace } = await scenario('outcome', withOutcome(annotations));
      const id = await enqueue(q);
      const t = await finalTask(id);
      assert.equal(t.status, 'failed', t.status_reason);
      assert.match(t.status_reason, want);
      assert.match(await consoleText(id), /K8s: /);
      await gone(namespace, id);
    });
  }

  test('an aborted task loses its running pod within seconds and ends stopped', async () => {
    const { q, namespace } = await scenario('abort', withOutcome({ 'kube-local/outcome': 'run' }));
    const id = await enqueue(q);
    await until(() => podOf(namespace, id), (p) => p.status?.phase === 'Running', 'pod running');
    await server.ok('tasks.stop', { task: id, force: true });
    await gone(namespace, id);
    assert.equal((await task(id)).status, 'stopped');
  });
});

describe('capacity, restarts and workers', () => {
  test('--max-pods: no more pods than allowed; the rest of the queue keeps its order and runs as pods end', async () => {
    const { q, namespace } = await scenario('maxpods', withOutcome({ 'kube-local/outcome': 'run' }), { maxPods: 2 });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await enqueue(q));
    await until(() => ourPods(namespace), (pods) => pods.length === 2, 'two pods');
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual((await ourPods(namespace)).map((p) => p.metadata.labels['cairn.dev/task']).sort(), ids.slice(0, 2).sort());
    const left = (await server.ok('queues.get_by_id', { queue: q.id })).queue.entries.map((e) => e.task);
    assert.deepEqual(left, ids.slice(2), 'the rest wait in the queue, in order');
    await server.ok('tasks.stop', { task: ids[0], force: true });
    await until(() => ourPods(namespace), (pods) => pods.some((p) => p.metadata.labels['cairn.dev/task'] === ids[2]), 'the third task gets a pod');
    assert.ok((await ourPods(namespace)).filter((p) => !p.metadata.deletionTimestamp).length <= 2);
  });

  test('a restarted glue follows its pods again: no second pod, and it still acts on them', async () => {
    const namespace = await freshNamespace(core, 'restart');
    const q = await queue('restart');
    const name = `glue-restart-${process.pid}`;
    const first = await startGlue({ queues: [q.name], namespace, name, baseTemplate: withOutcome({ 'kube-local/outcome': 'run' }) });
    const id = await enqueue(q);
    await until(() => podOf(namespace, id), (p) => p.status?.phase === 'Running', 'pod running');
    await first.stop();
    glues.splice(glues.indexOf(first), 1);
    await server.ok('workers.unregister', { worker: name });
    const second = await startGlue({ queues: [q.name], namespace, name, baseTemplate: withOutcome({ 'kube-local/outcome': 'run' }) });
    await until(() => Promise.resolve(second.pods), (pods) => pods.includes(`cairn-task-${id}`), 'the new glue follows the pod');
    assert.equal((await ourPods(namespace)).length, 1);
    await server.ok('tasks.stop', { task: id, force: true });
    await gone(namespace, id);
  });

  test('two glues on one queue never start a task twice', async () => {
    const namespace = await freshNamespace(core, 'twoglues');
    const q = await queue('twoglues');
    await startGlue({ queues: [q.name], namespace, baseTemplate: withOutcome({ 'kube-local/outcome': 'run' }) });
    await startGlue({ queues: [q.name], namespace, baseTemplate: withOutcome({ 'kube-local/outcome': 'run' }) });
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push(await enqueue(q));
    const pods = await until(() => ourPods(namespace), (p) => p.length === 8, 'eight pods');
    assert.deepEqual(pods.map((p) => p.metadata.labels['cairn.dev/task']).sort(), [...ids].sort());
    assert.equal(new Set(pods.map((p) => p.metadata.labels['cairn.dev/glue'])).size, 2, 'both glues took some');
  });

  test('the glue is a worker on its queues', async () => {
    const { q, glue } = await scenario('worker', withOutcome({}));
    const { workers } = await server.ok('workers.get_all', {});
    const me = workers.find((w) => w.id === glue.workerId);
    assert.ok(me, JSON.stringify(workers.map((w) => w.id)));
    assert.deepEqual(me.queues.map((x) => x.id), [q.id]);
  });
});
