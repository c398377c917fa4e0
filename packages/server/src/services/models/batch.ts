import { Errors } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import { reqIdList } from '../validate.js';

/**
 * The `*_many` answer shape: each id succeeds or fails on its own, failures carry the
 * ClearML error of that id, and one bad id never aborts the others.
 */
export interface BatchFailure {
  id: string;
  error: { codes: [number, number]; msg: string; data: Record<string, unknown> };
}

export interface BatchResult {
  succeeded: Record<string, unknown>[];
  failed: BatchFailure[];
}

export function readBatchIds(body: Record<string, unknown>): string[] {
  const ids = [...new Set(reqIdList(body, 'ids'))];
  if (ids.length === 0) throw new ApiError(Errors.emptyBatch, 'ids must name at least one model', { field: 'ids' });
  return ids;
}

/** Runs `one` per id in order; an `ApiError` becomes that id's failure, anything else aborts the call. */
export async function runBatch(ids: readonly string[], one: (id: string) => Promise<Record<string, unknown>>): Promise<BatchResult> {
  const result: BatchResult = { succeeded: [], failed: [] };
  for (const id of ids) {
    try {
      result.succeeded.push({ id, ...(await one(id)) });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      result.failed.push({ id, error: { codes: [err.error.code, err.error.subcode], msg: err.message, data: err.data } });
    }
  }
  return result;
}
