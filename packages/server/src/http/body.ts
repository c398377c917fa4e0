import type { IncomingMessage } from 'node:http';
import { Errors } from '@cairn/protocol';
import { ApiError } from './api-error.js';

/** The client went away before its body arrived: nothing to answer, one line to log. */
export class RequestAborted extends Error {}

/** A body that stops arriving for this long is cut off (408), freeing its connection. */
export const BODY_IDLE_MS = 30_000;

/**
 * Reads a whole request body, refusing more than `limit` bytes without buffering the
 * excess, and a body that stalls for `idleMs`.
 */
export function readBody(req: IncomingMessage, limit: number, idleMs = BODY_IDLE_MS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new ApiError(Errors.payloadTooLarge, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    let timer = setTimeout(stalled, idleMs);
    function stalled() {
      settle(() => reject(new ApiError(Errors.requestTimeout, `the request body stalled: nothing arrived for ${Math.round(idleMs / 1000)} s after ${size} bytes`)));
    }
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      clearTimeout(timer);
      timer = setTimeout(stalled, idleMs);
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        settle(() => reject(new ApiError(Errors.payloadTooLarge, `request body exceeds the limit of ${limit} bytes`)));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle(() => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))));
    req.on('aborted', () => settle(() => reject(new RequestAborted(`the client closed the connection after ${size} bytes`))));
    req.on('error', (err) => settle(() => reject(new RequestAborted(`the request failed after ${size} bytes: ${err.message}`))));
  });
}

/** At most this much of a refused body is read and dropped before the answer; past it the answer goes at once, as before. */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Reads and drops the rest of a body the server refused (a 413, say), and resolves once it
 * has all come, the client has gone, nothing arrived for `idleMs`, or `maxBytes` were
 * dropped. The answer waits for it: answering first ends the connection (every Python
 * client gets `Connection: close`) while the client is still sending, its kernel answers
 * the rest with a reset, and a client behind a proxy or a slow link reads the reset instead
 * of the answer.
 */
export function drainBody(req: IncomingMessage, idleMs = BODY_IDLE_MS, maxBytes = DRAIN_MAX_BYTES): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let dropped = 0;
    let timer = setTimeout(done, idleMs);
    function done() {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve();
    }
    function onData(chunk: Buffer) {
      dropped += chunk.length;
      clearTimeout(timer);
      if (dropped > maxBytes) done();
      else timer = setTimeout(done, idleMs);
    }
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}
