/**
 * Orders the clearml SDK's start-up around its own fork race.
 *
 * On Linux the SDK (2.1, default `sdk.development.report_use_subprocess: true`) starts a
 * thread at `Task.init` that runs `git` to record the task's code, and a moment later
 * forks its reporting process. When the fork lands while that thread is inside
 * `subprocess.Popen`, the forked child inherits Popen's exec-status pipe; the thread
 * then waits for the child to exit, `Task.close()` (and so `execute_remotely`) waits
 * 300 s for the thread, kills it, and the task is closed or queued with no code at all.
 * Against a server that answers in about a millisecond the fork lost that race in about
 * half of the runs measured here (see the issue note); a slower server hides it.
 *
 * The SDK's last call before the fork is its first `events.add_batch` (the "results
 * page" console line). The thread records the script (`tasks.edit`), then analyses the
 * script's imports and ends with `tasks.set_requirements`; between the two it reloads
 * the task over the connection pool it shares with the process about to fork, and a
 * fork in that window left the thread waiting forever for an answer the child had read
 * (seen once in CI: `Task.init`'s first artifact upload then waits on the thread's lock
 * until killed). So the first event batch of a development task that has just started is
 * answered once its requirements are recorded, or after `maxWaitMs`: the fork then comes
 * after the thread's last call. Each run is held at most once; no other client's calls
 * are delayed.
 *
 * The child also inherits the parent's pooled keep-alive connections; that half of the
 * race is closed for every fork, not just this one, in http/forking-clients.ts.
 */
export class CodeRecording {
  private readonly expected = new Map<string, { since: number; waiters: Array<() => void> }>();

  constructor(
    private readonly maxWaitMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A task started running. Its code comes next when a script run by hand started it
   * (system tag `development`). Not when it has a parent: a pipeline step or an
   * optimizer's trial that a controller started and then runs in a process attached to
   * the task (`CLEARML_TASK_ID`), which records no code, so a hold would only delay its
   * first batch by the whole bound.
   */
  started(task: { id: string; system_tags: readonly string[]; parent?: string | null }): void {
    if (!task.system_tags.includes('development') || task.parent) return;
    this.forgetStale();
    this.release(task.id);
    this.expected.set(task.id, { since: this.now(), waiters: [] });
  }

  /** The task's requirements were written: the SDK's code-recording thread is done. */
  recorded(taskId: string): void {
    this.release(taskId);
  }

  /** Resolves at once unless one of the tasks is expecting its code; then when it is recorded or after the bound. */
  async settled(taskIds: Iterable<string>): Promise<void> {
    if (this.expected.size === 0) return;
    const waits: Promise<void>[] = [];
    for (const id of taskIds) {
      const entry = this.expected.get(id);
      if (!entry) continue;
      const remaining = entry.since + this.maxWaitMs - this.now();
      if (remaining <= 0) {
        this.release(id);
        continue;
      }
      waits.push(new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.release(id), remaining);
        entry.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }));
    }
    await Promise.all(waits);
  }

  get pending(): number {
    return this.expected.size;
  }

  private release(taskId: string): void {
    const entry = this.expected.get(taskId);
    if (!entry) return;
    this.expected.delete(taskId);
    for (const wake of entry.waiters) wake();
  }

  /** A task whose code never came (repository detection turned off) is not waited for again. */
  private forgetStale(): void {
    const limit = this.now() - this.maxWaitMs;
    for (const [id, entry] of this.expected) if (entry.since < limit && entry.waiters.length === 0) this.expected.delete(id);
  }
}
