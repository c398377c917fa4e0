// The Kubernetes glue's latencies on the local control plane of shared/kube.
// Usage: node bench/k8s-glue.mjs [--tasks 20]
// Needs a built checkout (npm run build) and shared/kube beside it (started and stopped
// here). For each task, one after the other:
//   enqueue → pod created: from tasks.enqueue returning to the Pod existing in the API;
//   pod Running → task in_progress: from the glue's watch seeing the Pod Running (kwok
//   simulates the kubelet: no container runs) to the task being in_progress, with the
//   pod's own command run here at that moment, as the kubelet would start it (the runner
//   starts, signs in and marks the task started).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const TASKS = arg('tasks', 20);
const root = new URL('..', import.meta.url).pathname;
const shared = process.env.CAIRN_SHARED ?? resolve(root, '..', 'shared');
const state = mkdtempSync(join(tmpdir(), 'cairn-bench-kube-'));
const work = mkdtempSync(join(tmpdir(), 'cairn-bench-k8s-'));
const PORT = 29600;
const KEY = 'BENCHK8SKEY';
const SECRET = 'bench-k8s-secret';

execFileSync('bash', [join(shared, 'kube', 'up'), state], { stdio: ['ignore', 'ignore', 'inherit'] });
const server = spawn(process.execPath, [join(root, 'packages/cli/dist/main.js'), 'server', '--host', '127.0.0.1', '--data-dir', join(work, 'data'),
  '--api-port', String(PORT), '--web-port', String(PORT + 1), '--files-port', String(PORT + 2)],
{ env: { ...process.env, CAIRN_ACCESS_KEY: KEY, CAIRN_SECRET_KEY: SECRET }, stdio: ['ignore', 'ignore', 'inherit'] });
const api = `http://127.0.0.1:${PORT}`;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

let glue;
try {
  for (;;) {
    try {
      if ((await fetch(`${api}/debug.ping`)).status === 200) break;
    } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  const token = (await (await fetch(`${api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` } })).json()).data.token;
  const call = async (endpoint, body) => {
    const r = await (await fetch(`${api}/${endpoint}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    if (r.meta.result_code !== 200) throw new Error(`${endpoint}: ${r.meta.result_msg}`);
    return r.data;
  };
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(join(state, 'kubeconfig'));
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const namespace = 'bench';
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const { id: queue } = await call('queues.create', { name: 'bench-k8s' });
  const { K8sGlue } = await import(join(root, 'packages/agent/dist/index.js'));
  const runningSeen = new Map();
  glue = await K8sGlue.start({
    config: { apiHost: api, webHost: `http://127.0.0.1:${PORT + 1}`, filesHost: `http://127.0.0.1:${PORT + 2}`, accessKey: KEY, secretKey: SECRET },
    kubeConfig: kc, queues: ['bench-k8s'], namespace, runnerImage: 'cairn-agent:0.1.0', name: 'bench-glue', pollIntervalSec: 5, log: () => {},
    baseTemplate: { metadata: { annotations: { 'kube-local/outcome': 'run', 'kube-local/start-after': '100ms' } } },
  });
  // the moment the pod turns Running, as a watch on the API sees it (the kubelet would start the container then)
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/pods`, () => core.listNamespacedPod({ namespace }));
  const onPod = (pod) => {
    if (pod.status?.phase === 'Running' && !runningSeen.has(pod.metadata.name)) runningSeen.set(pod.metadata.name, { at: performance.now(), pod });
  };
  informer.on('add', onPod);
  informer.on('update', onPod);
  await informer.start();
  const runner = join(work, 'run-task');
  writeFileSync(runner, `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'packages/cli/bin/cairn.js')}" agent run-task "$@"\n`);
  chmodSync(runner, 0o755);

  const created = [];
  const started = [];
  for (let i = 0; i < TASKS; i++) {
    const { id } = await call('tasks.create', { name: `bench ${i}`, type: 'training', script: { repository: 'https://example.com/none.git', entry_point: 'x.py' } });
    const t0 = performance.now();
    await call('tasks.enqueue', { task: id, queue });
    const name = `cairn-task-${id}`;
    for (;;) {
      if (await core.readNamespacedPod({ name, namespace }).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    created.push(performance.now() - t0);
    while (!runningSeen.has(name)) await new Promise((r) => setTimeout(r, 5));
    const { at, pod } = runningSeen.get(name);
    const main = pod.spec.containers[0];
    const env = Object.fromEntries(main.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    const child = spawn(main.command[0], main.command.slice(1), { env: { PATH: process.env.PATH, HOME: work, ...env, CAIRN_RUNNER_DIR: work }, stdio: 'ignore' });
    for (;;) {
      if ((await call('tasks.get_by_id', { task: id })).task.status === 'in_progress') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    started.push(performance.now() - at);
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
  await informer.stop();
  const fmt = (xs) => ({ median_ms: +pct(xs, 50).toFixed(1), p90_ms: +pct(xs, 90).toFixed(1), max_ms: +Math.max(...xs).toFixed(1) });
  console.log(JSON.stringify({ tasks: TASKS, enqueue_to_pod_created: fmt(created), pod_running_to_task_in_progress: fmt(started) }, null, 2));
} finally {
  await glue?.stop().catch(() => undefined);
  server.kill('SIGTERM');
  execFileSync('bash', [join(shared, 'kube', 'down'), state], { stdio: 'ignore' });
  rmSync(state, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
