import { ApiCallError, findQueueId, Session, sleep, type ClientConfig, type RetryNotice } from '@cairn/client';
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { checkDocker } from './docker.js';
import { MachineStatsSampler } from './machine-stats.js';
import { QueuePoller, type QueueRef } from './queue-poller.js';
import { StatusReporter } from './status-reporter.js';
import { TaskRunner, type RunnerSettings } from './task-runner.js';
import { takeWorkerSlot, type SlotOptions, type WorkerSlot } from './worker-slot.js';

export interface DaemonOptions {
  config: ClientConfig;
  /** Queue names (or ids) in priority order. */
  queues: string[];
  /** GPU indices, e.g. `0,1`: exported to the task and part of the worker id. */
  gpus?: string;
  /** Run every task inside this image. */
  docker?: string;
  /** Exact worker id; default `<host>:cairn-<slot>` or `<host>:cairn-gpu<list>`. */
  name?: string;
  pollIntervalSec?: number;
  statusIntervalSec?: number;
  /** Where task checkouts and the venv cache live (default ~/.cairn/agent). */
  workDir?: string;
  /** Interpreter that creates task virtualenvs (default python3). */
  python?: string;
  systemSitePackages?: boolean;
  venvCacheDir?: string;
  abortCheckMs?: number;
  logFlushMs?: number;
  pingIntervalSec?: number;
  /** How long a task pulled without code is re-read for it (default 30 s). */
  codeWaitSec?: number;
  /** How long a fixed worker id the server says is in use is retried (default 100 s). */
  fixedIdWaitSec?: number;
  lockDir?: string;
  log?: (line: string) => void;
}

/** Tries a daemon makes at start-up before giving up on the server; later calls retry until it answers. */
const STARTUP_RETRIES = 4;

/** `workers.register` refused: another agent still reports under this id (ClearML's worker_registered). */
const WORKER_REGISTERED = 1003;

/** How long a daemon with a fixed id (`--name`, `--gpus`) waits for an earlier holder of it to go quiet. */
const FIXED_ID_WAIT_SEC = 100;

export class WorkerIdInUseError extends Error {}

/** Whether a retry notice is worth a log line: the first, then at powers of two. */
const worthLogging = (n: RetryNotice) => (n.attempt & (n.attempt - 1)) === 0;

/**
 * Takes a worker id and registers it. A default id the server refuses because another
 * agent (elsewhere, or clearml-agent) reports under it gives way to the next slot; a fixed
 * id is retried for a while, since the refused holder may be this agent's own previous
 * run, killed a moment ago, and then given up with the server's reason.
 */
async function registerWorker(session: Session, slotOpts: SlotOptions, queueIds: string[], timeoutSec: number, fixedIdWaitSec: number, log: (line: string) => void): Promise<WorkerSlot> {
  let slot = takeWorkerSlot(slotOpts);
  const fixedUntil = Date.now() + fixedIdWaitSec * 1000;
  for (;;) {
    try {
      await session.call('workers.register', { worker: slot.workerId, queues: queueIds, timeout: timeoutSec }, { retries: STARTUP_RETRIES });
      return slot;
    } catch (err) {
      if (!(err instanceof ApiCallError)) {
        slot.release();
        throw err;
      }
      if (err.subcode !== WORKER_REGISTERED) {
        log(`workers.register failed (the heartbeat registers the worker too): ${err.message}`);
        return slot;
      }
      if (slot.slot !== undefined) {
        log(`worker id ${slot.workerId} is in use elsewhere (${err.resultMessage}); trying the next one`);
        const next = takeWorkerSlot({ ...slotOpts, from: slot.slot + 1 });
        slot.release();
        slot = next;
        continue;
      }
      if (Date.now() >= fixedUntil) {
        slot.release();
        throw new WorkerIdInUseError(`${err.resultMessage} (waited ${fixedIdWaitSec} s for it to go quiet)`);
      }
      log(`worker id ${slot.workerId} is in use: ${err.resultMessage}; waiting for it to go quiet`);
      await sleep(Math.min(5_000, Math.max(0, fixedUntil - Date.now())));
    }
  }
}

/**
 * `cairn agent daemon`: registers a worker, keeps its heartbeat, pulls tasks from its
 * queues one at a time and runs them until shut down.
 */
export class Daemon {
  private readonly stopping = new AbortController();
  private current: TaskRunner | undefined;
  private closing: Promise<void> | undefined;
  private loopDone: Promise<void> = Promise.resolve();

  private constructor(
    private readonly session: Session,
    private readonly slot: WorkerSlot,
    private readonly queues: QueueRef[],
    private readonly reporter: StatusReporter,
    private readonly poller: QueuePoller,
    private readonly settings: RunnerSettings,
    private readonly config: ClientConfig,
    private readonly log: (line: string) => void,
  ) {}

  get workerId(): string {
    return this.slot.workerId;
  }

  get queueIds(): string[] {
    return this.queues.map((q) => q.id);
  }

  /** Checks the set-up, registers the worker and starts pulling tasks. */
  static async start(opts: DaemonOptions): Promise<Daemon> {
    const log = opts.log ?? ((line: string) => console.log(`${new Date().toISOString()} cairn-agent: ${line}`));
    if (opts.queues.length === 0) throw new Error('name at least one queue to pull from (--queue NAME)');
    if (opts.docker) await checkDocker();
    const session = new Session({
      ...opts.config,
      retry: { retries: Infinity },
      headers: { 'X-ClearML-Worker': hostname(), 'X-ClearML-Agent': 'cairn-agent' },
      onRetry: (n) => {
        if (worthLogging(n)) log(`server ${opts.config.apiHost} unreachable for ${n.endpoint} (${n.reason}); retrying in ${n.delayMs} ms`);
      },
    });
    await session.login({ retries: STARTUP_RETRIES });
    const queues: QueueRef[] = [];
    for (const name of opts.queues) queues.push({ id: await findQueueId(session, name), name });
    const statusIntervalSec = opts.statusIntervalSec ?? 30;
    const slot = await registerWorker(session, { name: opts.name, gpus: opts.gpus, lockDir: opts.lockDir }, queues.map((q) => q.id), Math.max(600, statusIntervalSec * 3), opts.fixedIdWaitSec ?? FIXED_ID_WAIT_SEC, log);
    const workDir = opts.workDir ?? join(homedir(), '.cairn', 'agent');
    const settings: RunnerSettings = {
      workDir,
      python: opts.python ?? 'python3',
      venvCacheDir: opts.venvCacheDir ?? join(workDir, 'venvs'),
      systemSitePackages: opts.systemSitePackages ?? false,
      gpus: opts.gpus,
      docker: opts.docker,
      abortCheckMs: opts.abortCheckMs ?? 1_000,
      logFlushMs: opts.logFlushMs ?? 1_000,
      pingIntervalMs: (opts.pingIntervalSec ?? 60) * 1000,
      codeWaitMs: (opts.codeWaitSec ?? 30) * 1000,
    };
    const gpus = opts.gpus ? new Set(opts.gpus.split(',').map(Number)) : undefined;
    const reporter = new StatusReporter(session, slot.workerId, queues.map((q) => q.id), statusIntervalSec * 1000, new MachineStatsSampler({ gpus }), log);
    const poller = new QueuePoller(session, queues, (opts.pollIntervalSec ?? 5) * 1000, log);
    const daemon = new Daemon(session, slot, queues, reporter, poller, settings, opts.config, log);
    reporter.start();
    log(`worker ${slot.workerId} pulling from ${queues.map((q) => `${q.name} (${q.id})`).join(', ')}`);
    daemon.loopDone = daemon.loop();
    return daemon;
  }

  /** Resolves when the daemon has shut down. */
  get done(): Promise<void> {
    return this.loopDone.then(() => this.closing);
  }

  private async loop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        const pick = await this.poller.next(this.stopping.signal);
        if (!pick) return;
        this.current = new TaskRunner({ session: this.session, config: this.config, workerId: this.workerId, reporter: this.reporter, settings: this.settings, log: this.log }, pick);
        await this.current.run();
      } catch (err) {
        // Like clearml-agent: report and go on pulling rather than leave the worker dead.
        this.log(`FATAL ERROR in the agent loop: ${(err as Error).stack ?? err}`);
        await sleep(1_000, this.stopping.signal).catch(() => undefined);
      } finally {
        this.current = undefined;
      }
    }
  }

  /** Stops pulling, stops the running task ("user abort") and unregisters the worker. */
  shutdown(): Promise<void> {
    this.closing ??= (async () => {
      this.log('shutting down');
      this.stopping.abort(new Error('agent shutting down'));
      this.current?.stop();
      await this.loopDone;
      await this.reporter.stop();
      try {
        await this.session.call('workers.unregister', { worker: this.workerId, queues: this.queueIds }, { retries: 3 });
      } catch (err) {
        this.log(`workers.unregister failed: ${(err as Error).message}`);
      }
      this.slot.release();
      this.log(`worker ${this.workerId} stopped`);
    })();
    return this.closing;
  }
}
