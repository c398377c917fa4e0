import { ApiCallError } from './errors.js';
import type { CallOptions, Session } from './session.js';

/** The ClearML clients' `api.http.max_req_size`: no single batch request is larger. */
export const MAX_BATCH_BYTES = 15_728_640;

export interface BatchResult {
  added: number;
  errors: number;
  /** Messages of requests the server refused (their lines are counted in `errors`). */
  refused: string[];
}

/**
 * Splits json-lines into requests of at most `maxBytes` (cutting only between lines; a
 * single longer line goes alone and the server judges it).
 */
export function splitLines(lines: string[], maxBytes: number): string[][] {
  const chunks: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line) + 1;
    if (cur.length > 0 && size + bytes > maxBytes) {
      chunks.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(line);
    size += bytes;
  }
  if (cur.length > 0) chunks.push(cur);
  return chunks;
}

/**
 * Sends events with `events.add_batch` in as many requests as the size limit needs and
 * adds up what the server reports. A request the server refuses counts all its events
 * as errors and the others still go; an unreachable server rejects the whole call.
 */
export async function addEventBatch(session: Session, events: object[], opts: CallOptions & { maxBytes?: number } = {}): Promise<BatchResult> {
  const result: BatchResult = { added: 0, errors: 0, refused: [] };
  for (const chunk of splitLines(events.map((e) => JSON.stringify(e)), opts.maxBytes ?? MAX_BATCH_BYTES)) {
    try {
      const data = await session.callJsonLines<{ added?: number; errors?: number }>('events.add_batch', chunk, opts);
      const added = typeof data.added === 'number' ? data.added : chunk.length;
      result.added += added;
      result.errors += typeof data.errors === 'number' ? data.errors : chunk.length - added;
    } catch (err) {
      if (!(err instanceof ApiCallError)) throw err;
      result.errors += chunk.length;
      result.refused.push(err.message);
    }
  }
  return result;
}
