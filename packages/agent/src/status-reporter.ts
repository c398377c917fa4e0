import type { Session } from '@cairn/client';
import type { MachineStatsSampler } from './machine-stats.js';

/** How long a stop waits for a report in flight before giving it up. */
const STOP_GRACE_MS = 5_000;

export interface RunningTask {
  task: string;
  queue: string;
}

/**
 * The worker's heartbeat: `workers.status_report` with machine statistics every
 * interval, and at once whenever the task it runs changes. A report still in flight
 * (a server that is down) makes the next tick skip rather than pile up.
 */
export class StatusReporter {
  private timer: NodeJS.Timeout | undefined;
  private current: RunningTask | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private busy = false;
  private stopping = false;
  private readonly abandon = new AbortController();

  constructor(
    private readonly session: Session,
    private readonly workerId: string,
    private readonly queueIds: string[],
    private readonly intervalMs: number,
    private readonly sampler: MachineStatsSampler,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.busy) void this.report();
    }, this.intervalMs);
    this.timer.unref();
    void this.report();
  }

  /** Reports the task now running (or none) right away, after any report in flight. */
  setTask(running: RunningTask | undefined): Promise<void> {
    this.current = running;
    return this.report();
  }

  /**
   * Stops the heartbeat. A report in flight is let finish, so that it cannot reach the
   * server after a `workers.unregister` and register the worker again; one still waiting
   * for an unreachable server after a grace period is given up.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping = true;
    let grace: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS)));
    await Promise.race([this.inFlight, graceOver]);
    clearTimeout(grace);
    this.abandon.abort(new Error('reporter stopped'));
    await this.inFlight;
  }

  private report(): Promise<void> {
    this.busy = true;
    // The task as it is now: a later change must not rewrite a report already asked for.
    const running = this.current;
    const run = async () => {
      if (this.stopping) return;
      try {
        const machineStats = await this.sampler.sample();
        // The task changed while the machine was sampled (a slow sample on a busy machine):
        // this report would tell the server of a task already finished, after its
        // tasks.completed; the report setTask queued says what runs now.
        if (running !== this.current) return;
        const body: Record<string, unknown> = {
          worker: this.workerId,
          timestamp: Date.now(),
          machine_stats: machineStats,
          queues: this.queueIds,
          ...(running ? { task: running.task, queue: running.queue } : {}),
        };
        await this.session.call('workers.status_report', body, { signal: this.abandon.signal });
      } catch (err) {
        if (!this.abandon.signal.aborted) this.log(`status report failed: ${(err as Error).message}`);
      } finally {
        this.busy = false;
      }
    };
    this.inFlight = this.inFlight.then(run);
    return this.inFlight;
  }
}
