import busboy from 'busboy';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FileServerError, writeFailure } from './errors.js';
import { confineRealPath, resolveUnder, toSegments } from './paths.js';

export interface UploadTarget {
  root: string;
  tmpDir: string;
  maxBytes: number;
  /** Decoded path the POST was sent to; field names are relative to it. */
  base: string;
}

interface Part {
  name: string;
  target: string;
  tmp: string;
  out: WriteStream;
  /** Settles once the temp file is closed: with the failure, or null when complete. */
  written: Promise<FileServerError | null>;
}

function tooLarge(limit: number): FileServerError {
  return new FileServerError(413, `the upload exceeds the limit of ${limit} bytes; nothing of it was stored`);
}

/**
 * Receives one multipart upload. Each part streams into its own temp file; only when
 * the whole body has arrived intact are the temp files renamed onto their targets,
 * so an over-limit, malformed or aborted request leaves nothing behind. The target of
 * a part is its form field name (the SDK puts the object path there), not its
 * `filename`, which multipart parsers reduce to a base name.
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
  try {
    await feed(req, parser, parts, target);
    const failure = (await Promise.all(parts.map((p) => p.written))).find((e) => e !== null);
    if (failure) throw failure;
    if (parts.length === 0) throw new FileServerError(400, 'the upload holds no file part');
    return await commit(parts, target.root);
  } finally {
    await Promise.all(parts.map((p) => p.written));
    await Promise.all(parts.map((p) => rm(p.tmp, { force: true })));
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
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      parser.destroy();
      for (const p of parts) p.out.destroy();
      req.resume();
      reject(err);
    };

    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > target.maxBytes) {
        fail(tooLarge(target.maxBytes));
        return;
      }
      if (!parser.write(chunk)) {
        req.pause();
        parser.once('drain', () => settled || req.resume());
      }
    });
    req.on('end', () => settled || parser.end());
    req.on('error', () => fail(new FileServerError(400, 'the client went away before the upload completed')));
    req.on('close', () => req.complete || fail(new FileServerError(400, 'the client went away before the upload completed')));

    // A part that is not kept is drained; destroying the parser later makes such a
    // stream emit an error that nobody else listens for.
    const discard = (stream: NodeJS.ReadableStream) => stream.on('error', () => {}).resume();

    parser.on('file', (name: string | undefined, stream) => {
      if (settled) {
        discard(stream);
        return;
      }
      let dest: string;
      try {
        if (typeof name !== 'string') throw new FileServerError(400, 'a file part has no field name');
        const segments = toSegments(`${target.base}/${name}`);
        if (segments.length === 0) throw new FileServerError(400, 'a file part names no path');
        dest = resolveUnder(target.root, segments);
      } catch (err) {
        discard(stream);
        fail(err);
        return;
      }
      const tmp = join(target.tmpDir, randomBytes(16).toString('hex'));
      const out = createWriteStream(tmp, { flags: 'wx' });
      const written = pipeline(stream, out).then(
        () => null,
        (err: unknown) => {
          const failure = writeFailure(err, name);
          fail(failure);
          return failure;
        },
      );
      parts.push({ name, target: dest, tmp, out, written });
    });
    parser.on('field', () => {});
    parser.on('error', (err: Error) => fail(new FileServerError(400, `malformed multipart body: ${err.message}`)));
    parser.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
  });
}

/** Moves every received part onto its target; a later part with the same name wins. */
async function commit(parts: Part[], root: string): Promise<string[]> {
  const stored: string[] = [];
  for (const p of parts) {
    try {
      await confineRealPath(root, p.target);
      await mkdir(dirname(p.target), { recursive: true });
      await rename(p.tmp, p.target);
    } catch (err) {
      throw writeFailure(err, p.name);
    }
    stored.push(p.name);
  }
  return stored;
}
