import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './checkout.js';

export interface VenvRequest {
  /** The interpreter that creates the venv (`--python`). */
  python: string;
  /** Normalised requirements text. */
  requirements: string;
  cacheDir: string;
  systemSitePackages?: boolean;
  /** Receives pip's output as it runs. */
  output: (chunk: string) => void;
  log: (line: string) => void;
  /** The pause before the second try of a failed `pip install`. */
  retryPauseMs?: number;
}

export interface Venv {
  python: string;
  dir: string;
  cached: boolean;
}

export class PipInstallError extends Error {}

export const PIP_RETRY_PAUSE_MS = 5_000;
export const LEGACY_RESOLVER = '--use-deprecated=legacy-resolver';

/** `python -c` that prints the full version, so a patch upgrade gets new venvs. */
export async function pythonVersion(python: string): Promise<string> {
  try {
    return (await run(python, ['-c', 'import sys; print(sys.version)'])).trim();
  } catch (err) {
    throw new PipInstallError(`cannot run the Python interpreter ${python}: ${(err as Error).message}`);
  }
}

export function venvKey(version: string, requirements: string, systemSitePackages: boolean): string {
  return createHash('sha256').update(`${version}\n${systemSitePackages ? 'system-site-packages\n' : ''}${requirements}`).digest('hex');
}

/** Runs a command, streaming its output; resolves to the exit code. */
function stream(cmd: string, args: string[], output: (chunk: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } });
    child.stdout.on('data', (d: Buffer) => output(d.toString()));
    child.stderr.on('data', (d: Buffer) => output(d.toString()));
    child.on('error', (err) => {
      output(`${cmd}: ${err.message}\n`);
      resolve(-1);
    });
    child.on('close', (code) => resolve(code ?? -1));
  });
}

/**
 * A virtualenv with the requirements installed, from the cache when one was built for the
 * same Python and requirements. A new one is built in its own folder and published by
 * creating the cache entry, a symlink, in one step: a failed or interrupted build never
 * leaves an entry behind. (The venv itself is never moved: its scripts hold its path.)
 */
export async function prepareVenv(req: VenvRequest): Promise<Venv> {
  const version = await pythonVersion(req.python);
  const key = venvKey(version, req.requirements, req.systemSitePackages ?? false);
  const entry = join(req.cacheDir, key);
  const cachedPython = join(entry, 'bin', 'python');
  if (existsSync(cachedPython)) {
    req.log(`using the cached virtualenv ${entry}`);
    return { python: cachedPython, dir: entry, cached: true };
  }
  mkdirSync(req.cacheDir, { recursive: true });
  const build = join(req.cacheDir, `.build-${key.slice(0, 16)}-${randomBytes(4).toString('hex')}`);
  req.log(`creating a virtualenv with ${req.python} (${version.split(' ')[0]})`);
  try {
    const venvArgs = ['-m', 'venv', ...(req.systemSitePackages ? ['--system-site-packages'] : []), build];
    if ((await stream(req.python, venvArgs, req.output)) !== 0) throw new PipInstallError(`${req.python} -m venv failed`);
    const reqFile = join(build, 'requirements.txt');
    writeFileSync(reqFile, `${req.requirements}\n`);
    req.log(`installing requirements: ${req.requirements.split('\n').join(', ')}`);
    let conflict = false;
    const pip = (extra: string[] = []) =>
      stream(join(build, 'bin', 'python'), ['-m', 'pip', 'install', ...extra, '-r', reqFile], (chunk) => {
        if (chunk.includes('ResolutionImpossible')) conflict = true;
        req.output(chunk);
      });
    let code = await pip();
    if (code !== 0 && conflict) {
      // The list is a freeze of an environment pip let drift (clearml-agent writes one back
      // after each run, and installing in steps can leave, say, a botocore beside a
      // python-dateutil it does not accept): today's resolver refuses it as a whole.
      // clearml-agent installs such lists with pip's legacy resolver, which takes each pin
      // as given; so do we, and only after the strict attempt failed.
      req.log(`the requirements conflict with each other; installing them as listed with pip's legacy resolver, as clearml-agent does`);
      code = await pip([LEGACY_RESOLVER]);
    } else if (code !== 0) {
      // A package index that drops a connection mid-download fails the whole install
      // (pip's own retries cover only the connect); one more try after a pause costs a
      // genuine failure seconds and saves a task from a network blip.
      const pause = req.retryPauseMs ?? PIP_RETRY_PAUSE_MS;
      req.log(`pip install failed with exit code ${code}; trying once more in ${pause / 1000} s`);
      await new Promise((r) => setTimeout(r, pause));
      code = await pip();
    }
    if (code !== 0) throw new PipInstallError(`pip install failed with exit code ${code}`);
    try {
      symlinkSync(build, entry, 'dir');
    } catch (err) {
      // Another agent on this machine published the same environment first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      rmSync(build, { recursive: true, force: true });
      return { python: cachedPython, dir: entry, cached: true };
    }
    return { python: join(entry, 'bin', 'python'), dir: entry, cached: false };
  } catch (err) {
    rmSync(build, { recursive: true, force: true });
    throw err;
  }
}
