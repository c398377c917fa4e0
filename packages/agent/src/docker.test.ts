import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkDocker, containerScript, dockerRunArgs, DockerUnavailableError } from './docker.js';
import { writeWheel } from './testing/wheels.js';

// No Docker engine runs on the test machines, so only the clear-error path of --docker is
// exercised for real; the command line is checked as text.
test('without a Docker engine --docker fails with a clear message', async () => {
  await assert.rejects(checkDocker(), (err: unknown) => {
    assert.ok(err instanceof DockerUnavailableError);
    assert.match(err.message, /^--docker needs a running Docker engine; none answered `docker info`: \S/);
    return true;
  });
  await assert.rejects(checkDocker('/nonexistent/docker'), /ENOENT/);
});

test('docker run gets the task environment, the work folder and the GPUs', () => {
  const args = dockerRunArgs({
    image: 'python:3.11', name: 'cairn-task-abc', mounts: ['/work/t1'], cwd: '/work/t1/code', gpus: '0,1', script: 'python3 -u x.py',
    env: { CLEARML_TASK_ID: 'abc', PATH: '/usr/bin', HOME: '/root', CUDA_VISIBLE_DEVICES: '0,1', SECRET_OF_HOST: 'x' },
  });
  assert.deepEqual(args, [
    'run', '--rm', '--name', 'cairn-task-abc', '--network', 'host', '-w', '/work/t1/code', '-v', '/work/t1:/work/t1', '--gpus', '"device=0,1"',
    '-e', 'CLEARML_TASK_ID=abc', '-e', 'CUDA_VISIBLE_DEVICES=0,1', '-e', 'CLEARML_DOCKER_IMAGE=python:3.11', 'python:3.11', 'bash', '-c', 'python3 -u x.py',
  ]);
});

// The script a container runs is plain bash around the image's python3; here it runs on
// this machine with a fresh virtualenv's python3 first on PATH, standing in for an image.
test('inside a container, pins that conflict (as clearml-agent freezes them) install as listed, then the task runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-container-'));
  try {
    execFileSync('python3', ['-m', 'venv', join(dir, 'image')]);
    const index = join(dir, 'index');
    mkdirSync(index);
    writeWheel(index, 'cairn-pin-a', '1.0', ['cairn-pin-b<2']);
    writeWheel(index, 'cairn-pin-b', '1.0');
    writeWheel(index, 'cairn-pin-b', '2.0');
    writeFileSync(join(dir, 'requirements.txt'), `--no-index\n--find-links ${index}\ncairn-pin-a==1.0\ncairn-pin-b==2.0\n`);
    writeFileSync(join(dir, 'task.py'), 'import cairn_pin_a, cairn_pin_b\nprint("task ran with", cairn_pin_a.VALUE, cairn_pin_b.VALUE)\n');
    const run = spawnSync('bash', ['-c', containerScript(join(dir, 'requirements.txt'), join(dir, 'task.py'))], {
      encoding: 'utf8', env: { PATH: `${join(dir, 'image', 'bin')}:${process.env.PATH}`, HOME: dir, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    });
    const out = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 0, out);
    assert.match(out, /ResolutionImpossible/, 'the strict resolver refused the list first');
    assert.match(out, /installing them as listed with pip's legacy resolver/);
    assert.match(out, /task ran with 1\.0 2\.0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inside a container, a package that cannot be installed is tried once more, then fails the task with pip\'s exit code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-container-'));
  try {
    execFileSync('python3', ['-m', 'venv', join(dir, 'image')]);
    writeFileSync(join(dir, 'requirements.txt'), '--no-index\ncairn-no-such-package==1.0\n');
    writeFileSync(join(dir, 'task.py'), 'print("task ran")\n');
    const run = spawnSync('bash', ['-c', containerScript(join(dir, 'requirements.txt'), join(dir, 'task.py'))], {
      encoding: 'utf8', env: { PATH: `${join(dir, 'image', 'bin')}:${process.env.PATH}`, HOME: dir, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    });
    const out = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 1, out);
    assert.match(out, /pip install failed with exit code 1; trying once more in 5 s/);
    assert.equal((out.match(/No matching distribution found for cairn-no-such-package/g) ?? []).length, 2, out);
    assert.doesNotMatch(out, /task ran/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
