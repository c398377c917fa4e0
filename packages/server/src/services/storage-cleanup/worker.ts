import type { Storage } from '../../blobs/storage.js';
import { S3AddressError } from '../../blobs/s3-location.js';
import { FileServerError } from '../../files/errors.js';
import type { FileOwner, StorageDeletion, StorageDeletionOutcome, Store } from '../../store/store.js';
import { storedFile } from './stored-file.js';

export interface CleanupTiming {
  /** how often the queue is looked at */
  intervalMs: number;
  /**
   * How long a queued file is left alone: the SDK's `Task.delete()` deletes the same
   * files itself right after `tasks.delete`, and would log each one the server took
   * first as a failure.
   */
  graceMs: number;
  /** the wait before each retry; one more attempt than retries */
  retryDelaysMs: readonly number[];
}

export const DEFAULT_CLEANUP_TIMING: CleanupTiming = {
  intervalMs: 5_000,
  graceMs: 10_000,
  retryDelaysMs: [30_000, 120_000, 600_000, 3_600_000],
};

const BATCH = 20;
/** Longer than a batch against a slow S3 takes, so that another replica does not take the same rows meanwhile. */
const LEASE_MS = 10 * 60_000;
/**
 * An object changed this shortly before its deletion was queued, or later, is kept: a
 * task reset and run again (the SDK reuses a draft task) writes its debug samples to the
 * same addresses. S3 dates have whole seconds.
 */
const REWRITE_TOLERANCE_MS = 1_000;
const KEEP_DONE_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;
/** Closing waits this long for a deletion in flight; one stuck on an unresponsive S3 is retried after its lease. */
const STOP_WAIT_MS = 2_000;

export interface StorageCleanup {
  /** Stops looking at the queue and waits (briefly) for the deletion in progress. */
  stop(): Promise<void>;
}

export interface CleanupDeps {
  store: Store;
  storage: Storage;
  /** read at each use: with port 0 the file server's address is known only once listening */
  publicFilesUrl: () => string;
}

const whose = (o: FileOwner) => `${o.owner_type} ${o.owner}`;
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
/** Failures that another attempt cannot fix: an address that names nothing the server may delete. */
const permanent = (err: unknown) => err instanceof S3AddressError || (err instanceof FileServerError && err.status < 500);

/**
 * Deletes the files of deleted tasks and models in the background, from the queue the
 * delete calls fill (store.storageDeletions). Before deleting it checks that no
 * remaining task or model names the file and that the file was not written again since;
 * a missing file counts as deleted. A failure is retried after each of
 * `retryDelaysMs`, then the row is `failed`. Every outcome is one line of the log.
 */
export function startStorageCleanup(deps: CleanupDeps, log: (line: string) => void, timing: Partial<CleanupTiming> = {}): StorageCleanup {
  const t: CleanupTiming = { ...DEFAULT_CLEANUP_TIMING, ...timing };
  const maxAttempts = t.retryDelaysMs.length + 1;
  const { store, storage } = deps;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let prunedAt = 0;

  const say = (line: string) => {
    if (!stopping) log(`storage cleanup: ${line}`);
  };
  const record = (row: StorageDeletion, outcome: StorageDeletionOutcome) => store.storageDeletions.record(row.id, outcome, Date.now());

  const attempt = async (row: StorageDeletion, holder: FileOwner | undefined): Promise<void> => {
    if (holder) {
      say(`kept ${row.url} (${whose(row)}): still used by ${whose(holder)}`);
      return record(row, { status: 'done' });
    }
    const n = row.attempts + 1;
    try {
      const file = storedFile(row.url, storage, deps.publicFilesUrl());
      if (!file) {
        const error = `the server deletes only files of its file server (${deps.publicFilesUrl()}) and s3:// objects; delete it where it is stored`;
        say(`cannot delete ${row.url} (${whose(row)}): ${error}`);
        return record(row, { status: 'failed', error });
      }
      const info = await file.stat();
      if (info && info.modified.getTime() > row.created - REWRITE_TOLERANCE_MS) {
        say(`kept ${row.url} (${whose(row)}): written again after its deletion was queued`);
        return record(row, { status: 'done' });
      }
      const existed = info !== null && (await file.delete());
      say(`deleted ${row.url} (${whose(row)})${existed ? '' : ': it was already gone'}`);
      return record(row, { status: 'done' });
    } catch (err) {
      const error = (err as Error)?.message ?? String(err);
      if (permanent(err)) {
        say(`cannot delete ${row.url} (${whose(row)}): ${error}`);
        return record(row, { status: 'failed', error });
      }
      if (n >= maxAttempts) {
        say(`cannot delete ${row.url} (${whose(row)}, attempt ${n}/${maxAttempts}, giving up): ${error}`);
        return record(row, { status: 'failed', error });
      }
      const delay = t.retryDelaysMs[n - 1];
      say(`cannot delete ${row.url} (${whose(row)}, attempt ${n}/${maxAttempts}, retry in ${seconds(delay)}): ${error}`);
      return record(row, { status: 'pending', error, retryAt: Date.now() + delay });
    }
  };

  /** Works through every due row, a batch at a time. */
  const drain = async () => {
    for (;;) {
      const now = Date.now();
      const rows = await store.storageDeletions.claim({ nowMs: now, queuedBefore: now - t.graceMs, limit: BATCH, leaseMs: LEASE_MS });
      const holders = await store.storageDeletions.holders(rows.map((r) => r.url));
      for (const row of rows) {
        if (stopping) return;
        await attempt(row, holders.get(row.url));
      }
      if (rows.length < BATCH) break;
    }
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = Date.now();
      await store.storageDeletions.prune(prunedAt - KEEP_DONE_MS);
    }
  };

  const schedule = () => {
    if (stopping) return;
    timer = setTimeout(() => {
      running = drain()
        .catch((err) => say(`${(err as Error)?.stack ?? String(err)}`))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, t.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopping = true;
      clearTimeout(timer);
      if (running) await Promise.race([running, new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
    },
  };
}
