import { ApiCallError, sleep, type Session } from '@cairn/client';

export interface QueueRef {
  id: string;
  name: string;
}

export interface Pick {
  taskId: string;
  queue: QueueRef;
}

/**
 * Pulls the next task from the worker's queues in priority order (the first queue
 * first, and again first after every task). An empty round is spent long-polling the
 * top queue (`wait_sec`: the server answers as soon as a task arrives); a server that
 * answers at once instead makes every empty round last the poll interval.
 */
export class QueuePoller {
  private warned = new Set<string>();

  constructor(
    private readonly session: Session,
    private readonly queues: QueueRef[],
    private readonly pollIntervalMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** The next task, or undefined once `signal` aborts. */
  async next(signal: AbortSignal): Promise<Pick | undefined> {
    while (!signal.aborted) {
      try {
        for (const queue of this.queues) {
          const taskId = await this.pop(queue, 0, signal);
          if (taskId) return { taskId, queue };
        }
        const started = Date.now();
        const top = this.queues[0]!;
        const taskId = await this.pop(top, Math.ceil(this.pollIntervalMs / 1000), signal);
        if (taskId) return { taskId, queue: top };
        await sleep(Math.max(0, this.pollIntervalMs - (Date.now() - started)), signal);
      } catch (err) {
        if (signal.aborted) return undefined;
        throw err;
      }
    }
    return undefined;
  }

  /** `queues.get_next_task`; an error is logged (once per kind) and reads as an empty queue. */
  private async pop(queue: QueueRef, waitSec: number, signal: AbortSignal): Promise<string | undefined> {
    try {
      const data = await this.session.call<{ entry?: { task?: string } }>(
        'queues.get_next_task',
        { queue: queue.id, ...(waitSec > 0 ? { wait_sec: waitSec } : {}) },
        { signal, timeoutMs: (waitSec + 30) * 1000 },
      );
      return data.entry?.task || undefined;
    } catch (err) {
      if (!(err instanceof ApiCallError)) throw err;
      const key = `${queue.id} ${err.code}/${err.subcode}`;
      if (!this.warned.has(key)) {
        this.warned.add(key);
        this.log(`cannot pull from queue ${queue.name}: ${err.message}`);
      }
      return undefined;
    }
  }
}
