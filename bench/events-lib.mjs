// Shared by bench/ingest.mjs and bench/read.mjs: a private `cairn server` on free
// ports with fixed keys, a keep-alive HTTP client, and the SDK's event line format.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = new URL('..', import.meta.url).pathname;
const KEY = 'BENCHEVENTSKEY';
const SECRET = 'bench-events-secret';

export const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};

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

let database;

/**
 * `--postgres`: the server keeps its data in PostgreSQL (Debian's, a throw-away cluster
 * on a free port, as the tests start it) instead of SQLite; `--database URL`: in that
 * (empty) database. Answers the server arguments.
 */
async function databaseArgs() {
  if (database === undefined) {
    database = arg('database', null);
    if (!database && process.argv.includes('--postgres')) {
      const { startPostgres } = await import(join(root, 'packages/server/dist/testing/postgres.js'));
      const pg = await startPostgres({ durable: true });
      process.once('exit', () => pg.stop());
      const { default: pgLib } = await import('pg');
      const client = new pgLib.Client({ connectionString: pg.adminUrl });
      await client.connect();
      await client.query('CREATE DATABASE bench');
      await client.end();
      database = pg.adminUrl.replace(/\/postgres$/, '/bench');
    }
  }
  return database ? ['--database', database] : [];
}

/**
 * Starts the server as a child process with request logging on, so that the time the
 * server spent on each call can be read from its log (`POST events.x 200 12.3ms`).
 */
export async function startServer(dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-events-'))) {
  const [apiPort, filesPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/main.js'), 'server', '--host', '127.0.0.1', '--data-dir', dataDir,
    '--api-port', String(apiPort), '--files-port', String(filesPort), '--web-port', String(webPort), '--log-requests', ...(await databaseArgs())],
  { env: { ...process.env, CAIRN_ACCESS_KEY: KEY, CAIRN_SECRET_KEY: SECRET }, stdio: ['ignore', 'ignore', 'pipe'] });
  const serverMs = [];
  let tail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    tail += chunk;
    const lines = tail.split('\n');
    tail = lines.pop();
    for (const line of lines) {
      const m = / (\S+) (\d+) ([\d.]+)ms$/.exec(line);
      if (m) serverMs.push({ endpoint: m[1], code: Number(m[2]), ms: Number(m[3]) });
      else if (line.trim()) process.stderr.write(`${line}\n`);
    }
  });
  const api = `http://127.0.0.1:${apiPort}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${api}/debug.ping`)).status === 200) break;
    } catch { /* not listening yet */ }
    if (child.exitCode !== null || i > 2000) throw new Error('the server did not start');
    await sleep(10);
  }
  const login = await (await fetch(`${api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` } })).json();
  const token = login.data.token;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });

  /** One API call; answers `data` (throws on an error envelope) and the client-side latency. */
  function call(endpoint, body, contentType = 'application/json') {
    const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(`${api}/${endpoint}`, {
        method: 'POST', agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': payload.length, 'x-clearml-worker': 'bench' },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - t0;
          const j = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (j.meta.result_code !== 200) reject(new Error(`${endpoint}: ${j.meta.result_code}/${j.meta.result_subcode} ${j.meta.result_msg}`));
          else resolve({ data: j.data, ms });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  async function stop() {
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
  }

  return { api, files: `http://127.0.0.1:${filesPort}`, web: `http://127.0.0.1:${webPort}`, dataDir, child, call, serverMs, stop };
}

/** The value the benchmarks report for point `iter` of series `s` (checked on read-back). */
export const valueOf = (s, iter) => Math.sin(iter / 100 + s) * 1000 + s;

/**
 * One scalar event line exactly as the clearml SDK writes it (Python json.dumps: a space
 * after each separator, the stray `method`, `allow_locked` and `model_event` fields).
 */
export const sdkLine = (task, metric, variant, iter, value, timestamp) =>
  `{"timestamp": ${timestamp}, "type": "training_stats_scalar", "task": "${task}", "iter": ${iter}, "metric": "${metric}", "variant": "${variant}", "value": ${value}, "allow_locked": false, "model_event": false, "method": "get"}`;

export const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
export const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];
