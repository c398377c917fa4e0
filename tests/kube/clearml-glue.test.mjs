/**
 * The real ClearML Kubernetes glue (clearml-agent's K8sIntegration, from PyPI, driving
 * kubectl) against Cairn's server and the test cluster: it moves the task into its
 * hidden `k8s_scheduler` queue, applies a pod from its template, reports the pod's
 * pending state on the task, fails the task when the image cannot be pulled, and deletes
 * the pod of a task aborted while pending. Started by a launcher of our own (the
 * `k8s_glue_example.py` the clearml-agent image uses is not in the package).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startTestServer, TEST_KEY, TEST_SECRET } from '@cairn/server/testing';
import { freshNamespace, kubeDown, kubeUp, ROOT, until } from './harness.mjs';

const LAUNCHER = `
import sys
from clearml_agent.glue.k8s import K8sIntegration

queue, template, namespace = sys.argv[1:4]
K8sIntegration(template_yaml=template, namespace=namespace).k8s_daemon(queue)
`;

let server;
let core;
let glue;
let output = '';
let namespace;
let queue;
const dir = mkdtempSync(join(tmpdir(), 'cairn-clearml-glue-'));

before(async () => {
  const { kc, kubeconfig, env: kubeEnv } = kubeUp();
  core = kc.makeApiClient(k8s.CoreV1Api);
  server = await startTestServer();
  namespace = await freshNamespace(core, 'clearml-glue');
  queue = `clearml-glue-${process.pid}`;
  await server.ok('queues.create', { name: queue });
  const python = execFileSync('bash', [join(ROOT, 'tests/compat/venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  writeFileSync(join(dir, 'glue.py'), LAUNCHER);
  // pods stay Pending in ContainerCreating: the glue's pending monitor is what is tested
  writeFileSync(join(dir, 'template.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    kube-local/outcome: pending\nspec:\n  containers:\n  - name: main\n    resources:\n      limits:\n        nvidia.com/gpu: 1\n');
  writeFileSync(join(dir, 'clearml.conf'), `api { api_server: "${server.api}", web_server: "${server.server.listening.web}", files_server: "${server.files}", credentials { access_key: "${TEST_KEY}", secret_key: "${TEST_SECRET}" } }\nagent { default_docker { image: "python:3.11-slim" } }\n`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CLEARML_')));
  glue = spawn(python, [join(dir, 'glue.py'), queue, join(dir, 'template.yaml'), namespace], {
    env: { ...env, PATH: kubeEnv.KUBE_LOCAL_KUBECTL ? `${dirname(kubeEnv.KUBE_LOCAL_KUBECTL)}:${process.env.PATH}` : process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig, CLEARML_CONFIG_FILE: join(dir, 'clearml.conf'), CLEARML_WORKER_ID: `clearml-glue-${process.pid}`, CLEARML_AGENT_SKIP_PIP_VENV_INSTALL: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  glue.stdout.on('data', (d) => (output += d));
  glue.stderr.on('data', (d) => (output += d));
});

after(async () => {
  if (glue && glue.exitCode === null && glue.signalCode === null) {
    const exited = new Promise((resolve) => glue.once('exit', resolve));
    glue.kill('SIGKILL');
    await exited;
  }
  await server?.close();
  kubeDown();
  // a kubectl the glue started may still be writing its cache under HOME for a moment
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

const task = async (id) => (await server.ok('tasks.get_by_id', { task: id })).task;
const readPod = (name) => core.readNamespacedPod({ name, namespace }).catch((err) => (err.code === 404 ? null : Promise.reject(err)));
const why = async () => `glue output:\n${output.slice(-4000)}`;

async function enqueue(container) {
  const { id } = await server.ok('tasks.create', { name: `for clearml glue ${Date.now()}`, type: 'training', script: { repository: 'https://example.com/r.git', entry_point: 'train.py' }, container });
  const { queues } = await server.ok('queues.get_all', { name: `^${queue}$` });
  await server.ok('tasks.enqueue', { task: id, queue: queues[0].id });
  return id;
}

test('the ClearML glue moves the task to its hidden pending queue and applies a pod named after the task', { timeout: 180_000 }, async () => {
  const id = await enqueue({ image: 'python:3.11-slim' });
  const pod = await until(() => readPod(`clearml-id-${id}`), Boolean, 'the pod of the ClearML glue', 120_000, why);
  // clearml-agent 3.0.3 names the pod after the task and labels it with its agent and queue
  assert.match(pod.metadata.labels.CLEARML, /^agent-[0-9a-f]{8}$/);
  assert.equal(pod.metadata.labels['clearml-agent-queue-name'], queue);
  const { queues: [ours] } = await server.ok('queues.get_all', { name: `^${queue}$` });
  assert.equal(pod.metadata.labels['clearml-agent-queue'], ours.id);
  assert.equal(pod.spec.containers[0].image, 'python:3.11-slim');
  const t = await until(() => task(id), (x) => x.status === 'queued' && x.execution?.queue, 'task back in a queue', 30_000, why);
  const { queues } = await server.ok('queues.get_all', { name: '^k8s_scheduler$', search_hidden: true });
  assert.equal(queues.length, 1, 'the glue made its pending queue');
  assert.equal(t.execution.queue, queues[0].id);
  assert.ok(queues[0].system_tags.includes('k8s-glue'));
  assert.equal(t.hyperparams?.properties?.['k8s-queue']?.value, queue);
  // its pending-pods monitor tells the task what the pod waits for (tasks.update status_message)
  const waiting = await until(() => task(id), (x) => /^K8S glue status: /.test(x.status_message ?? ''), 'the glue\'s pending status message', 60_000, why);
  assert.match(waiting.status_message, /ContainerCreating/);
});

test('the ClearML glue fails a task whose image cannot be pulled, and deletes its pod', { timeout: 180_000 }, async () => {
  const id = await enqueue({ image: 'nonexistent:1' });
  const t = await until(() => task(id), (x) => x.status === 'failed', 'task failed by the glue', 120_000, why);
  assert.match(t.status_reason, /K8S glue error: (ErrImagePull|ImagePullBackOff)/);
  await until(() => readPod(`clearml-id-${id}`), (p) => p === null, 'pod deleted', 60_000, why);
});

test('the pod of a task aborted while pending is deleted by the ClearML glue', { timeout: 180_000 }, async () => {
  const id = await enqueue({ image: 'python:3.11-slim' });
  await until(() => readPod(`clearml-id-${id}`), Boolean, 'the pod', 120_000, why);
  await server.ok('tasks.stop', { task: id, force: true });
  assert.equal((await task(id)).status, 'stopped');
  await until(() => readPod(`clearml-id-${id}`), (p) => p === null, 'pod deleted after the abort', 120_000, why);
});
