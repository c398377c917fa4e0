// `debug.ping` latency while clients guess passwords.
// Usage: node bench/login-guessing.mjs [--clients 50] [--seconds 20]
// Starts a server twice: once with the default limit on failed sign-ins (guesses are soon
// answered 429 without hashing), once with the limit lifted so that every guess costs a
// scrypt (the worst case for the server). In each, --clients connections send
// `auth.login` with wrong passwords back to back, half for an existing user, half for
// names that do not exist, while one more client sends `debug.ping` every 20 ms and
// records its latency. Prints a JSON report.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CLIENTS = arg('clients', 50);
const SECONDS = arg('seconds', 20);
const PORT = 29500;
const root = new URL('..', import.meta.url).pathname;

function request(path, headers, agent) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function scenario(name, extraArgs) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-login-'));
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/main.js'), 'server', '--host', '127.0.0.1', '--data-dir', dataDir,
    '--api-port', String(PORT), '--web-port', String(PORT + 1), '--files-port', String(PORT + 2), '--admin-password', 'the-real-password', ...extraArgs],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    try {
      if ((await request('/debug.ping', {})) === 200) break;
    } catch { /* not listening yet */ }
    await sleep(20);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const pingAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const until = Date.now() + SECONDS * 1000;
  const answers = new Map();
  let n = 0;
  const guesser = async (i) => {
    while (Date.now() < until) {
      const user = i % 2 === 0 ? 'admin' : `nobody${i}-${n}`;
      const basic = Buffer.from(`${user}:guess-${n++}`).toString('base64');
      const code = await request('/auth.login', { authorization: `Basic ${basic}` }, agent);
      answers.set(code, (answers.get(code) ?? 0) + 1);
    }
  };
  const pings = [];
  const pinger = async () => {
    await sleep(500);
    while (Date.now() < until) {
      const t = process.hrtime.bigint();
      const code = await request('/debug.ping', {}, pingAgent);
      if (code !== 200) throw new Error(`debug.ping answered ${code}`);
      pings.push(Number(process.hrtime.bigint() - t) / 1e6);
      await sleep(20);
    }
  };
  const started = Date.now();
  await Promise.all([pinger(), ...Array.from({ length: CLIENTS }, (_, i) => guesser(i))]);
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  pingAgent.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
  pings.sort((a, b) => a - b);
  const total = [...answers.values()].reduce((a, b) => a + b, 0);
  return {
    scenario: name,
    clients: CLIENTS,
    seconds: elapsed,
    guesses: total,
    guesses_per_s: Math.round(total / elapsed),
    answers: Object.fromEntries(answers),
    ping_ms: { n: pings.length, p50: +pct(pings, 50).toFixed(2), p95: +pct(pings, 95).toFixed(2), p99: +pct(pings, 99).toFixed(2), max: +pings[pings.length - 1].toFixed(2) },
  };
}

const report = [
  await scenario('default limits (10 failures per account, 20 per address, per 5 min)', []),
  await scenario('limit lifted: every guess hashed', ['--failed-login-limit', '100000000']),
];
console.log(JSON.stringify(report, null, 2));
