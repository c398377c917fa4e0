import { Errors } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';

/**
 * Scroll ids carry the whole position of a paged read (base64url JSON), so no server
 * keeps scroll state and any replica can answer the next page. Each id names the read
 * it belongs to and the request it continues, so it cannot be replayed against another.
 */
export function encodeScroll(kind: string, bind: string, state: unknown): string {
  return Buffer.from(JSON.stringify({ k: kind, b: bind, s: state }), 'utf8').toString('base64url');
}

/** The state of a scroll id, or `null` when none was given; a foreign or damaged id is an error. */
export function decodeScroll<T>(scrollId: unknown, kind: string, bind: string): T | null {
  if (scrollId === undefined || scrollId === null || scrollId === '') return null;
  const invalid = () => new ApiError(Errors.invalidScrollId, 'invalid scroll id: it does not continue this request');
  if (typeof scrollId !== 'string') throw invalid();
  let parsed: { k?: unknown; b?: unknown; s?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(scrollId, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.k !== kind || parsed.b !== bind || parsed.s === undefined) throw invalid();
  return parsed.s as T;
}
