import { createHmac, timingSafeEqual } from 'node:crypto';
import { Errors } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';

/**
 * Scroll ids carry the whole position of a paged read (base64url JSON), so no server
 * keeps scroll state and any replica can answer the next page. Each id names the read
 * it belongs to and the request it continues, so it cannot be replayed against another,
 * and it is signed (with a key derived from the token-signing key, shared by replicas),
 * so the position inside it is one the server wrote: a crafted one is refused, not read.
 */
export class ScrollIds {
  constructor(private readonly signingKey: () => Buffer) {}

  private mac(payload: string): string {
    const key = createHmac('sha256', this.signingKey()).update('cairn scroll ids').digest();
    return createHmac('sha256', key).update(payload).digest('base64url');
  }

  encode(kind: string, bind: string, state: unknown): string {
    const payload = Buffer.from(JSON.stringify({ k: kind, b: bind, s: state }), 'utf8').toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The state of a scroll id, or `null` when none was given; a foreign, damaged or forged id is an error. */
  decode<T>(scrollId: unknown, kind: string, bind: string): T | null {
    if (scrollId === undefined || scrollId === null || scrollId === '') return null;
    const invalid = () => new ApiError(Errors.invalidScrollId, 'invalid scroll id: it does not continue this request');
    if (typeof scrollId !== 'string') throw invalid();
    const dot = scrollId.lastIndexOf('.');
    if (dot <= 0) throw invalid();
    const payload = scrollId.slice(0, dot);
    const given = Buffer.from(scrollId.slice(dot + 1), 'base64url');
    const want = Buffer.from(this.mac(payload), 'base64url');
    if (given.length !== want.length || !timingSafeEqual(given, want)) throw invalid();
    let parsed: { k?: unknown; b?: unknown; s?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      throw invalid();
    }
    if (typeof parsed !== 'object' || parsed === null || parsed.k !== kind || parsed.b !== bind || parsed.s === undefined) throw invalid();
    return parsed.s as T;
  }
}
