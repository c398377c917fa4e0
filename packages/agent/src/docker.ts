import { execFile, spawn } from 'node:child_process';
import { LEGACY_RESOLVER, PIP_RETRY_PAUSE_MS } from './python-env.js';

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

/** A word for `bash -c`, quoted only when it needs to be. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shell command a task runs inside its container: install the requirements into the
 * image's Python, then the task. Pip failures are handled as on the host
 * (python-env.ts): a list whose pins conflict, as clearml-agent's frozen lists can, is
 * installed as listed with pip's legacy resolver; any other failure is tried once more.
 */
export function containerScript(requirementsFile: string, entry: string): string {
  const pip = `python3 -m pip install --disable-pip-version-check`;
  const req = shellQuote(requirementsFile);
  return [
    'pip_log=$(mktemp)',
    `${pip} -r ${req} 2>&1 | tee "$pip_log"`,
    'status=${PIPESTATUS[0]}',
    'if [ "$status" -ne 0 ] && grep -q ResolutionImpossible "$pip_log"; then',
    `  echo "the requirements conflict with each other; installing them as listed with pip's legacy resolver, as clearml-agent does"`,
    `  ${pip} ${LEGACY_RESOLVER} -r ${req}`,
    '  status=$?',
    'elif [ "$status" -ne 0 ]; then',
    `  echo "pip install failed with exit code $status; trying once more in ${PIP_RETRY_PAUSE_MS / 1000} s"`,
    `  sleep ${PIP_RETRY_PAUSE_MS / 1000}`,
    `  ${pip} -r ${req}`,
    '  status=$?',
    'fi',
    '[ "$status" -eq 0 ] || exit "$status"',
    `exec python3 -u ${entry}`,
  ].join('\n');
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
