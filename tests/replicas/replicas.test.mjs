/**
 * Two `cairn server` replicas on one PostgreSQL (Debian's, started here) and one S3 files
 * store (moto), behind a round-robin proxy (round-robin-proxy.mjs), as a Kubernetes
 * Service spreads calls over the chart's replicas.
 *
 * - The real clearml SDK through the proxy: its sign-in, reports, artifact upload and
 *   read-back land on both replicas and all of it is there.
 * - A long poll on one replica wakes when the other enqueues.
 * - Three agents take 300 tasks from one queue through the proxy; one replica is killed
 *   with SIGKILL midway. Every task is handed out exactly once and completes; nothing
 *   acknowledged is lost. The agents here speak the agent protocol (queues.get_next_task,
 *   tasks.started, tasks.completed) without running a script for each task: what is
 *   tested is the queue across replicas, not the execution (the compat suite runs real
 *   clearml-agent processes).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../packages/server/dist/testing/ports.js';
import { startPostgres } from '../../packages/server/dist/testing/postgres.js';
import { seedS3Conf, startMoto } from '../s3/moto.mjs';
import { startProxy } from './round-robin-proxy.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'packages/cli/dist/main.js');
const PYTHON = join(ROOT, 'tests/compat/.venv/bin/python');
const KEY = 'REPLICATESTKEY';
const SECRET = 'replica-test-secret-value';
// The proxy runs in this process: the SDK must run without blocking its event loop.
const run = promisify(execFile);

let work;
let pg;
let moto;
let apiProxy;
let filesProxy;
const replicas = [];

/** One call on a new connection (as python clients make them), so that the proxy alternates. */
function call(port, endpoint, body, token) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body ?? {});
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request({ host: '127.0.0.1', port, path: `/${endpoint}`, method: 'POST', headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (err) {
          reject(err);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function login(port) {
  const res = await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/auth.login', method: 'POST', agent: false, headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` } }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end();
  });
  return res.data.token;
}

/** A call that must succeed; a connection that breaks (a killed replica) is retried, as the SDK and agents retry. */
async function ok(port, token, endpoint, body, { retries = 20, onBroken = () => {} } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await call(port, endpoint, body, token);
      if (res.status !== 200) throw Object.assign(new Error(`${endpoint} → ${res.status} ${JSON.stringify(res.body.meta)}`), { api: res });
      return res.body.data;
    } catch (err) {
      if (err.api || attempt >= retries) throw err;
      onBroken();
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Starts a replica on free ports; another suite may take a port between the check and the listen: new ports then. */
async function startReplica(i, database, filesStore, credsFile) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startReplicaOnce(i, database, filesStore, credsFile);
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE/.test(err.message)) throw err;
    }
  }
}

async function startReplicaOnce(i, database, filesStore, credsFile) {
  const [api, web, files] = [await freePort(), await freePort(), await freePort()];
  const dataDir = join(work, `replica-${i}`);
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, [MAIN, 'server', '--host', '127.0.0.1', '--api-port', String(api), '--web-port', String(web), '--files-port', String(files),
    '--data-dir', dataDir, '--database', database, '--files-store', filesStore, '--storage-credentials', credsFile,
    '--public-api-url', `http://127.0.0.1:${apiProxy.port}`, '--public-files-url', `http://127.0.0.1:${filesProxy.port}`], {
    env: { ...process.env, CAIRN_ACCESS_KEY: KEY, CAIRN_SECRET_KEY: SECRET, CAIRN_ADMIN_PASSWORD: 'replica-admin-pw' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let t = 0; !log.includes('Cairn is running'); t++) {
    if (child.exitCode !== null || t > 600) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`replica ${i} did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { api, files, child, exited, log: () => log };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cairn-replicas-'));
  pg = await startPostgres();
  moto = await startMoto();
  const credsFile = join(work, 'storage-credentials.conf');
  writeFileSync(credsFile, seedS3Conf(moto));
  const database = pg.adminUrl.replace(/\/postgres$/, '/cairn');
  execFileSync('psql', [pg.adminUrl, '-q', '-c', 'CREATE DATABASE cairn']);
  const apiPorts = [];
  const filesPorts = [];
  apiProxy = await startProxy(apiPorts);
  filesProxy = await startProxy(filesPorts);
  // started together: they migrate the empty database and make the admin once
  const started = await Promise.allSettled([0, 1].map((i) => startReplica(i, database, `s3://${moto.host}/clearml/replicas`, credsFile)));
  for (const r of started) if (r.status === 'fulfilled') replicas.push(r.value);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  for (const r of replicas) {
    apiPorts.push(r.api);
    filesPorts.push(r.files);
  }
});

after(async () => {
  for (const r of replicas) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGTERM');
      await r.exited;
    }
  }
  await apiProxy?.close();
  await filesProxy?.close();
  await moto?.stop();
  pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('replicas started together on an empty database made one admin and one default queue', async () => {
  const token = await login(apiProxy.port);
  const users = await ok(apiProxy.port, token, 'users.get_all', {});
  assert.deepEqual(users.users.filter((u) => u.name === 'admin').length, 1);
  const queues = await ok(apiProxy.port, token, 'queues.get_all', { name: '^default$' });
  assert.equal(queues.queues.length, 1);
});

test('the clearml SDK through the proxy: reports and an artifact written across both replicas read back whole', async () => {
  const conf = join(work, 'clearml.conf');
  writeFileSync(conf, `api {\n  api_server: "http://127.0.0.1:${apiProxy.port}"\n  files_server: "http://127.0.0.1:${filesProxy.port}"\n  web_server: "http://127.0.0.1:${apiProxy.port}"\n  credentials { access_key: "${KEY}", secret_key: "${SECRET}" }\n}\n`);
  const env = { ...process.env, CLEARML_CONFIG_FILE: conf, HOME: work };
  const script = `
from clearml import Task
task = Task.init(project_name="replicas", task_name="across replicas")
for i in range(60):
    task.get_logger().report_scalar("loss", "train", value=1.0 / (i + 1), iteration=i)
    if i % 20 == 0:
        task.get_logger().report_text(f"line {i}")
task.upload_artifact("table", artifact_object={"rows": list(range(1000))}, wait_on_upload=True)
print("TASK", task.id)
task.close()
`;
  const { stdout: out } = await run(PYTHON, ['-c', script], { env, encoding: 'utf8', cwd: work, timeout: 240_000 });
  const id = out.match(/TASK (\w+)/)[1];
  const readBack = `
from clearml import Task
t = Task.get_task(task_id="${id}")
print("STATUS", t.get_status())
print("ROWS", len(t.artifacts["table"].get()["rows"]))
s = t.get_reported_scalars()["loss"]["train"]
print("POINTS", len(s["x"]), s["y"][-1])
`;
  const { stdout: back } = await run(PYTHON, ['-c', readBack], { env, encoding: 'utf8', cwd: work, timeout: 120_000 });
  assert.match(back, /STATUS completed/);
  assert.match(back, /ROWS 1000/);
  assert.match(back, /POINTS 60 0\.01666/);
  const token = await login(apiProxy.port);
  const log = await ok(apiProxy.port, token, 'events.get_task_log', { task: id, batch_size: 100 });
  // the SDK sends console lines in batches: each batch is one log event
  const lines = log.events.reverse().flatMap((e) => e.msg.split('\n')).filter((m) => m.startsWith('line '));
  assert.deepEqual(lines, ['line 0', 'line 20', 'line 40']);
});

test('a long poll on one replica wakes when the other replica enqueues', async () => {
  const [a, b] = replicas;
  const token = await login(a.api);
  const { id: queue } = await ok(a.api, token, 'queues.create', { name: 'long-poll' });
  const { id: task } = await ok(b.api, token, 'tasks.create', { name: 'wake me', type: 'training' });
  const started = Date.now();
  const waiting = ok(a.api, token, 'queues.get_next_task', { queue, wait_sec: 25 });
  await new Promise((r) => setTimeout(r, 500));
  await ok(b.api, token, 'tasks.enqueue', { task, queue });
  const got = await waiting;
  assert.equal(got.entry?.task, task);
  assert.ok(Date.now() - started < 25_000, 'answered when the task arrived, not at the end of the wait');
});

/*
 * What a kill can leave behind, by the protocol: a `queues.get_next_task` whose pop the
 * killed replica committed but never answered leaves its task `queued` in no queue, the
 * orphan ClearML's server leaves too (shared/reference/clearml-agent-protocol.md: "worker
 * popped the entry but died before tasks.started"). So: no task is handed out twice,
 * every task handed out completes, and a task never handed out is such an orphan, at
 * most one per pop that broke at the kill. Issue 12's note says how to close that gap.
 */
test('3 agents × 100 tasks through the proxy, one replica killed midway: no task handed out twice, each one handed out completes', async () => {
  const port = apiProxy.port;
  const token = await login(port);
  const { id: queue } = await ok(port, token, 'queues.create', { name: 'many' });
  const ids = [];
  for (let i = 0; i < 300; i++) {
    const { id } = await ok(port, token, 'tasks.create', { name: `t${i}`, type: 'training' });
    await ok(port, token, 'tasks.enqueue', { task: id, queue });
    ids.push(id);
  }
  const handouts = new Map();
  let completed = 0;
  let killed = false;
  let brokenPops = 0;
  const agent = async (name) => {
    const mine = await login(port);
    for (;;) {
      const next = await ok(port, mine, 'queues.get_next_task', { queue }, { onBroken: () => brokenPops++ });
      if (!next.entry) return;
      const task = next.entry.task;
      handouts.set(task, [...(handouts.get(task) ?? []), name]);
      await ok(port, mine, 'tasks.started', { task }).catch(async (err) => {
        // a retried call whose first attempt was applied before the replica died
        if ((await ok(port, mine, 'tasks.get_by_id', { task })).task.status !== 'in_progress') throw err;
      });
      await ok(port, mine, 'tasks.completed', { task }).catch(async (err) => {
        if ((await ok(port, mine, 'tasks.get_by_id', { task })).task.status !== 'completed') throw err;
      });
      if (++completed === 100 && !killed) {
        killed = true;
        replicas[0].child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(['agent-1', 'agent-2', 'agent-3'].map(agent));
  assert.ok(killed, 'a replica was killed midway');
  await replicas[0].exited;
  assert.equal(replicas[0].child.signalCode, 'SIGKILL');
  const twice = [...handouts].filter(([, by]) => by.length > 1);
  assert.deepEqual(twice, [], 'no task was handed out twice');
  const agentsUsed = new Set([...handouts.values()].flat());
  assert.equal(agentsUsed.size, 3);
  const statuses = await ok(port, token, 'tasks.get_all', { id: ids, only_fields: ['status'], page_size: 500 });
  assert.equal(statuses.tasks.length, 300, 'every enqueued task is still there');
  const statusOf = new Map(statuses.tasks.map((t) => [t.id, t.status]));
  for (const id of handouts.keys()) assert.equal(statusOf.get(id), 'completed', `task ${id}, handed out, completed`);
  const orphans = ids.filter((id) => !handouts.has(id));
  assert.ok(orphans.length <= brokenPops, `${orphans.length} tasks never handed out, ${brokenPops} pops broke at the kill`);
  for (const id of orphans) assert.equal(statusOf.get(id), 'queued', `orphan ${id} stays queued`);
  assert.equal((await ok(port, token, 'queues.get_num_entries', { queue })).num, 0);
});
