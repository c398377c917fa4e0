// Orchestration benchmarks: queue → agent → task process.
//
// Usage: node bench/orchestration.mjs [--latency-tasks 20] [--tasks 1000] [--agents 20]
//                                     [--mode agents|calls|both] [--agent-nice N]
//                                     [--python python3] [--keep]
//
// (a) Pick-up latency: one real `cairn agent daemon` (default --poll-interval 5, so it
//     long-polls the queue) and a task whose repository is a local git repository and
//     whose script prints time.time() as its first statement, then attaches with the
//     clearml SDK (Task.init). After one warm-up task (which builds the virtualenv: the
//     "cold" figure), each of --latency-tasks tasks is enqueued while the agent is idle;
//     enqueue time (taken just before tasks.enqueue is sent) → the script's first line is
//     the pick-up latency; the task's `started` time (the agent's tasks.started, sent right
//     after the pop) splits it into pick-up and preparation (clone, venv lookup, spawn).
// (b) Drain: --tasks no-op tasks (script-only, in the virtualenv warmed by (a)) are
//     enqueued in one queue, then --agents pollers drain it:
//       --mode agents: that many real `cairn agent daemon` processes (--poll-interval 2);
//       --mode calls : that many in-process pollers making the calls an agent makes per
//                      task (get_next_task, then long-poll with wait_sec when empty;
//                      tasks.started, workers.status_report, events.add_batch,
//                      tasks.completed) without starting processes;
//     and every task must have been run exactly once. Server time per call comes from the
//     server's --log-requests lines. The queue is filled before the pollers start, so a
//     get_next_task that waits is one that found the queue empty at the end and waited its
//     whole wait_sec: those (>= wait_sec - 0.1 s) are counted apart, the rest are pops.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, homedir, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const LATENCY_TASKS = Number(arg('latency-tasks', 20));
const DRAIN_TASKS = Number(arg('tasks', 1000));
const AGENTS = Number(arg('agents', 20));
const MODE = arg('mode', 'agents');
const PYTHON = arg('python', 'python3');
const KEEP = argv.includes('--keep');
const AGENT_NICE = Number(arg('agent-nice', 0));
const AGENT_POLL_SEC = 2;
const CALLS_WAIT_SEC = 2;

const root = new URL('..', import.meta.url).pathname;
const MAIN = join(root, 'packages/cli/dist/main.js');
const KEY = 'BENCHORCHKEY';
const SECRET = 'bench-orchestration-secret';
const work = mkdtempSync(join(tmpdir(), 'cairn-bench-orch-'));

const median = (a) => (a.length ? [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] : NaN);
const pct = (a, p) => (a.length ? [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.ceil(a.length * p) - 1)] : NaN);
const r1 = (x) => Math.round(x * 10) / 10;
const log = (s) => process.stderr.write(`[bench] ${s}\n`);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------ server and client

async function startServer() {
  const [apiPort, webPort, filesPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [MAIN, 'server', '--host', '127.0.0.1', '--data-dir', join(work, 'data'),
    '--api-port', String(apiPort), '--web-port', String(webPort), '--files-port', String(filesPort), '--log-requests'],
  { env: { ...process.env, CAIRN_ACCESS_KEY: KEY, CAIRN_SECRET_KEY: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] });
  /** every request line the server logged: {method, endpoint, code, ms, at} */
  const requests = [];
  for (const stream of [child.stdout, child.stderr]) {
    let tail = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      tail += chunk;
      const lines = tail.split('\n');
      tail = lines.pop();
      for (const line of lines) {
        const m = /\b(GET|POST|PUT) (\S+) (\d+) ([\d.]+)ms$/.exec(line);
        if (m) requests.push({ method: m[1], endpoint: m[2], code: Number(m[3]), ms: Number(m[4]), at: Date.now() });
      }
    });
  }
  const server = { api: `http://127.0.0.1:${apiPort}`, web: `http://127.0.0.1:${webPort}`, files: `http://127.0.0.1:${filesPort}`, child, requests };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${server.api}/debug.ping`)).status === 200) break;
    } catch { /* not listening yet */ }
    if (child.exitCode !== null || i > 3000) throw new Error('the server did not start');
    await sleep(10);
  }
  return server;
}

async function login(server) {
  const r = await fetch(`${server.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` } });
  return (await r.json()).data.token;
}

/** A keep-alive client; `call` answers `data` or throws on an error envelope. */
function client(server, token, maxSockets = 64, worker = 'bench') {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const call = (endpoint, body, contentType = 'application/json') => new Promise((resolve, reject) => {
    const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? {}));
    const req = request(`${server.api}/${endpoint}`, {
      method: 'POST', agent,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': payload.length, 'x-clearml-worker': worker },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const j = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (j.meta.result_code !== 200) reject(new Error(`${endpoint}: ${j.meta.result_code}/${j.meta.result_subcode} ${j.meta.result_msg}`));
        else resolve(j.data);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
  return { call, close: () => agent.destroy() };
}

// ------------------------------------------------------------------ agents

function agentEnv(server, home) {
  mkdirSync(home, { recursive: true });
  // threads instead of the SDK's forked reporter (see tests/compat/helpers.py SDK_CONF)
  writeFileSync(join(home, 'clearml.conf'), 'sdk.development.report_use_subprocess: false\n');
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(CLEARML_|TRAINS_|CAIRN_)/.test(k)) env[k] = v;
  return {
    ...env,
    HOME: home,
    PIP_CACHE_DIR: process.env.PIP_CACHE_DIR ?? join(homedir(), '.cache', 'pip'),
    CLEARML_API_HOST: server.api, CLEARML_WEB_HOST: server.web, CLEARML_FILES_HOST: server.files,
    CLEARML_API_ACCESS_KEY: KEY, CLEARML_API_SECRET_KEY: SECRET,
    CLEARML_SUPPRESS_UPDATE_MESSAGE: '1',
  };
}

function startAgent(server, name, queue, pollSec) {
  const out = [];
  const cmd = [process.execPath, MAIN, 'agent', 'daemon', '--queue', queue, '--foreground', '--name', name,
    '--work-dir', join(work, 'agent-work'), '--python', PYTHON, '--poll-interval', String(pollSec)];
  // --agent-nice N: agents (and their tasks) below the server's CPU priority
  const [bin, ...args] = AGENT_NICE ? ['nice', '-n', String(AGENT_NICE), ...cmd] : cmd;
  const child = spawn(bin, args,
  { env: agentEnv(server, join(work, 'homes', name)), stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [child.stdout, child.stderr]) s.setEncoding('utf8').on('data', (d) => out.push(d));
  const ready = (async () => {
    for (let i = 0; i < 1200; i++) {
      if (out.join('').includes('pulling from')) return;
      if (child.exitCode !== null) throw new Error(`agent ${name} exited:\n${out.join('')}`);
      await sleep(50);
    }
    throw new Error(`agent ${name} not ready:\n${out.join('')}`);
  })();
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  return { name, child, out, ready, stop };
}

async function waitStatus(call, ids, statuses = ['completed', 'failed', 'stopped'], timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = [];
    for (let i = 0; i < ids.length; i += 500) {
      tasks.push(...(await call('tasks.get_all', { id: ids.slice(i, i + 500), only_fields: ['id', 'status', 'status_reason', 'last_worker', 'started', 'completed'] })).tasks);
    }
    if (tasks.length === ids.length && tasks.every((t) => statuses.includes(t.status))) return tasks;
    if (Date.now() > deadline) throw new Error(`tasks not done in time: ${JSON.stringify(tasks.filter((t) => !statuses.includes(t.status)).slice(0, 5))}`);
    await sleep(ids.length > 1 ? 500 : 50);
  }
}

async function consoleEvents(call, task) {
  return (await call('events.get_task_log', { task, batch_size: 10000, navigate_earlier: false })).events ?? [];
}

// ------------------------------------------------------------------ (a) pick-up latency

function makeRepo() {
  const dir = join(work, 'repo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bench_start.py'), [
    'import time',
    'print("BENCH_START %.6f" % time.time(), flush=True)',
    'from clearml import Task',
    'task = Task.init()',
    'print("BENCH_INIT %.6f" % time.time(), flush=True)',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'requirements.txt'), 'clearml\n');
  const git = (...a) => execFileSync('git', a, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@x' } }).toString().trim();
  git('init', '--quiet', '--initial-branch=main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'bench');
  return { dir, commit: git('rev-parse', 'HEAD') };
}

async function latencyBench(server, call) {
  const repo = makeRepo();
  const { id: queue } = await call('queues.create', { name: 'bench-latency' });
  const { id: project } = await call('projects.create', { name: 'bench orchestration' });
  const agent = startAgent(server, 'latency-agent', 'bench-latency', 5);
  await agent.ready;
  const script = { repository: repo.dir, branch: 'main', version_num: repo.commit, entry_point: 'bench_start.py', working_dir: '.', requirements: { pip: 'clearml' } };
  const runOne = async (i) => {
    const { id } = await call('tasks.create', { name: `latency ${i}`, type: 'training', project, script });
    await sleep(300); // the agent is idle, inside its long-poll
    const enqueuedAt = Date.now();
    await call('tasks.enqueue', { task: id, queue });
    const [task] = await waitStatus(call, [id]);
    if (task.status !== 'completed') throw new Error(`latency task ${id} ${task.status}: ${task.status_reason}\n${agent.out.join('').slice(-3000)}`);
    const events = await consoleEvents(call, id);
    const text = events.map((e) => e.msg).join('\n');
    const start = Number(/BENCH_START ([\d.]+)/.exec(text)?.[1]) * 1000;
    const init = Number(/BENCH_INIT ([\d.]+)/.exec(text)?.[1]) * 1000;
    // tasks.started is the agent's first call after the pop (server clock, same machine)
    const pulledAt = Date.parse(task.started);
    return { id, enqueue_to_start_ms: start - enqueuedAt, enqueue_to_pulled_ms: pulledAt - enqueuedAt, pulled_to_start_ms: start - pulledAt, start_to_init_ms: init - start, enqueue_to_completed_ms: Date.parse(task.completed) - enqueuedAt };
  };
  const t0 = Date.now();
  const cold = await runOne('warm-up');
  log(`warm-up task (builds the virtualenv): enqueue → script start ${Math.round(cold.enqueue_to_start_ms)} ms (${Date.now() - t0} ms in all)`);
  const runs = [];
  for (let i = 0; i < LATENCY_TASKS; i++) runs.push(await runOne(i));
  await agent.stop();
  const col = (k) => runs.map((r) => r[k]);
  const summary = (k) => ({ median: r1(median(col(k))), p90: r1(pct(col(k), 0.9)), max: r1(Math.max(...col(k))) });
  return {
    tasks: LATENCY_TASKS,
    cold_enqueue_to_start_ms: Math.round(cold.enqueue_to_start_ms),
    enqueue_to_start_ms: summary('enqueue_to_start_ms'),
    enqueue_to_pulled_ms: summary('enqueue_to_pulled_ms'),
    pulled_to_start_ms: summary('pulled_to_start_ms'),
    start_to_task_init_ms: summary('start_to_init_ms'),
    enqueue_to_completed_ms: summary('enqueue_to_completed_ms'),
  };
}

// ------------------------------------------------------------------ (b) drain

async function drainBench(server, call, token, mode) {
  const qname = `bench-drain-${mode}`;
  const { id: queue } = await call('queues.create', { name: qname });
  const { id: project } = await call('projects.create', { name: `bench drain ${mode}` });
  const script = { repository: '', entry_point: 'noop.py', working_dir: '.', diff: 'import os\nprint("NOOP " + os.environ["CLEARML_TASK_ID"], flush=True)\n', requirements: { pip: 'clearml' } };
  const ids = [];
  for (let i = 0; i < DRAIN_TASKS; i++) ids.push((await call('tasks.create', { name: `noop ${i}`, type: 'training', project, script })).id);
  const enqStart = server.requests.length;
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < ids.length) await call('tasks.enqueue', { task: ids[next++], queue });
  }));
  await sleep(300); // the server logs a request after answering it
  const enqueueMs = server.requests.slice(enqStart).filter((r) => r.endpoint === 'tasks.enqueue').map((r) => r.ms);
  const { num } = await call('queues.get_num_entries', { queue });
  if (num !== DRAIN_TASKS) throw new Error(`queue holds ${num} entries, expected ${DRAIN_TASKS}`);

  const drainStart = server.requests.length;
  const t0 = Date.now();
  let waitSec;
  let finals;
  let drainMs;
  let drainEndAt;
  const popped = new Map(); // task id → times popped (calls mode)
  if (mode === 'agents') {
    waitSec = AGENT_POLL_SEC;
    const agents = Array.from({ length: AGENTS }, (_, i) => startAgent(server, `drain-agent-${i}`, qname, AGENT_POLL_SEC));
    await Promise.all(agents.map((a) => a.ready));
    log(`${AGENTS} agents ready after ${Date.now() - t0} ms`);
    finals = await waitStatus(call, ids, ['completed', 'failed', 'stopped'], 900_000);
    drainMs = Date.now() - t0;
    drainEndAt = Date.now();
    await Promise.all(agents.map((a) => a.stop()));
  } else {
    waitSec = CALLS_WAIT_SEC;
    let done = 0;
    let stopping = false;
    const pollers = Array.from({ length: AGENTS }, async (_, n) => {
      const worker = `drain-poller-${n}`;
      const c = client(server, token, 4, worker);
      await c.call('workers.register', { worker, queues: [queue] });
      while (!stopping) {
        let data = await c.call('queues.get_next_task', { queue });
        if (!data.entry?.task) {
          if (done >= DRAIN_TASKS) break;
          data = await c.call('queues.get_next_task', { queue, wait_sec: waitSec });
          if (!data.entry?.task) continue;
        }
        const task = data.entry.task;
        popped.set(task, (popped.get(task) ?? 0) + 1);
        await c.call('tasks.started', { task, status_message: 'pulled by agent', force: true });
        await c.call('workers.status_report', { worker, timestamp: Date.now(), task, queue, queues: [queue] });
        await c.call('events.add_batch', `${JSON.stringify({ type: 'log', level: 'info', task, worker, msg: `task ${task} pulled from ${qname} by worker ${worker}\nNOOP ${task}`, timestamp: Date.now() })}\n`, 'application/json-lines');
        await c.call('tasks.completed', { task, status_reason: 'worker execution done', status_message: `Changed by ${worker}` });
        await c.call('workers.status_report', { worker, timestamp: Date.now(), queues: [queue] });
        done++;
      }
      await c.call('workers.unregister', { worker });
      c.close();
    });
    await Promise.all(pollers);
    drainMs = Date.now() - t0;
    drainEndAt = Date.now();
    finals = await waitStatus(call, ids);
  }
  // lines logged up to the end of the drain; a long-poll cut short by an agent's shutdown
  // afterwards is neither a pop nor a full wait
  const drainLines = server.requests.slice(drainStart).filter((r) => r.at <= drainEndAt);
  const nextTask = drainLines.filter((r) => r.endpoint === 'queues.get_next_task');
  const pops = nextTask.filter((r) => r.ms < waitSec * 1000 - 100).map((r) => r.ms);
  const longPolls = nextTask.length - pops.length;

  // every task ran exactly once
  const notCompleted = finals.filter((t) => t.status !== 'completed');
  let runTwice = 0;
  let pulledTwice = 0;
  for (const id of ids) {
    const text = (await consoleEvents(call, id)).map((e) => e.msg).join('\n');
    if ((text.match(new RegExp(`NOOP ${id}`, 'g')) ?? []).length !== 1) runTwice++;
    if ((text.match(/pulled from/g) ?? []).length !== 1) pulledTwice++;
  }
  if (mode === 'calls' && ([...popped.values()].some((n) => n !== 1) || popped.size !== DRAIN_TASKS)) runTwice++;
  const perWorker = {};
  for (const t of finals) perWorker[t.last_worker] = (perWorker[t.last_worker] ?? 0) + 1;
  const started = finals.map((t) => Date.parse(t.started));
  const completed = finals.map((t) => Date.parse(t.completed));
  const others = {};
  for (const ep of ['tasks.started', 'tasks.completed', 'workers.status_report', 'events.add_batch', 'tasks.get_by_id']) {
    const ms = drainLines.filter((r) => r.endpoint === ep).map((r) => r.ms);
    if (ms.length) others[ep] = { calls: ms.length, p50: r1(median(ms)), p99: r1(pct(ms, 0.99)) };
  }
  return {
    mode: mode === 'agents' ? `${AGENTS} cairn agent daemon processes (--poll-interval ${AGENT_POLL_SEC}${AGENT_NICE ? `, nice ${AGENT_NICE}` : ''})` : `${AGENTS} in-process pollers making an agent's calls (long-poll wait_sec ${CALLS_WAIT_SEC})`,
    tasks: DRAIN_TASKS,
    completed: finals.length - notCompleted.length,
    not_completed: notCompleted.slice(0, 5),
    tasks_not_run_exactly_once: runTwice,
    tasks_pulled_more_than_once: pulledTwice,
    drain_s: r1(drainMs / 1000),
    first_start_to_last_completed_s: r1((Math.max(...completed) - Math.min(...started)) / 1000),
    tasks_per_s: r1(DRAIN_TASKS / ((Math.max(...completed) - Math.min(...started)) / 1000)),
    workers_used: Object.keys(perWorker).length,
    tasks_per_worker_min_max: [Math.min(...Object.values(perWorker)), Math.max(...Object.values(perWorker))],
    server_ms: {
      'tasks.enqueue': { calls: enqueueMs.length, p50: r1(median(enqueueMs)), p99: r1(pct(enqueueMs, 0.99)), max: r1(Math.max(...enqueueMs)) },
      'queues.get_next_task (pops)': { calls: pops.length, p50: r1(median(pops)), p99: r1(pct(pops, 0.99)), max: r1(Math.max(...pops)) },
      'queues.get_next_task (long-polls that waited out wait_sec on the empty queue, not timed)': longPolls,
      ...others,
    },
  };
}

// ------------------------------------------------------------------ main

const server = await startServer();
const token = await login(server);
const { call, close } = client(server, token);
const report = {
  date: new Date().toISOString(),
  load_average_at_start: loadavg().map(r1),
  machine: `${cpus().length} vCPU (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${execFileSync(PYTHON, ['--version']).toString().trim()}`,
};
try {
  if (LATENCY_TASKS > 0) {
    log(`(a) pick-up latency over ${LATENCY_TASKS} tasks`);
    report.latency = await latencyBench(server, call);
    log(JSON.stringify(report.latency));
  }
  if (DRAIN_TASKS > 0) {
    for (const mode of MODE === 'both' ? ['calls', 'agents'] : [MODE]) {
      log(`(b) drain of ${DRAIN_TASKS} tasks, mode ${mode}`);
      report[`drain_${mode}`] = await drainBench(server, call, token, mode);
      log(JSON.stringify(report[`drain_${mode}`]));
    }
  }
  report.load_average_at_end = loadavg().map(r1);
} finally {
  close();
  server.child.kill('SIGTERM');
  await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.on('exit', r)));
  if (KEEP) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify(report, null, 1));
