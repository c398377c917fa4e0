// Start-up time and idle memory of `cairn server` on a populated data folder.
// Usage: node bench/startup.mjs [--tasks 2000] [--events 1000000] [--runs 5]
// Populates a fresh data folder through the public API (tasks and scalar events),
// then starts the server several times and measures spawn → first `debug.ping` 200,
// and the resident memory (VmRSS) after 5 s idle.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const TASKS = arg('tasks', 2000);
const EVENTS = arg('events', 1_000_000);
const RUNS = arg('runs', 5);
const PORT = 29400;
const root = new URL('..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-startup-'));
const env = { ...process.env, CAIRN_ACCESS_KEY: 'BENCHKEY', CAIRN_SECRET_KEY: 'benchsecret' };
const api = `http://127.0.0.1:${PORT}`;

function start() {
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/main.js'), 'server', '--host', '127.0.0.1', '--data-dir', dataDir,
    '--api-port', String(PORT), '--web-port', String(PORT + 1), '--files-port', String(PORT + 2)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function waitReady() {
  for (;;) {
    try {
      const r = await fetch(`${api}/debug.ping`);
      if (r.status === 200) return;
    } catch { /* not listening yet */ }
    await sleep(5);
  }
}

async function call(token, endpoint, body, contentType = 'application/json') {
  const r = await fetch(`${api}/${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const j = await r.json();
  if (j.meta.result_code !== 200) throw new Error(`${endpoint}: ${j.meta.result_msg}`);
  return j.data;
}

async function populate() {
  const child = start();
  await waitReady();
  const login = await (await fetch(`${api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from('BENCHKEY:benchsecret').toString('base64')}` } })).json();
  const token = login.data.token;
  const { id: project } = await call(token, 'projects.create', { name: 'bench-startup' });
  const ids = [];
  for (let i = 0; i < TASKS; i++) ids.push((await call(token, 'tasks.create', { name: `task ${i}`, type: 'training', project })).id);
  const perTask = Math.ceil(EVENTS / 10);
  for (let t = 0; t < 10; t++) {
    for (let start = 0; start < perTask; start += 10_000) {
      const lines = [];
      for (let i = start; i < Math.min(start + 10_000, perTask); i++) {
        lines.push(JSON.stringify({ type: 'training_stats_scalar', task: ids[t], metric: 'loss', variant: 'train', iter: i, value: Math.sin(i), timestamp: 1_700_000_000_000 + i }));
      }
      await call(token, 'events.add_batch', lines.join('\n'), 'application/json-lines');
    }
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

await populate();
const times = [];
const rss = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const child = start();
  await waitReady();
  times.push(performance.now() - t0);
  await sleep(5000);
  rss.push(rssMb(child.pid));
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(JSON.stringify({ tasks: TASKS, events: EVENTS, runs: RUNS, start_to_ping_ms: times.map((t) => Math.round(t)), median_ms: Math.round(median(times)), idle_rss_mb: rss.map((r) => Math.round(r)), median_rss_mb: Math.round(median(rss)) }));
rmSync(dataDir, { recursive: true, force: true });
