/**
 * Named locks inside one process: the SQLite store's `exclusive`. One SQLite file
 * serves one server process, so a lock no other process sees is enough.
 */
export class ProcessLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async exclusive(name: string, fn: () => Promise<void>, wait = true): Promise<boolean> {
    const held = this.tails.get(name);
    if (held && !wait) return false;
    const run = (held ?? Promise.resolve()).then(fn);
    const tail = run.then(() => undefined, () => undefined);
    this.tails.set(name, tail);
    try {
      await run;
      return true;
    } finally {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}
