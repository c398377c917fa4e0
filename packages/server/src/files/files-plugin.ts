/**
 * The ClearML-compatible file server (protocol notes §7).
 *
 * Objects are kept by a BlobStore (blobs/): the data folder's `files/` by default, an
 * S3 bucket with `--files-store`. Either way an object's path is exactly the path the
 * SDK names (spaces, raw UTF-8 and literal `%XX` sequences included), and an upload is
 * visible only once complete.
 *
 * Routes, relative to wherever the plugin is mounted (`/` on its own port, `/files` in
 * single-port mode):
 *   POST   /            multipart upload; each part's field name is its target path
 *   POST   /<base>      the same, with field names taken relative to `<base>`
 *   POST   /delete_many JSON `{files: [...]}` → `{deleted: {path: true}, errors: {path: msg}}`
 *   GET    /            health check, `OK`
 *   GET    /<path>      the file (single byte ranges, `?download` for an attachment)
 *   HEAD   /<path>      existence and size
 *   DELETE /<path>      removes the file
 *   GET    /.cairn-s3?url=s3://...   an object the SDK put in S3, read with the server's
 *                       S3 credentials, for a signed address only (`files.sign_urls`)
 * URL paths are percent-decoded exactly once. Errors answer `{"error": msg, "code": status}`.
 *
 * Every request needs the SDK's Bearer token (it sends it to its configured files host),
 * or, for GET and HEAD, a short-lived signature of the path (`cairn_sig`, `cairn_exp`:
 * what the web UI uses for images and downloads). `publicFiles` serves everyone, as
 * ClearML does. A write from a web page of another origin is refused either way; the
 * web UI's own pages may read the answers to their reads (CORS), errors included.
 *
 * Modules: upload.ts (multipart → staged objects → commit), download.ts (GET/HEAD with
 * ranges), paths.ts (decoding, reserved names), range.ts, mime.ts, errors.ts.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import { EXP_PARAM, SIG_PARAM, type UrlSigner } from '../auth/url-signer.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { isS3Url } from '../blobs/s3-location.js';
import type { S3Objects } from '../blobs/s3-objects.js';
import { drainBody, readBody } from '../http/body.js';
import { sendBlob } from './download.js';
import { asFileServerError, FileServerError } from './errors.js';
import { decodeUrlPath, S3_PROXY_PATH, s3ProxySubject, toSegments } from './paths.js';
import { receiveUpload } from './upload.js';

export interface FilesPluginOptions {
  store: BlobStore;
  /** objects the SDK put in S3, shown through `/.cairn-s3` */
  s3: S3Objects;
  maxUploadBytes: number;
  /** an upload that stops arriving for this long is cut off (408) */
  bodyIdleMs?: number;
  auth: Authenticator;
  signer: UrlSigner;
  /** serve without a token (`--public-files`) */
  publicFiles: boolean;
  /** origins whose pages may write (the web UI's); any other page's write is refused */
  trustedOrigins: readonly string[];
  log: (line: string) => void;
}

const MAX_DELETE_MANY_BYTES = 16 * 1024 * 1024;

function splitUrl(rawUrl: string, prefix: string): { path: string; query: URLSearchParams } {
  const q = rawUrl.indexOf('?');
  let path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  if (prefix && path.startsWith(prefix)) path = path.slice(prefix.length);
  return { path: decodeUrlPath(path), query: new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '') };
}

function isMultipart(req: FastifyRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');
}

export const filesPlugin: FastifyPluginAsync<FilesPluginOptions> = async (app, opts) => {
  const { store } = opts;
  app.removeAllContentTypeParsers();
  // Leave every body unread: uploads are streamed to disk by the handler itself.
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  /**
   * A write from a web page carries an Origin header: only the web UI's own origins may
   * write, so a page elsewhere cannot plant or delete files (with `publicFiles` too).
   * Reads need the token or a signature of the path; writes need the token.
   */
  const checkAccess = async (req: FastifyRequest, path: string, query: URLSearchParams) => {
    const read = req.method === 'GET' || req.method === 'HEAD';
    const origin = req.headers.origin;
    if (!read && origin && !opts.trustedOrigins.includes(origin)) {
      throw new FileServerError(403, `writes from pages of ${origin} are refused`);
    }
    if (opts.publicFiles) return;
    const header = req.headers.authorization;
    if (header) {
      try {
        await opts.auth.checkBearer(header);
        return;
      } catch (err) {
        throw new FileServerError(401, (err as Error).message);
      }
    }
    if (read && query.has(SIG_PARAM)) {
      if (opts.signer.verify(toSegments(path).join('/'), query.get(EXP_PARAM), query.get(SIG_PARAM))) return;
      throw new FileServerError(401, 'the signed address is invalid or has expired; reload the page');
    }
    throw new FileServerError(401, 'the file server needs a token (Authorization: Bearer) or a signed address');
  };

  const deleteOne = async (path: string) => {
    const segments = toSegments(path);
    if (segments.length === 0) throw new FileServerError(400, 'no file named');
    if (!(await store.delete(segments))) throw new FileServerError(404, `no such file: ${segments.join('/')}`);
  };

  /** An S3 object for the web UI: a signed address only, and never a write. */
  const sendS3Object = async (req: FastifyRequest, reply: FastifyReply, query: URLSearchParams) => {
    const url = query.get('url') ?? '';
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new FileServerError(405, `${S3_PROXY_PATH} is read-only`);
    if (!isS3Url(url)) throw new FileServerError(400, `${S3_PROXY_PATH} needs url=s3://...`);
    if (!opts.signer.verify(s3ProxySubject(url), query.get(EXP_PARAM), query.get(SIG_PARAM))) {
      throw new FileServerError(401, 'the signed address is invalid or has expired; reload the page');
    }
    const name = url.slice(url.lastIndexOf('/') + 1) || url;
    await sendBlob(reply, { name, headOnly: req.method === 'HEAD', attachment: query.has('download'), range: req.headers.range },
      (choose) => opts.s3.read(url, choose));
  };

  const deleteMany = async (req: FastifyRequest): Promise<unknown> => {
    let files: unknown;
    try {
      files = (JSON.parse((await readBody(req.raw, MAX_DELETE_MANY_BYTES)).toString('utf8')) as { files?: unknown })?.files;
    } catch (err) {
      if (err instanceof SyntaxError) throw new FileServerError(400, `malformed JSON body: ${err.message}`);
      throw err;
    }
    if (!Array.isArray(files) || !files.every((f) => typeof f === 'string')) {
      throw new FileServerError(400, 'expected a JSON body {"files": ["path", ...]}');
    }
    const deleted: Record<string, boolean> = {};
    const errors: Record<string, string> = {};
    for (const file of files as string[]) {
      try {
        await deleteOne(file);
        deleted[file] = true;
      } catch (err) {
        errors[file] = asFileServerError(err).message;
      }
    }
    return { deleted, errors };
  };

  // Returns the reply itself: an async handler that does not would make Fastify send an
  // empty body over a download stream that is still being piped.
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      // The web UI, on a port of its own, reads the reason a download or image failed
      // (a missing object, S3 refusing the server's key); other sites' pages read nothing.
      reply.header('vary', 'origin');
      const origin = req.headers.origin;
      if (origin && opts.trustedOrigins.includes(origin)) reply.header('access-control-allow-origin', origin);
    }
    try {
      const { path, query } = splitUrl(req.raw.url ?? '/', app.prefix);
      if (path === `/${S3_PROXY_PATH}`) {
        await sendS3Object(req, reply, query);
        return reply;
      }
      const isHealthCheck = (req.method === 'GET' || req.method === 'HEAD') && toSegments(path).length === 0;
      if (!isHealthCheck) await checkAccess(req, path, query);
      switch (req.method) {
        case 'GET':
        case 'HEAD': {
          const segments = toSegments(path);
          if (segments.length === 0) {
            reply.code(200).type('text/plain; charset=utf-8').send(req.method === 'HEAD' ? undefined : 'OK');
            return reply;
          }
          await sendBlob(reply, {
            name: segments.join('/'),
            headOnly: req.method === 'HEAD',
            attachment: query.has('download'),
            range: req.headers.range,
          }, (choose) => store.read(segments, choose));
          return reply;
        }
        case 'DELETE':
          await deleteOne(path);
          reply.code(200).type('application/json').send(JSON.stringify({ deleted: path.replace(/^\/+/, '') }));
          return reply;
        default: {
          if (!isMultipart(req) && toSegments(path).join('/') === 'delete_many') {
            reply.code(200).type('application/json').send(JSON.stringify(await deleteMany(req)));
            return reply;
          }
          const stored = await receiveUpload(req.raw, { store, maxBytes: opts.maxUploadBytes, base: path, idleMs: opts.bodyIdleMs });
          reply.code(200).type('application/json').send(JSON.stringify(stored));
        }
      }
    } catch (err) {
      const e = asFileServerError(err);
      if (e.status >= 500) {
        const detail = err instanceof FileServerError ? e.message : (err as Error)?.stack ?? e.message;
        opts.log(`file server: ${req.method} ${req.raw.url}: ${detail}`);
      }
      // A refused caller's body is not read: the connection closes after the answer. Any
      // other failure drains what is left, so the client gets to read the answer; a body
      // that stopped arriving closes the connection too.
      if (e.status !== 401 && e.status !== 403 && e.status !== 408) await drainBody(req.raw, opts.bodyIdleMs);
      if (e.status === 401 || e.status === 403 || !req.raw.complete) reply.header('connection', 'close');
      reply.code(e.status).type('application/json').send(JSON.stringify({ error: e.message, code: e.status }));
    }
    return reply;
  };

  const methods = ['GET', 'HEAD', 'POST', 'DELETE'];
  app.route({ method: methods, url: '/', handler: handle });
  app.route({ method: methods, url: '/*', handler: handle });
};
