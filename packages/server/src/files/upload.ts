import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { BlobStore, StagedBlob } from '../blobs/blob-store.js';
import { BODY_IDLE_MS } from '../http/body.js';
import { FileServerError, writeFailure } from './errors.js';
import { toSegments } from './paths.js';

export interface UploadTarget {
  store: BlobStore;
  maxBytes: number;
  /** Decoded path the POST was sent to; field names are relative to it. */
  base: string;
  /** an upload that stops arriving for this long is cut off (408) and leaves nothing */
  idleMs?: number;
}

interface Part {
  name: string;
  /** Settles once the part is received: staged, or the failure. */
  staged: Promise<StagedBlob | FileServerError>;
}

function tooLarge(limit: number): FileServerError {
  return new FileServerError(413, `the upload exceeds the limit of ${limit} bytes; nothing of it was stored`);
}

/**
 * Receives one multipart upload. Each part streams into the store, staged (invisible);
 * only when the whole body has arrived intact are the parts committed, so an
 * over-limit, malformed or aborted request leaves nothing behind. The target of a part
 * is its form field name (the SDK puts the object path there), not its `filename`,
 * which multipart parsers reduce to a base name.
 */
export async function receiveUpload(req: IncomingMessage, target: UploadTarget): Promise<string[]> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > target.maxBytes) throw tooLarge(target.maxBytes);
  let parser: busboy.Busboy;
  try {
    // Field names are raw UTF-8; busboy would read them as latin1 by default.
    parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fieldSize: 64 * 1024 } });
  } catch (err) {
    throw new FileServerError(400, `expected a multipart/form-data body: ${(err as Error).message}`);
  }
  const parts: Part[] = [];
  let committed = false;
  try {
    await feed(req, parser, parts, target);
    const outcomes = await Promise.all(parts.map((p) => p.staged));
    const failure = outcomes.find((o): o is FileServerError => o instanceof FileServerError);
    if (failure) throw failure;
    if (parts.length === 0) throw new FileServerError(400, 'the upload holds no file part');
    const stored: string[] = [];
    for (const [i, p] of parts.entries()) {
      await (outcomes[i] as StagedBlob).commit();
      stored.push(p.name);
    }
    committed = true;
    return stored;
  } finally {
    if (!committed) {
      const outcomes = await Promise.all(parts.map((p) => p.staged));
      await Promise.all(outcomes.map((o) => (o instanceof FileServerError ? undefined : o.discard().catch(() => {}))));
    }
  }
}

/**
 * Pushes the request body into the parser by hand rather than with `pipe`, so that
 * on failure the parser can be cut off while the rest of the body is still read and
 * dropped: the client then gets to read the error instead of a reset connection.
 */
function feed(req: IncomingMessage, parser: busboy.Busboy, parts: Part[], target: UploadTarget): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let received = 0;
    let settled = false;
    const streams: Readable[] = [];
    const idleMs = target.idleMs ?? BODY_IDLE_MS;
    const stalled = () => fail(new FileServerError(408, `the upload stalled: nothing arrived for ${Math.round(idleMs / 1000)} s after ${received} bytes; nothing of it was stored`));
    let idle = setTimeout(stalled, idleMs);
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      parser.destroy();
      for (const s of streams) s.destroy();
      req.resume();
      reject(err);
    };

    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      clearTimeout(idle);
      idle = setTimeout(stalled, idleMs);
      received += chunk.length;
      if (received > target.maxBytes) {
        fail(tooLarge(target.maxBytes));
        return;
      }
      if (!parser.write(chunk)) {
        // Waiting for the store is not the client stalling.
        clearTimeout(idle);
        req.pause();
        parser.once('drain', () => {
          if (settled) return;
          idle = setTimeout(stalled, idleMs);
          req.resume();
        });
      }
    });
    req.on('end', () => {
      clearTimeout(idle);
      if (!settled) parser.end();
    });
    req.on('error', () => fail(new FileServerError(400, 'the client went away before the upload completed')));
    req.on('close', () => req.complete || fail(new FileServerError(400, 'the client went away before the upload completed')));

    // A part that is not kept is drained; destroying the parser later makes such a
    // stream emit an error that nobody else listens for.
    const discard = (stream: NodeJS.ReadableStream) => stream.on('error', () => {}).resume();

    parser.on('file', (name: string | undefined, stream: Readable) => {
      if (settled) {
        discard(stream);
        return;
      }
      let segments: string[];
      try {
        if (typeof name !== 'string') throw new FileServerError(400, 'a file part has no field name');
        segments = toSegments(`${target.base}/${name}`);
        if (segments.length === 0) throw new FileServerError(400, 'a file part names no path');
      } catch (err) {
        discard(stream);
        fail(err);
        return;
      }
      streams.push(stream);
      const staged = target.store.stage(segments, stream).catch((err: unknown) => {
        const failure = writeFailure(err, name);
        fail(failure);
        return failure;
      });
      parts.push({ name, staged });
    });
    parser.on('field', () => {});
    parser.on('error', (err: Error) => fail(new FileServerError(400, `malformed multipart body: ${err.message}`)));
    parser.on('finish', () => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      resolve();
    });
  });
}
