import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

/** A worker id held by this process: a pid file no other local agent may take while we live. */
export interface WorkerSlot {
  workerId: string;
  /** The slot number of a default id (`<host>:cairn-<n>`); undefined for `--name` and `--gpus` ids. */
  slot?: number;
  release(): void;
}

export class WorkerIdTakenError extends Error {}

export interface SlotOptions {
  /** Exact worker id (`--name`). */
  name?: string;
  /** GPU indices (`--gpus 0,1`): the id becomes `<host>:gpu0,1`. */
  gpus?: string;
  host?: string;
  /** Where the pid files live; one folder per machine. */
  lockDir?: string;
  pid?: number;
  /** The first slot number to try for a default id (the ones before were refused elsewhere). */
  from?: number;
}

export const DEFAULT_LOCK_DIR = join(tmpdir(), 'cairn-agent-slots');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the pid file of `id`; a file left by a dead process is taken over. */
function tryTake(dir: string, id: string, pid: number, slot?: number): WorkerSlot | undefined {
  const file = join(dir, `${encodeURIComponent(id)}.pid`);
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(pid), { flag: 'wx' });
      return {
        workerId: id,
        slot,
        release: () => {
          try {
            if (readFileSync(file, 'utf8') === String(pid)) unlinkSync(file);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8'));
      // Agents inside one process (tests) share a pid, so our own pid counts as taken too.
      if (owner === pid || (Number.isInteger(owner) && owner > 0 && alive(owner))) return undefined;
      unlinkSync(file);
    }
  }
  return undefined;
}

/**
 * Picks this agent's worker id: the `--name` given, else `<host>:cairn-gpu<list>` with
 * `--gpus`, else `<host>:cairn-<slot>` with the lowest slot no other local agent holds, so
 * several agents can share a machine. The `cairn-` part keeps the ids apart from
 * clearml-agent's (`<host>:<n>`, `<host>:gpu<list>`) when both run on one host.
 */
export function takeWorkerSlot(opts: SlotOptions = {}): WorkerSlot {
  const dir = opts.lockDir ?? DEFAULT_LOCK_DIR;
  mkdirSync(dir, { recursive: true });
  const pid = opts.pid ?? process.pid;
  const host = opts.host ?? hostname();
  const fixed = opts.name ?? (opts.gpus ? `${host}:cairn-gpu${opts.gpus}` : undefined);
  if (fixed) {
    const slot = tryTake(dir, fixed, pid);
    if (!slot) throw new WorkerIdTakenError(`another agent on this machine already runs as worker ${fixed}`);
    return slot;
  }
  for (let n = opts.from ?? 0; ; n++) {
    const slot = tryTake(dir, `${host}:cairn-${n}`, pid, n);
    if (slot) return slot;
  }
}
