import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TaskProcess } from './task-process.js';
import { waitGone } from './testing/process-gone.js';

function start(script: string) {
  const out: string[] = [];
  const proc = new TaskProcess('sh', ['-c', script], { cwd: process.cwd(), env: process.env }, (stream, text) => out.push(`${stream}:${text}`));
  return { proc, out };
}

/** Waits for the process to print `n` lines (its children's pids). */
async function lines(out: string[], n: number): Promise<number[]> {
  for (;;) {
    const text = out.map((o) => o.replace(/^stdout:/, '')).join('');
    const got = text.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TaskProcess', { timeout: 60_000 }, () => {
  test('streams stdout and stderr and reports the exit code', async () => {
    const { proc, out } = start('echo hello; echo oops >&2; exit 3');
    assert.deepEqual(await proc.exited, { code: 3 });
    assert.ok(out.includes('stdout:hello\n'));
    assert.ok(out.includes('stderr:oops\n'));
  });

  test('kill ends the whole process group, children included', async () => {
    const { proc, out } = start('sleep 300 & echo $!; sleep 300 & echo $!; wait');
    const children = await lines(out, 2);
    const exit = await proc.kill();
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(exit.code, -15);
    for (const pid of [proc.pid!, ...children]) await waitGone(pid);
  });

  test('a task that ignores SIGTERM is killed with SIGKILL', async () => {
    const { proc, out } = start('trap "" TERM; sleep 300 & echo $!; while true; do sleep 0.1; done');
    const [child] = await lines(out, 1);
    const exit = await proc.kill();
    assert.equal(exit.signal, 'SIGKILL');
    await waitGone(proc.pid!);
    await waitGone(child!);
  });

  test('children left behind by a finished task are ended with it', async () => {
    const { proc, out } = start('sleep 300 & echo $!; exit 0');
    const exit = await proc.exited;
    assert.equal(exit.code, 0);
    const [child] = await lines(out, 1);
    await waitGone(child!);
  });

  test('a missing program fails like a shell would (127)', async () => {
    const out: string[] = [];
    const proc = new TaskProcess('/nonexistent/python', [], { cwd: process.cwd(), env: process.env }, (_s, t) => out.push(t));
    assert.equal((await proc.exited).code, 127);
    assert.match(out.join(''), /cannot start \/nonexistent\/python/);
  });
});
