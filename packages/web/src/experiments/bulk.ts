import { call } from '../api/client';

/** The outcome of one action over many experiments. */
export interface BulkResult {
  done: number;
  failed: { id: string; message: string }[];
}

const PARALLEL = 4;

/** Runs a call per experiment, a few at a time, collecting each failure's reason. */
export async function eachTask(ids: readonly string[], run: (id: string) => Promise<unknown>): Promise<BulkResult> {
  const result: BulkResult = { done: 0, failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        await run(id);
        result.done++;
      } catch (err) {
        result.failed.push({ id, message: (err as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, ids.length) }, worker));
  return result;
}

interface ManyResponse {
  succeeded: { id: string }[];
  failed: { id: string; error?: { msg?: string } }[];
}

/** The `*_many` endpoints answer per id; a failed id carries the server's reason. */
export async function manyCall(endpoint: string, ids: readonly string[], extra: object = {}): Promise<BulkResult> {
  const r = await call<ManyResponse>(endpoint, { ids, ...extra });
  return { done: r.succeeded.length, failed: r.failed.map((f) => ({ id: f.id, message: f.error?.msg ?? 'failed' })) };
}

/** "Aborted 3 experiments" or "Could not abort 1 of 3 experiments: <reason> (name)". */
export function describe(result: BulkResult, verb: string, past: string, nameOf: (id: string) => string): { text: string; ok: boolean } {
  const total = result.done + result.failed.length;
  const plural = (n: number) => `${n} experiment${n === 1 ? '' : 's'}`;
  if (result.failed.length === 0) return { text: `${past} ${plural(total)}`, ok: true };
  const first = result.failed[0];
  const more = result.failed.length > 1 ? ` (and ${result.failed.length - 1} more)` : '';
  return { text: `Could not ${verb} ${result.failed.length} of ${plural(total)}: ${nameOf(first.id)}: ${first.message}${more}`, ok: false };
}
