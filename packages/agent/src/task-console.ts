import { addEventBatch, type Session } from '@cairn/client';

export type LogLevel = 'info' | 'warning' | 'error';

interface Line {
  level: LogLevel;
  text: string;
}

/** ClearML's agent joins consecutive lines into one event up to this size. */
const MAX_EVENT_CHARS = 64 * 1024;

/** A `\r` progress bar keeps only its last state; ANSI colour resets alone on a line are noise. */
function cleanLine(raw: string): string | undefined {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const last = line.lastIndexOf('\r');
  const text = (last >= 0 ? line.slice(last + 1) : line).replace(/\x08/g, '');
  return text === '\x1b[0m' ? undefined : text;
}

/**
 * The task's console on the server: the child's stdout (info) and stderr (error) and
 * the agent's own notices, sent as `log` events with `events.add_batch` every flush
 * interval. Lines wait in memory while the server is unreachable and go, in order, when
 * it answers again.
 */
export class TaskConsole {
  private pending: Line[] = [];
  private partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private lastTimestamp = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private readonly inFlight = new AbortController();

  constructor(
    private readonly session: Session,
    private readonly taskId: string,
    private readonly workerId: string,
    private readonly flushMs: number,
    private readonly agentLog: (line: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.flushMs);
  }

  info(text: string): void {
    this.add('info', text);
  }

  warn(text: string): void {
    this.add('warning', text);
  }

  error(text: string): void {
    this.add('error', text);
  }

  /** Raw output of the task process; split into lines here, a trailing partial line waits for its end. */
  write(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    for (const l of lines) this.add(stream === 'stdout' ? 'info' : 'error', l);
  }

  /**
   * Sends what is left, partial lines included, and stops the timer. With `retries` (an
   * agent shutting down) a send stuck on an unreachable server is given up and the rest
   * gets only that many tries.
   */
  async close(opts: { retries?: number } = {}): Promise<void> {
    clearInterval(this.timer);
    if (opts.retries !== undefined) this.inFlight.abort(new Error('console closed'));
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.add(stream === 'stdout' ? 'info' : 'error', this.partial[stream]);
      this.partial[stream] = '';
    }
    await this.flush(opts.retries);
  }

  private add(level: LogLevel, raw: string): void {
    for (const part of raw.split('\n')) {
      const text = cleanLine(part);
      if (text !== undefined) this.pending.push({ level, text });
    }
  }

  /** Sends the lines gathered so far; one send at a time so events keep their order. */
  private flush(retries?: number): Promise<void> {
    this.sending = this.sending.then(async () => {
      if (this.pending.length === 0) return;
      const lines = this.pending;
      this.pending = [];
      const opts = retries === undefined ? { signal: this.inFlight.signal } : { retries };
      try {
        const result = await addEventBatch(this.session, this.toEvents(lines), opts);
        if (result.refused.length > 0) this.agentLog(`console of task ${this.taskId}: ${result.refused.join('; ')}`);
      } catch (err) {
        this.pending = [...lines, ...this.pending];
        this.agentLog(`console of task ${this.taskId} not sent yet: ${(err as Error).message}`);
      }
    });
    return this.sending;
  }

  /** Consecutive lines of one level become one event; timestamps strictly increase so the order survives. */
  private toEvents(lines: Line[]): object[] {
    const events: object[] = [];
    let cur: Line | undefined;
    const push = () => {
      if (!cur) return;
      this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
      events.push({ type: 'log', task: this.taskId, worker: this.workerId, level: cur.level, msg: cur.text, timestamp: this.lastTimestamp });
    };
    for (const line of lines) {
      if (cur && cur.level === line.level && cur.text.length + line.text.length + 1 <= MAX_EVENT_CHARS) {
        cur = { level: cur.level, text: `${cur.text}\n${line.text}` };
      } else {
        push();
        cur = { ...line };
      }
    }
    push();
    return events;
  }
}
