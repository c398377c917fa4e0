import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDocker, dockerRunArgs, DockerUnavailableError } from './docker.js';

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
