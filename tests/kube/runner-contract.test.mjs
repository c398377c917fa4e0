/**
 * The pod's command contract, run for real. No container runs on the test cluster, so
 * this takes the Pod the glue created, resolves its environment the way a kubelet would
 * (values, and Secret references read through the API) and runs its command locally,
 * against the same Cairn server, with one change: CAIRN_RUNNER_DIR points at a folder
 * holding this checkout's runner instead of the /cairn volume the init container fills.
 * The task must complete with its console and scalars, reported by the pod's worker.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { K8sGlue } from '@cairn/agent';
import { startTestServer, TEST_KEY, TEST_SECRET } from '@cairn/server/testing';
import { freshNamespace, kubeDown, kubeUp, ROOT, until } from './harness.mjs';
import { execFileSync } from 'node:child_process';

const TRAIN = `
from clearml import Task
task = Task.init(project_name="ignored when remote", task_name="ignored when remote")
logger = task.get_logger()
for i in range(3):
    logger.report_scalar("loss", "train", value=1.0 / (i + 1), iteration=i)
print("trained in a pod, worker", __import__("os").environ["CLEARML_WORKER_ID"], flush=True)
`;

let server;
let kc;
let core;
let glue;
const dir = mkdtempSync(join(tmpdir(), 'cairn-pod-contract-'));

before(async () => {
  ({ kc } = kubeUp());
  core = kc.makeApiClient(k8s.CoreV1Api);
  server = await startTestServer();
});

after(async () => {
  await glue?.stop().catch(() => undefined);
  await server?.close();
  kubeDown();
  rmSync(dir, { recursive: true, force: true });
});

function gitRepo(path) {
  mkdirSync(path, { recursive: true });
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' };
  const git = (...args) => execFileSync('git', args, { cwd: path, env });
  git('init', '--quiet', '--initial-branch=main');
  writeFileSync(join(path, 'train.py'), TRAIN);
  git('add', '-A');
  git('commit', '--quiet', '-m', 'train');
}

/** The container's environment as a kubelet resolves it: plain values and Secret keys. */
async function resolveEnv(namespace, env) {
  const out = {};
  for (const e of env) {
    if (e.value !== undefined) out[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      const s = await core.readNamespacedSecret({ name: e.valueFrom.secretKeyRef.name, namespace });
      out[e.name] = Buffer.from(s.data[e.valueFrom.secretKeyRef.key], 'base64').toString('utf8');
    }
  }
  return out;
}

test('the command of the pod the glue made runs the task to completion with its console and scalars', { timeout: 600_000 }, async () => {
  const namespace = await freshNamespace(core, 'contract');
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'cairn-task-keys' }, stringData: { access_key: TEST_KEY, secret_key: TEST_SECRET } } });
  const { id: queueId } = await server.ok('queues.create', { name: `contract-${process.pid}` });
  glue = await K8sGlue.start({
    config: { apiHost: server.api, webHost: server.server.listening.web, filesHost: server.files, accessKey: TEST_KEY, secretKey: TEST_SECRET },
    kubeConfig: kc, queues: [`contract-${process.pid}`], namespace, runnerImage: 'cairn-agent:0.1.0', podCredentialsSecret: 'cairn-task-keys',
    baseTemplate: { metadata: { annotations: { 'kube-local/outcome': 'run' } } }, name: `contract-glue-${process.pid}`, pollIntervalSec: 1, checkIntervalMs: 500, log: () => {},
  });
  const repo = join(dir, 'repo');
  gitRepo(repo);
  const { id } = await server.ok('tasks.create', { name: 'runs in a pod', type: 'training', script: { repository: repo, branch: 'main', entry_point: 'train.py' } });
  await server.ok('tasks.enqueue', { task: id, queue: queueId });
  const pod = await until(() => core.readNamespacedPod({ name: `cairn-task-${id}`, namespace }).catch(() => null), Boolean, 'the pod');
  const main = pod.spec.containers[0];
  assert.deepEqual(main.command.slice(0, 2), ['/bin/sh', '-c']);
  const env = await resolveEnv(namespace, main.env);
  assert.equal(env.CLEARML_API_ACCESS_KEY, TEST_KEY, 'the key pair comes from the Secret');
  assert.equal(env.CAIRN_TASK_ID, id);

  // What the init container would have copied to /cairn: a runner of this checkout.
  const runnerDir = join(dir, 'runner');
  mkdirSync(runnerDir, { recursive: true });
  writeFileSync(join(runnerDir, 'run-task'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'packages/cli/bin/cairn.js')}" agent run-task "$@"\n`);
  chmodSync(join(runnerDir, 'run-task'), 0o755);
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const run = spawn(main.command[0], main.command.slice(1), {
    env: {
      PATH: process.env.PATH, HOME: home, ...env, CAIRN_RUNNER_DIR: runnerDir,
      // the pod would start with an empty pip cache; here the user's keeps PyPI out of the way
      PIP_CACHE_DIR: process.env.PIP_CACHE_DIR ?? join(homedir(), '.cache', 'pip'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  run.stdout.on('data', (d) => (output += d));
  run.stderr.on('data', (d) => (output += d));
  const code = await new Promise((r) => run.on('close', r));
  assert.equal(code, 0, output.slice(-4000));

  const t = (await server.ok('tasks.get_by_id', { task: id })).task;
  assert.equal(t.status, 'completed', `${t.status_reason}\n${output.slice(-4000)}`);
  assert.equal(t.last_worker, `contract-glue-${process.pid}:${id.slice(0, 8)}`);
  const log = ((await server.ok('events.get_task_log', { task: id, batch_size: 1000, navigate_earlier: false })).events ?? []).map((e) => e.msg).join('\n');
  assert.match(log, new RegExp(`trained in a pod, worker contract-glue-${process.pid}:${id.slice(0, 8)}`));
  const hist = await server.ok('events.scalar_metrics_iter_histogram', { task: id });
  assert.deepEqual(hist.loss.train.x, [0, 1, 2]);
  // the task is done: the glue deletes its pod
  await until(() => core.readNamespacedPod({ name: `cairn-task-${id}`, namespace }).then(() => false, (e) => e.code === 404), Boolean, 'pod deleted after the task ended');
});
