import { ApiCallError, configFilePath, type CallOptions, type ClientConfig, type Session } from '@cairn/client';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watchForAbort, type AbortVerdict } from './abort-watch.js';
import { CheckoutError, hasCode, materialiseCode, type Checkout, type TaskScript } from './checkout.js';
import { containerScript, dockerRunArgs, shellQuote, stopContainer } from './docker.js';
import { PipInstallError, prepareVenv } from './python-env.js';
import type { Pick } from './queue-poller.js';
import { taskRequirements } from './requirements.js';
import type { StatusReporter } from './status-reporter.js';
import { TaskConsole } from './task-console.js';
import { taskEnvironment } from './task-env.js';
import { TaskProcess, type ProcessExit } from './task-process.js';

export interface RunnerSettings {
  workDir: string;
  python: string;
  venvCacheDir: string;
  systemSitePackages: boolean;
  gpus?: string;
  docker?: string;
  abortCheckMs: number;
  logFlushMs: number;
  pingIntervalMs: number;
  /** How long a task pulled without any code is re-read before it fails (its creator may still be writing it). */
  codeWaitMs: number;
}

export interface RunnerContext {
  session: Session;
  config: ClientConfig;
  workerId: string;
  reporter: StatusReporter;
  settings: RunnerSettings;
  log: (line: string) => void;
}

/** How a task run ended, from the agent's side. */
export type RunResult = 'completed' | 'failed' | 'stopped' | 'ended-elsewhere' | 'not-run';

type Ending =
  | { kind: 'exit'; exit: ProcessExit }
  | { kind: 'prepare-failed'; reason: string }
  | { kind: 'abort'; verdict: AbortVerdict }
  | { kind: 'shutdown' };

interface TaskDoc {
  id: string;
  name?: string;
  script?: TaskScript;
}

/** Thrown inside preparation when the run must end before the task process starts. */
class Interrupted extends Error {
  constructor(readonly ending: Ending) {
    super('interrupted');
  }
}

/**
 * Runs one pulled task from start to final status: marks it started, gets its code and
 * Python environment ready, runs it with its console streamed to the server, watches for
 * a stop request, and ends it `completed`, `failed` or `stopped`.
 */
export class TaskRunner {
  private readonly watch = new AbortController();
  private readonly shutdown = new AbortController();
  private verdict: AbortVerdict | undefined;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly pick: Pick,
  ) {}

  /** Ends the run because the agent is shutting down: the task is stopped with "user abort". */
  stop(): void {
    this.shutdown.abort(new Error('agent shutting down'));
  }

  async run(): Promise<RunResult> {
    const { session, log, workerId } = this.ctx;
    const id = this.pick.taskId;
    let task: TaskDoc;
    try {
      task = (await session.call<{ task: TaskDoc }>('tasks.get_by_id', { task: id })).task;
    } catch (err) {
      if (!(err instanceof ApiCallError)) throw err;
      log(`task ${id} pulled from ${this.pick.queue.name} cannot be read, skipping it: ${err.message}`);
      return 'not-run';
    }
    await this.statusCall('tasks.started', { status_reason: 'worker started execution', status_message: 'pulled by agent', force: true });
    void this.ctx.reporter.setTask({ task: id, queue: this.pick.queue.id });
    log(`running task ${id} (${task.name ?? ''}) from queue ${this.pick.queue.name}`);
    const console = new TaskConsole(session, id, workerId, this.ctx.settings.logFlushMs, log);
    console.start();
    console.info(`task ${id} pulled from ${this.pick.queue.name} by worker ${workerId}`);
    const taskDir = join(this.ctx.settings.workDir, 'tasks', id);
    const watching = watchForAbort(session, id, this.ctx.settings.abortCheckMs, this.watch.signal).then((v) => {
      this.verdict = v;
      return v;
    });
    const ping = setInterval(() => void session.call('tasks.ping', { task: id }, { signal: this.watch.signal }).catch(() => undefined), this.ctx.settings.pingIntervalMs);
    let ending: Ending;
    try {
      ending = await this.execute(task, taskDir, console, watching);
    } finally {
      clearInterval(ping);
      this.watch.abort();
      await watching;
    }
    const result = await this.finish(ending, console);
    void this.ctx.reporter.setTask(undefined);
    rmSync(taskDir, { recursive: true, force: true });
    log(`task ${id} ${result}`);
    return result;
  }

  /** Throws when a stop arrived while preparing, so no process is started for nothing. */
  private checkpoint(): void {
    if (this.shutdown.signal.aborted) throw new Interrupted({ kind: 'shutdown' });
    if (this.verdict) throw new Interrupted({ kind: 'abort', verdict: this.verdict });
  }

  private async execute(task: TaskDoc, taskDir: string, console: TaskConsole, watching: Promise<AbortVerdict | undefined>): Promise<Ending> {
    let proc: TaskProcess;
    try {
      rmSync(taskDir, { recursive: true, force: true });
      mkdirSync(taskDir, { recursive: true });
      const script = await this.awaitCode(task.script ?? {}, console);
      const checkout = await materialiseCode(script, taskDir, (l) => console.info(l));
      this.checkpoint();
      proc = await this.launch(task, taskDir, checkout, console);
    } catch (err) {
      if (err instanceof Interrupted) return err.ending;
      // A Ctrl-C also reaches pip or git and fails them: that is the shutdown, not a failure of the task.
      if (this.shutdown.signal.aborted) return { kind: 'shutdown' };
      if (err instanceof CheckoutError) {
        console.error(err.message);
        return { kind: 'prepare-failed', reason: err.reason };
      }
      if (err instanceof PipInstallError) {
        console.error(err.message);
        return { kind: 'prepare-failed', reason: 'failed installing requirements' };
      }
      console.error(`the agent failed preparing the task: ${(err as Error).stack ?? err}`);
      return { kind: 'prepare-failed', reason: 'agent error while preparing the task' };
    }
    // A watch that ends without a verdict (the process exited first) must not win the race.
    const abortSeen = watching.then((v) => v ?? new Promise<never>(() => undefined));
    const shutdown = new Promise<'shutdown'>((resolve) => this.shutdown.signal.addEventListener('abort', () => resolve('shutdown'), { once: true }));
    const first = await Promise.race([proc.exited, abortSeen, shutdown]);
    if (first === 'shutdown') {
      await proc.kill();
      return { kind: 'shutdown' };
    }
    if ('kind' in first) {
      await proc.kill();
      return { kind: 'abort', verdict: first };
    }
    return { kind: 'exit', exit: first };
  }

  /**
   * A task queued the moment it was created may not have its code yet: the clearml SDK
   * records the repository from a background thread. It is re-read for a while before
   * the run fails for want of code.
   */
  private async awaitCode(script: TaskScript, console: TaskConsole): Promise<TaskScript> {
    if (hasCode(script)) return script;
    const { codeWaitMs } = this.ctx.settings;
    console.info(`the task has no code recorded yet (no repository, no script); waiting up to ${Math.round(codeWaitMs / 1000)} s for it`);
    const deadline = Date.now() + codeWaitMs;
    let current = script;
    while (Date.now() < deadline) {
      await sleepUnlessStopped(Math.min(1_000, Math.max(0, deadline - Date.now())), this.shutdown.signal);
      this.checkpoint();
      const task = (await this.ctx.session.call<{ task: TaskDoc }>('tasks.get_by_id', { task: this.pick.taskId })).task;
      current = task.script ?? {};
      if (hasCode(current)) {
        console.info('the task\'s code is recorded now; going on');
        return current;
      }
    }
    throw new CheckoutError(
      `the task has no repository and no script text (script.diff) to run, ${Math.round(codeWaitMs / 1000)} s after it was pulled. ` +
        'A task queued by execute_remotely gets its code from its local run; run that script from inside a git repository ' +
        'with a remote, or give the task a script (clearml-task --script, cairn task create --script).',
      'no code to run',
    );
  }

  /** Starts the task process: in a cached virtualenv, or inside `docker run` with `--docker`. */
  private async launch(task: TaskDoc, taskDir: string, checkout: Checkout, console: TaskConsole): Promise<TaskProcess> {
    const { settings, config, workerId } = this.ctx;
    const requirements = taskRequirements(task.script?.requirements?.pip, checkout.root);
    const configFile = configFilePath(process.env);
    const env = taskEnvironment({
      base: process.env, config, taskId: task.id, workerId, gpus: settings.gpus, pythonPath: [checkout.cwd, checkout.root],
      configFile: existsSync(configFile) ? configFile : undefined,
    });
    const output = (stream: 'stdout' | 'stderr', text: string) => console.write(stream, text);
    if (settings.docker) {
      const image = settings.docker;
      const reqFile = join(taskDir, 'requirements.txt');
      writeFileSync(reqFile, `${requirements}\n`);
      const entry = [checkout.entryPoint, ...checkout.entryArgs].map(shellQuote).join(' ');
      const name = `cairn-task-${task.id}`;
      const args = dockerRunArgs({
        image, name, env, mounts: env.CLEARML_CONFIG_FILE ? [taskDir, env.CLEARML_CONFIG_FILE] : [taskDir], cwd: checkout.cwd, gpus: settings.gpus,
        script: containerScript(reqFile, entry),
      });
      console.info(`running inside docker image ${image}`);
      return new TaskProcess('docker', args, { cwd: taskDir, env: process.env }, output, () => stopContainer(name));
    }
    const venv = await prepareVenv({
      python: settings.python,
      requirements,
      cacheDir: settings.venvCacheDir,
      systemSitePackages: settings.systemSitePackages,
      output: (text) => console.write('stdout', text),
      log: (line) => console.info(line),
    });
    this.checkpoint();
    console.info(`Executing: python -u ${[checkout.entryPoint, ...checkout.entryArgs].join(' ')} (in ${checkout.cwd})`);
    return new TaskProcess(venv.python, ['-u', checkout.entryPoint, ...checkout.entryArgs], { cwd: checkout.cwd, env }, output);
  }

  /** Console notice, console flush, then the final status: the console is complete once the status is final. */
  private async finish(ending: Ending, console: TaskConsole): Promise<RunResult> {
    const reportShort: CallOptions = { retries: 3 };
    switch (ending.kind) {
      case 'exit': {
        const { code } = ending.exit;
        if (code === 0) {
          console.info('Process completed successfully');
          await console.close();
          await this.statusCall('tasks.completed', { status_reason: 'worker execution done' });
          return 'completed';
        }
        console.error(`Process failed, exit code ${code}`);
        await console.close();
        await this.statusCall('tasks.failed', { status_reason: `worker execution exit code ${code}` });
        return 'failed';
      }
      case 'prepare-failed':
        await console.close();
        await this.statusCall('tasks.failed', { status_reason: ending.reason });
        return 'failed';
      case 'abort':
        if (ending.verdict.kind === 'stop-requested') {
          console.error('Process aborted by user');
          await console.close();
          await this.statusCall('tasks.stopped', { status_reason: 'task was stopped by tasks.stop' });
          return 'stopped';
        }
        if (ending.verdict.kind === 'status-changed') console.error(`Process aborted: the task status changed to ${ending.verdict.status}`);
        await console.close();
        return 'ended-elsewhere';
      case 'shutdown':
        console.error('Process terminated by user: the agent is shutting down');
        await console.close(reportShort);
        await this.statusCall('tasks.stopped', { status_reason: 'user abort', force: true }, reportShort);
        return 'stopped';
    }
  }

  private async statusCall(endpoint: string, fields: Record<string, unknown>, opts: CallOptions = {}): Promise<void> {
    try {
      await this.ctx.session.call(endpoint, { task: this.pick.taskId, status_message: `Changed by cairn agent ${this.ctx.workerId}`, ...fields }, opts);
    } catch (err) {
      this.ctx.log(`${endpoint} for task ${this.pick.taskId} failed: ${(err as Error).message}`);
    }
  }
}

function sleepUnlessStopped(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
