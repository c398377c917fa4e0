import type { FastifyReply } from 'fastify';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { FileServerError, readFailure } from './errors.js';
import { contentTypeFor, isActiveContent } from './mime.js';
import { parseRange } from './range.js';

export interface DownloadRequest {
  file: string;
  /** The stored path as the client named it, for messages. */
  name: string;
  headOnly: boolean;
  attachment: boolean;
  range: string | undefined;
}

function dispositionFor(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Answers GET/HEAD for one stored file, whole or as a single byte range. The file is
 * opened once and the stream reads from that handle, so a concurrent overwrite or
 * delete cannot make the body disagree with the Content-Length already sent.
 */
export async function sendStoredFile(reply: FastifyReply, req: DownloadRequest): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(req.file, 'r');
  } catch (err) {
    throw readFailure(err, req.name);
  }
  let streaming = false;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new FileServerError(404, `no such file: ${req.name}`);
    const type = contentTypeFor(req.file);
    reply.header('content-type', type)
      .header('accept-ranges', 'bytes')
      .header('last-modified', st.mtime.toUTCString())
      .header('x-content-type-options', 'nosniff');
    if (isActiveContent(type)) reply.header('content-security-policy', 'sandbox allow-scripts allow-popups');
    if (req.attachment) reply.header('content-disposition', dispositionFor(basename(req.file)));

    const range = parseRange(req.range, st.size);
    if (range.kind === 'unsatisfiable') {
      reply.code(416).header('content-range', `bytes */${st.size}`).header('content-type', 'application/json');
      reply.send(JSON.stringify({ error: `range ${req.range} is outside the file of ${st.size} bytes`, code: 416 }));
      return;
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, st.size - 1];
    if (range.kind === 'partial') reply.code(206).header('content-range', `bytes ${start}-${end}/${st.size}`);
    else reply.code(200);
    reply.header('content-length', String(end - start + 1));
    if (req.headOnly || end < start) {
      reply.send();
      return;
    }
    streaming = true;
    reply.send(handle.createReadStream({ start, end }));
  } finally {
    if (!streaming) await handle.close();
  }
}
