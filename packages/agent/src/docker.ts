import { execFile, spawn } from 'node:child_process';

export class DockerUnavailableError extends Error {}

/** Fails with a clear message unless a Docker engine answers `docker info`. */
export function checkDocker(binary = 'docker'): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const why = (stderr || err.message).trim();
      reject(new DockerUnavailableError(`--docker needs a running Docker engine; none answered \`docker info\`: ${why}`));
    });
  });
}

export interface DockerRun {
  image: string;
  /** Container name, so that a stop can reach the container and not just the client. */
  name: string;
  env: NodeJS.ProcessEnv;
  /** Host folders mounted at the same path inside. */
  mounts: string[];
  cwd: string;
  gpus?: string;
  /** Shell command run inside the container. */
  script: string;
}

/** Variables of the host that mean nothing inside a container. */
const HOST_ONLY = new Set(['PATH', 'HOME', 'PWD', 'OLDPWD', 'SHLVL', 'HOSTNAME', 'TMPDIR', 'USER', 'SHELL', 'LANG', 'TERM']);

/**
 * `docker run --rm` arguments for a task: its environment, the work folder mounted at
 * the same path, host networking so an API address on localhost still works, and the
 * selected GPUs.
 */
export function dockerRunArgs(run: DockerRun): string[] {
  const args = ['run', '--rm', '--name', run.name, '--network', 'host', '-w', run.cwd];
  for (const m of run.mounts) args.push('-v', `${m}:${m}`);
  if (run.gpus !== undefined) args.push('--gpus', `"device=${run.gpus}"`);
  for (const [k, v] of Object.entries(run.env)) {
    if (v === undefined || HOST_ONLY.has(k) || !/^(CLEARML_|TRAINS_|CUDA_|NVIDIA_|PYTHON)/.test(k)) continue;
    args.push('-e', `${k}=${v}`);
  }
  args.push('-e', `CLEARML_DOCKER_IMAGE=${run.image}`, run.image, 'bash', '-c', run.script);
  return args;
}

/** Stops a task's container (the `docker run` client may already be gone). */
export function stopContainer(name: string, binary = 'docker'): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['stop', '-t', '1', name], { stdio: 'ignore' });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}
