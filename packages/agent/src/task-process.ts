import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface ProcessExit {
  /** The exit code, or minus the signal number when a signal ended it (as clearml-agent reports). */
  code: number;
  signal?: string;
}

/** Grace between SIGTERM and SIGKILL when a task is stopped. */
export const KILL_GRACE_MS = 2_000;

/**
 * The task's process, started in a process group of its own so that stopping it
 * reaches everything it started: SIGTERM to the group, SIGKILL to the group after a
 * short grace.
 */
export class TaskProcess {
  readonly exited: Promise<ProcessExit>;
  private done = false;
  private readonly child: ChildProcess;

  constructor(
    cmd: string,
    args: string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv },
    onOutput: (stream: 'stdout' | 'stderr', text: string) => void,
    /** Extra clean-up when stopped (a container to stop). */
    private readonly onKill?: () => Promise<void>,
  ) {
    this.child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => onOutput('stdout', d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => onOutput('stderr', d));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        onOutput('stderr', `cannot start ${cmd}: ${err.message}\n`);
        this.done = true;
        resolve({ code: 127 });
      });
      // Leftovers of a finished task (background children holding its pipes) are ended with it.
      this.child.on('exit', () => this.signalGroup('SIGKILL'));
      // 'close' waits for the output pipes, so no line is lost after the exit.
      this.child.on('close', (code, signal) => {
        this.done = true;
        resolve(signal ? { code: -(constants.signals[signal] ?? 1), signal } : { code: code ?? -1 });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // the group is already gone
    }
  }

  /** Stops the whole process group; resolves once the task process has exited. */
  async kill(): Promise<ProcessExit> {
    if (!this.done) {
      this.signalGroup('SIGTERM');
      const graceOver = new Promise<'grace'>((resolve) => setTimeout(() => resolve('grace'), KILL_GRACE_MS).unref());
      await Promise.race([this.exited, graceOver]);
    }
    // Whatever is left of the group (children that ignored SIGTERM) goes now.
    this.signalGroup('SIGKILL');
    await this.onKill?.();
    return this.exited;
  }
}
