/**
 * Runs independent test suites side by side (`npm test`): each suite's output lines come
 * prefixed with its name as they are written, a summary with each suite's time and result
 * ends the run, and the exit code is non-zero when any suite failed. The summary also gives
 * each suite's CPU time (its processes and the ones they waited for, from bash's `times`),
 * which on a machine with few cores says more about where the run's time goes than the
 * wall time of suites that share those cores.
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

/** bash's `times` prints the shell's user and system time, then its children's: "1m2.500s 0m3.000s". */
function childrenCpuSeconds(times) {
  const lines = times.trim().split('\n');
  if (lines.length < 2) return null;
  const spans = [...lines[1].matchAll(/(\d+)m([\d.]+)s/g)];
  return spans.reduce((sum, [, minutes, seconds]) => sum + Number(minutes) * 60 + Number(seconds), 0);
}

const children = new Set();

function run({ name, command }) {
  const started = Date.now();
  return new Promise((resolve) => {
    // Each suite in its own process group, so that stopping it stops what it started.
    const timed = `(${command})\n__status=$?\ntimes >&3\nexit $__status`;
    const child = spawn('bash', ['-c', timed], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }, detached: true });
    let times = '';
    child.stdio[3].on('data', (chunk) => (times += chunk));
    children.add(child);
    child.on('exit', () => children.delete(child));
    prefixed(name, child.stdout, process.stdout);
    prefixed(name, child.stderr, process.stderr);
    child.on('close', (code, signal) => resolve({ name, code: code ?? 1, signal, seconds: (Date.now() - started) / 1000, cpu: childrenCpuSeconds(times) }));
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
for (const r of results) {
  const cpu = r.cpu === null ? '' : `, ${r.cpu.toFixed(0)} s CPU`;
  console.log(`  ${r.name.padEnd(width)}  ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`}  ${r.seconds.toFixed(0)} s${cpu}`);
}
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
