/**
 * The ClearML-compatible file server (protocol notes §7).
 *
 * Layout on disk: every stored object lives at `<root>/<path>`, where `<path>` is the
 * object path exactly as the SDK names it (spaces, raw UTF-8 and literal `%XX`
 * sequences included), so the folder can be browsed, backed up or served by anything
 * else. `<root>/.cairn-tmp/` holds uploads still in flight; they are renamed onto their
 * target only once complete, so readers never see a partial file. Leftovers of a crash
 * are swept at start-up.
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
 * URL paths are percent-decoded exactly once. Errors answer `{"error": msg, "code": status}`.
 *
 * Every request needs the SDK's Bearer token (it sends it to its configured files host),
 * or, for GET and HEAD, a short-lived signature of the path (`cairn_sig`, `cairn_exp`:
 * what the web UI uses for images and downloads). `publicFiles` serves everyone, as
 * ClearML does. A write from a web page of another origin is refused either way.
 *
 * Modules: upload.ts (multipart → temp files → rename), download.ts (GET/HEAD with
 * ranges), paths.ts (decoding and confinement to the root), range.ts, mime.ts, errors.ts.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Authenticator } from '../auth/authenticator.js';
import { EXP_PARAM, SIG_PARAM, type UrlSigner } from '../auth/url-signer.js';
import { readBody } from '../http/body.js';
import { sendStoredFile } from './download.js';
import { asFileServerError, FileServerError, readFailure } from './errors.js';
import { confineRealPath, decodeUrlPath, resolveUnder, TMP_DIR_NAME, toSegments } from './paths.js';
import { receiveUpload } from './upload.js';

export interface FilesPluginOptions {
  root: string;
  maxUploadBytes: number;
  auth: Authenticator;
  signer: UrlSigner;
  /** serve without a token (`--public-files`) */
  publicFiles: boolean;
  /** origins whose pages may write (the web UI's); any other page's write is refused */
  trustedOrigins: readonly string[];
  log: (line: string) => void;
}

/** Temp files untouched this long belong to no live upload (an active one writes steadily). */
const STALE_TEMP_MS = 60 * 60 * 1000;
const MAX_DELETE_MANY_BYTES = 16 * 1024 * 1024;

async function sweepStaleTemps(tmpDir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(tmpDir)) {
    const file = join(tmpDir, name);
    const st = await stat(file).catch(() => null);
    if (st && now - st.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true, recursive: true });
  }
}

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
  const root = resolve(opts.root);
  const tmpDir = join(root, TMP_DIR_NAME);
  await mkdir(tmpDir, { recursive: true });
  await sweepStaleTemps(tmpDir);

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
    try {
      const full = resolveUnder(root, segments);
      await confineRealPath(root, join(full, '..'));
      await unlink(full);
    } catch (err) {
      throw readFailure(err, path);
    }
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
    try {
      const { path, query } = splitUrl(req.raw.url ?? '/', app.prefix);
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
          const file = resolveUnder(root, segments);
          await confineRealPath(root, file);
          await sendStoredFile(reply, {
            file,
            name: segments.join('/'),
            headOnly: req.method === 'HEAD',
            attachment: query.has('download'),
            range: req.headers.range,
          });
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
          const stored = await receiveUpload(req.raw, { root, tmpDir, maxBytes: opts.maxUploadBytes, base: path });
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
      // other failure drains what is left, so the client gets to read the answer.
      if (e.status === 401 || e.status === 403) reply.header('connection', 'close');
      else req.raw.resume();
      reply.code(e.status).type('application/json').send(JSON.stringify({ error: e.message, code: e.status }));
    }
    return reply;
  };

  const methods = ['GET', 'HEAD', 'POST', 'DELETE'];
  app.route({ method: methods, url: '/', handler: handle });
  app.route({ method: methods, url: '/*', handler: handle });
};
