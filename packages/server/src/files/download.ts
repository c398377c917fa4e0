import type { FastifyReply } from 'fastify';
import type { BlobRead } from '../blobs/blob-store.js';
import { FileServerError } from './errors.js';
import { contentTypeFor, isActiveContent } from './mime.js';
import { parseRange } from './range.js';

export interface DownloadRequest {
  /** The object's name (a stored path or an S3 key), for the content type and messages. */
  name: string;
  headOnly: boolean;
  attachment: boolean;
  range: string | undefined;
}

function dispositionFor(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The opener of one object: reads it, all or the part the chooser picks; null when missing. */
export type OpenBlob = (choose: (size: number) => { start: number; end: number }) => Promise<BlobRead | null>;

/**
 * Answers GET/HEAD for one stored object, whole or as a single byte range. The range is
 * chosen from the size of the very version that is read, so the body always matches the
 * Content-Length sent.
 */
export async function sendBlob(reply: FastifyReply, req: DownloadRequest, open: OpenBlob): Promise<void> {
  let unsatisfiable = false;
  const got = await open((size) => {
    if (req.headOnly) return { start: 0, end: -1 };
    const range = parseRange(req.range, size);
    if (range.kind === 'unsatisfiable') {
      unsatisfiable = true;
      return { start: 0, end: -1 };
    }
    return range.kind === 'partial' ? { start: range.start, end: range.end } : { start: 0, end: size - 1 };
  });
  if (!got) throw new FileServerError(404, `no such file: ${req.name}`);
  const { info } = got;
  const type = contentTypeFor(req.name);
  reply.header('content-type', type)
    .header('accept-ranges', 'bytes')
    .header('last-modified', info.modified.toUTCString())
    .header('x-content-type-options', 'nosniff');
  if (isActiveContent(type)) reply.header('content-security-policy', 'sandbox allow-scripts allow-popups');
  if (req.attachment) reply.header('content-disposition', dispositionFor(req.name.split('/').pop() ?? req.name));

  if (unsatisfiable) {
    got.body.destroy();
    reply.code(416).header('content-range', `bytes */${info.size}`).header('content-type', 'application/json');
    reply.send(JSON.stringify({ error: `range ${req.range} is outside the file of ${info.size} bytes`, code: 416 }));
    return;
  }
  if (req.headOnly) {
    got.body.destroy();
    reply.code(200).header('content-length', String(info.size)).send();
    return;
  }
  const partial = req.range !== undefined && parseRange(req.range, info.size).kind === 'partial';
  if (partial) reply.code(206).header('content-range', `bytes ${got.start}-${got.end}/${info.size}`);
  else reply.code(200);
  reply.header('content-length', String(Math.max(0, got.end - got.start + 1)));
  reply.send(got.body);
}
