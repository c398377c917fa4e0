// Enqueue → start across replicas: an agent long-polls `queues.get_next_task` (wait_sec)
// on one server while tasks are enqueued through another; each round measures from the
// `tasks.enqueue` call to the agent holding the task, and to its `tasks.started` answered.
// Three set-ups: one server on SQLite; two replicas on one PostgreSQL (Debian's, a
// throw-away cluster) with the agent on replica A and enqueues on replica A (same) or
// replica B (the wake-up travels through PostgreSQL's NOTIFY).
// Usage: node bench/replicas.mjs [--rounds 200]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startPostgres } from '../packages/server/dist/testing/postgres.js';

const root = new URL('..', import.meta.url).pathname;
const ROUNDS = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 200) || 200;
const KEY = 'BENCHREPLICAKEY';
const SECRET = 'bench-replica-secret';

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

function call(port, endpoint, body, token) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request({ host: '127.0.0.1', port, path: `/${endpoint}`, method: 'POST', headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const j = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (j.meta.result_code !== 200) reject(new Error(`${endpoint}: ${j.meta.result_msg}`));
        else resolve(j.data);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function startServer(dataDir, database) {
  const [api, web, files] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/main.js'), 'server', '--host', '127.0.0.1', '--data-dir', dataDir,
    '--api-port', String(api), '--web-port', String(web), '--files-port', String(files), ...(database ? ['--database', database] : [])],
  { env: { ...process.env, CAIRN_ACCESS_KEY: KEY, CAIRN_SECRET_KEY: SECRET, CAIRN_ADMIN_PASSWORD: 'bench-admin-pw' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  while (!out.includes('Cairn is running')) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${out}`);
    await sleep(20);
  }
  const login = await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: api, path: '/auth.login', method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')).data.token));
    });
    req.on('error', reject);
    req.end();
  });
  return { api, token: login, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** The agent waits on `agentSide`; each round enqueues on `enqueueSide`. */
async function measure(label, agentSide, enqueueSide) {
  const { id: queue } = await call(enqueueSide.api, 'queues.create', { name: `bench-${Date.now()}` }, enqueueSide.token);
  const toTake = [];
  const toStart = [];
  for (let i = 0; i < ROUNDS; i++) {
    const { id: task } = await call(enqueueSide.api, 'tasks.create', { name: `r${i}`, type: 'training' }, enqueueSide.token);
    const waiting = call(agentSide.api, 'queues.get_next_task', { queue, wait_sec: 10 }, agentSide.token);
    await sleep(5); // the agent is waiting before the task arrives, as a polling agent is
    const t0 = performance.now();
    await call(enqueueSide.api, 'tasks.enqueue', { task, queue }, enqueueSide.token);
    const got = await waiting;
    const t1 = performance.now();
    if (got.entry?.task !== task) throw new Error(`round ${i}: the agent got ${JSON.stringify(got)}`);
    await call(agentSide.api, 'tasks.started', { task }, agentSide.token);
    const t2 = performance.now();
    toTake.push(t1 - t0);
    toStart.push(t2 - t0);
  }
  const f = (x) => x.toFixed(1);
  console.log(`| ${label} | ${f(pct(toTake, 50))} / ${f(pct(toTake, 95))} ms | ${f(pct(toStart, 50))} / ${f(pct(toStart, 95))} ms |`);
}

const work = mkdtempSync(join(tmpdir(), 'cairn-bench-replicas-'));
const cluster = await startPostgres({ durable: true });
try {
  console.log(`${ROUNDS} rounds each; median / p95\n`);
  console.log('| set-up | enqueue → agent has the task | enqueue → tasks.started answered |\n|---|---|---|');
  const single = await startServer(join(work, 'sqlite'));
  await measure('one server, SQLite', single, single);
  await single.stop();

  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const url = cluster.adminUrl.replace(/\/postgres$/, '/bench');
  const a = await startServer(join(work, 'a'), url);
  const b = await startServer(join(work, 'b'), url);
  await measure('PostgreSQL, agent and enqueue on replica A', a, a);
  await measure('PostgreSQL, agent on A, enqueue on replica B', a, b);
  await a.stop();
  await b.stop();
} finally {
  cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
