/**
 * Runs independent test suites side by side (`npm test`): each suite's output lines come
 * prefixed with its name as they are written, a summary with each suite's time and result
 * ends the run, and the exit code is non-zero when any suite failed.
 *
 *   node tests/run-suites.mjs unit=<command> compat=<command> ...
 */
import { spawn } from 'node:child_process';

const suites = process.argv.slice(2).map((arg) => {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`expected name=command, got ${JSON.stringify(arg)}`);
  return { name: arg.slice(0, eq), command: arg.slice(eq + 1) };
});
const width = Math.max(...suites.map((s) => s.name.length));

function prefixed(name, stream, out) {
  let rest = '';
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) out.write(`[${name.padEnd(width)}] ${line}\n`);
  });
  stream.on('end', () => {
    if (rest) out.write(`[${name.padEnd(width)}] ${rest}\n`);
  });
}

const children = new Set();

function run({ name, command }) {
  const started = Date.now();
  return new Promise((resolve) => {
    // Each suite in its own process group, so that stopping it stops what it started.
    const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }, detached: true });
    children.add(child);
    child.on('exit', () => children.delete(child));
    prefixed(name, child.stdout, process.stdout);
    prefixed(name, child.stderr, process.stderr);
    child.on('close', (code, signal) => resolve({ name, code: code ?? 1, signal, seconds: (Date.now() - started) / 1000 }));
  });
}

// A Ctrl-C or a CI time-out stops every suite, not just this process.
const stopAll = () => {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  process.exit(130);
};
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

const results = await Promise.all(suites.map(run));
console.log('\nsuites:');
for (const r of results) console.log(`  ${r.name.padEnd(width)}  ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`}  ${r.seconds.toFixed(0)} s`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
