import type { CodeRecordingStore } from '../../store/store.js';

/** What a batch's hold needs of a task document. */
export interface RecordingTask {
  id: string;
  system_tags: readonly string[];
  parent?: string | null;
  status?: string;
  started?: string | null;
}

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
 * The marks live in the store: behind a load balancer, `tasks.started`,
 * `tasks.set_requirements` and the batch each reach any replica. A held batch looks
 * again every `pollMs`, and at once when the requirements reach its own replica. Whether
 * a batch may need holding is told by the task documents the batch reads anyway, so
 * other batches cost the store nothing.
 *
 * The child also inherits the parent's pooled keep-alive connections; that half of the
 * race is closed for every fork, not just this one, in http/forking-clients.ts.
 */
export class CodeRecording {
  /** batches held on this replica, woken at once when the requirements come here */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly marks: CodeRecordingStore,
    private readonly maxWaitMs = 5_000,
    private readonly now: () => number = Date.now,
    private readonly pollMs = 50,
  ) {}

  /**
   * A task started running. Its code comes next when a script run by hand started it
   * (system tag `development`). Not when it has a parent: a pipeline step or an
   * optimizer's trial that a controller started and then runs in a process attached to
   * the task (`CLEARML_TASK_ID`), which records no code, so a hold would only delay its
   * first batch by the whole bound.
   */
  async started(task: RecordingTask): Promise<void> {
    if (!expectsCode(task)) return;
    const now = this.now();
    await this.marks.expect(task.id, now, now - this.maxWaitMs);
  }

  /** The task's requirements were written: the SDK's code-recording thread is done. */
  async recorded(taskId: string): Promise<void> {
    await this.marks.done(taskId);
    for (const wake of this.waiters.get(taskId) ?? []) wake();
  }

  /**
   * Resolves at once unless one of the batch's tasks (as the batch read them) is
   * expecting its code; then when it is recorded or after the bound.
   */
  async settled(tasks: readonly RecordingTask[]): Promise<void> {
    const recent = this.now() - this.maxWaitMs;
    const candidates = tasks.filter((t) => expectsCode(t) && t.status === 'in_progress' && t.started && Date.parse(t.started) >= recent);
    if (candidates.length === 0) return;
    let expected = await this.marks.expected(candidates.map((t) => t.id));
    while (expected.size > 0) {
      const now = this.now();
      for (const [id, since] of expected) {
        if (since + this.maxWaitMs > now) continue;
        // waited for long enough once: later batches of this run go straight through
        await this.marks.done(id);
        expected.delete(id);
      }
      if (expected.size === 0) return;
      const until = Math.min(...expected.values()) + this.maxWaitMs;
      await this.pause([...expected.keys()], Math.min(this.pollMs, until - now));
      expected = await this.marks.expected([...expected.keys()]);
    }
  }

  private pause(ids: readonly string[], ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        for (const id of ids) this.waiters.get(id)?.delete(wake);
        for (const id of ids) if (this.waiters.get(id)?.size === 0) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      for (const id of ids) {
        const set = this.waiters.get(id) ?? new Set();
        set.add(wake);
        this.waiters.set(id, set);
      }
    });
  }
}

function expectsCode(task: RecordingTask): boolean {
  return task.system_tags.includes('development') && !task.parent;
}
