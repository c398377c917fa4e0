import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

/** The parts of a task's `script` that say where its code comes from and how to start it. */
export interface TaskScript {
  repository?: string;
  branch?: string;
  tag?: string;
  version_num?: string;
  entry_point?: string;
  working_dir?: string;
  diff?: string;
  requirements?: { pip?: string | string[] };
}

export interface Checkout {
  /** Root of the code: the clone, or the folder the script was written to. */
  root: string;
  /** Where the task runs (`script.working_dir` inside the root). */
  cwd: string;
  /** The file to run, relative to `cwd`, and arguments written into the entry point. */
  entryPoint: string;
  entryArgs: string[];
}

export class CheckoutError extends Error {
  constructor(
    message: string,
    /** The status reason the task fails with. */
    readonly reason: string,
  ) {
    super(message);
  }
}

/** Runs a command and resolves to its combined output; rejects with that output on failure. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${out.trim()}`))));
  });
}

const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -oBatchMode=yes' };
const git = (args: string[], cwd?: string) => run('git', args, { cwd, env: GIT_ENV });

/** A path inside `root`; rejects `..` escapes written into a task. */
function inside(root: string, rel: string, what: string): string {
  const full = normalize(join(root, rel || '.'));
  if (full !== root && !full.startsWith(root + sep)) throw new CheckoutError(`${what} ${JSON.stringify(rel)} points outside the code folder`, `invalid ${what}`);
  return full;
}

/** The entry point may carry arguments (`train.py --lr 1`), as ClearML allows. */
function splitEntryPoint(entry: string): { file: string; args: string[] } {
  const [file = '', ...args] = entry.trim().split(/\s+/);
  return { file, args };
}

/** ClearML stores uncommitted changes as a git diff, and the whole script text for script-only tasks. */
function isGitDiff(text: string): boolean {
  return /^(diff |submodule |--- )/m.test(text.trimStart().split('\n', 1)[0] ?? '');
}

async function cloneAndCheckout(script: TaskScript, root: string, log: (line: string) => void): Promise<void> {
  const repo = script.repository!;
  log(`cloning ${repo}`);
  try {
    await git(['clone', '--quiet', repo, root]);
  } catch (err) {
    throw new CheckoutError(`failed cloning repository ${repo}: ${(err as Error).message}`, 'failed cloning repository');
  }
  const target = script.version_num || (script.branch ? script.branch.replace(/^origin\//, '') : '') || (script.tag ? `tags/${script.tag}` : '');
  if (target) {
    log(`checking out ${target}`);
    try {
      await git(['checkout', '--quiet', '--force', target], root);
    } catch (err) {
      throw new CheckoutError(`failed checking out ${target}: ${(err as Error).message}`, 'failed cloning repository');
    }
  }
  if (script.diff && script.diff.trim() !== '') {
    const patch = join(root, '..', 'task.diff');
    writeFileSync(patch, script.diff.endsWith('\n') ? script.diff : `${script.diff}\n`);
    log('applying uncommitted changes (script.diff)');
    try {
      await git(['apply', '--unidiff-zero', '--whitespace=nowarn', patch], root);
    } catch (err) {
      throw new CheckoutError(`failed applying git diff: ${(err as Error).message}`, 'failed applying git diff');
    }
  }
}

/** Whether the script says where code to run comes from: a repository, or the script text itself. */
export function hasCode(script: TaskScript): boolean {
  if (script.repository) return true;
  return Boolean(script.diff && script.diff.trim() !== '' && !isGitDiff(script.diff));
}

/**
 * Puts the task's code into `taskDir/code`: a clone of `script.repository` at its commit,
 * branch or tag with `script.diff` applied, or, with no repository, `script.diff` written
 * out as the entry point (that is how script-only tasks carry their code).
 */
export async function materialiseCode(script: TaskScript, taskDir: string, log: (line: string) => void): Promise<Checkout> {
  const root = join(taskDir, 'code');
  const { file, args } = splitEntryPoint(script.entry_point || 'script.py');
  if (isAbsolute(file)) throw new CheckoutError(`entry point ${file} must be relative to the working directory`, 'invalid entry point');
  if (script.repository) {
    await cloneAndCheckout(script, root, log);
    const cwd = inside(root, script.working_dir ?? '.', 'working directory');
    return { root, cwd, entryPoint: file, entryArgs: args };
  }
  const cwd = inside(root, script.working_dir ?? '.', 'working directory');
  if (!hasCode(script)) {
    throw new CheckoutError('the task has no repository and no script text (script.diff) to run', 'no code to run');
  }
  const target = inside(cwd, file, 'entry point');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, script.diff ?? '');
  log(`wrote the task's script to ${file}`);
  return { root, cwd, entryPoint: file, entryArgs: args };
}
