import { startTestServer, type TestServer } from '@cairn/server/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliEnv, runCli, startCli } from '../testing/run-cli.js';

let server: TestServer;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(join(tmpdir(), 'cairn-agent-cli-'));

before(async () => {
  server = await startTestServer();
  env = cliEnv(server, dir);
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const workers = async () => ((await server.call('workers.get_all', {})).data.workers as { id: string }[]).map((w) => w.id);

describe('cairn agent', () => {
  test('--help documents the daemon flags', async () => {
    const out = await runCli(['agent', '--help'], env);
    assert.equal(out.code, 0);
    for (const flag of ['--queue', '--gpus', '--docker', '--name', '--poll-interval', '--work-dir', '--foreground', '--python']) assert.ok(out.stdout.includes(flag), flag);
  });

  // No Docker engine runs on the test machines: this checks the clear-error path only.
  test('--docker without a Docker engine exits 2 with a clear error', async () => {
    const out = await runCli(['agent', 'daemon', '--queue', 'default', '--docker', 'python:3.11'], env);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /--docker needs a running Docker engine; none answered `docker info`: \S/);
    assert.deepEqual(await workers(), []);
  });

  test('an unknown queue or a bad flag is refused', async () => {
    const noQueue = await runCli(['agent', 'daemon', '--queue', 'no-such-queue'], env);
    assert.equal(noQueue.code, 1);
    assert.match(noQueue.stderr, /no queue named "no-such-queue"/);
    const badGpus = await runCli(['agent', 'daemon', '--queue', 'default', '--gpus', 'all-of-them'], env);
    assert.equal(badGpus.code, 2);
    assert.match(badGpus.stderr, /--gpus takes GPU indices/);
  });

  test('SIGTERM unregisters the worker and exits 0', async () => {
    const { child, result } = startCli(['agent', 'daemon', '--queue', 'default', '--name', 'cli-test-worker', '--poll-interval', '1', '--work-dir', join(dir, 'work')], env);
    while (!(await workers()).includes('cli-test-worker')) {
      assert.equal(child.exitCode, null, 'the daemon exited early');
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    const out = await result;
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /worker cli-test-worker stopped/);
    assert.deepEqual(await workers(), []);
  });
});
