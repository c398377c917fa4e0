import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Errors, QueryError, RegexError } from '@cairn/protocol';
import type { Authenticator } from '../auth/authenticator.js';
import { ApiError } from './api-error.js';
import { drainBody, readBody, RequestAborted } from './body.js';
import { storeFailure } from '../store/store-failure.js';
import type { EndpointRegistry } from './endpoints.js';
import { envelope, type CallInfo } from './envelope.js';
import { checkJsonDepth } from './json-depth.js';
import { parseQuery } from './query-merge.js';

export interface ApiPluginOptions {
  registry: EndpointRegistry;
  auth: Authenticator;
  maxRequestBytes: number;
  /** a body that stalls this long is cut off (408) */
  bodyIdleMs?: number;
  log: (line: string) => void;
  logRequests: boolean;
}

const CALL_METHODS = new Set(['GET', 'POST', 'PUT']);
/** A refused caller's body up to this size is read and dropped, keeping the connection (the SDK renews its token on it). */
const SMALL_BODY = 64 * 1024;
const PATH = /^\/(?:v(\d+(?:\.\d+)?)\/)?([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\/?$/;

function headerString(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v[0] ?? '' : v ?? '';
}

function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ApiError(Errors.invalidRequestBody, `malformed JSON body: ${(err as Error).message}`);
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError(Errors.invalidRequestBody, `request body must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  checkJsonDepth(parsed, 'the request body');
  return parsed as Record<string, unknown>;
}

/** Maps failures of the storage layer that a user can act on to ClearML-shaped errors. */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof RegexError) return new ApiError(Errors.invalidRegex, err.message);
  if (err instanceof QueryError) return new ApiError(Errors.validationError, err.message);
  const failure = storeFailure(err);
  if (failure === 'disk-full') return new ApiError(Errors.dataStoreFull, 'the server is out of disk space; nothing of this request was stored');
  if (failure === 'nul-in-text') return new ApiError(Errors.validationError, 'a text value holds a NUL character (\\u0000), which the database cannot store; nothing of this request was stored');
  return new ApiError(Errors.internal, `internal error: ${(err as Error)?.message ?? String(err)}`);
}

/**
 * Reads and drops a refused caller's small body after the answer, so that the connection
 * serves its next request; one that stops arriving is closed rather than left open until
 * the keep-alive timeout (65 s), which would let strangers hold connections with a few bytes.
 */
function dropSmallBody(req: FastifyRequest, idleMs: number | undefined): void {
  void drainBody(req.raw, idleMs, SMALL_BODY).then(() => {
    if (!req.raw.complete) req.raw.socket?.destroy();
  });
}

/**
 * The API router: `[/v2.x]/service.action` with GET, POST or PUT and a JSON body
 * (GET bodies included), query string merged in, token checked, handler called, and
 * every answer wrapped in the ClearML envelope. It knows nothing about the services.
 */
export const apiPlugin: FastifyPluginAsync<ApiPluginOptions> = async (app, opts) => {
  app.removeAllContentTypeParsers();
  // Leave every body unread: the handler reads it itself, GET bodies included.
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const url = req.raw.url ?? '/';
    const qIndex = url.indexOf('?');
    const path = `/${(req.params as { '*'?: string })['*'] ?? ''}`;
    const m = PATH.exec(path);
    const call: CallInfo = { endpoint: m ? `${m[2]}.${m[3]}` : path.replace(/^\/+/, ''), requestedVersion: m?.[1] ?? '' };
    const started = process.hrtime.bigint();
    let code = 200;
    /**
     * What to do with a body left unread: a known caller's is drained, so that it reads the
     * answer (a 413, say); a stranger's big body is not read at all, the connection closes;
     * a body that stalled is not waited for again.
     */
    let unread: 'drain' | 'refuse' | 'close' | undefined;
    try {
      const def = m ? opts.registry.get(call.endpoint) : undefined;
      if (!def || !CALL_METHODS.has(req.method)) {
        unread = 'refuse';
        throw new ApiError(Errors.invalidEndpoint, `Invalid endpoint: unable to find endpoint for name ${call.endpoint}`);
      }
      // The token is checked before the body is read: a caller without one cannot make the
      // server buffer a body (the connection is closed instead of drained).
      const who = def.auth === 'none' ? undefined : await opts.auth.checkBearer(headerString(req.headers.authorization) || undefined).catch((err: unknown) => {
        unread = 'refuse';
        throw err;
      });
      if (req.headers['content-encoding'] && req.headers['content-encoding'] !== 'identity') {
        unread = 'drain';
        throw new ApiError(Errors.unsupportedMediaType, 'compressed request bodies are not supported');
      }
      const raw = await readBody(req.raw, opts.maxRequestBytes, opts.bodyIdleMs).catch((err: unknown) => {
        unread = err instanceof ApiError && err.error === Errors.requestTimeout ? 'close' : 'drain';
        throw err;
      });
      const body = def.body === 'json-lines' ? {} : parseJsonBody(raw);
      if (qIndex >= 0) Object.assign(body, parseQuery(url.slice(qIndex + 1)));
      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) gone.abort();
      });
      const data = await def.handler(body, {
        identity: who?.identity ?? null,
        caller: who,
        worker: headerString(req.headers['x-clearml-worker']) || headerString(req.headers['x-trains-worker']),
        headers: req.headers,
        rawBody: raw,
        query: qIndex >= 0 ? parseQuery(url.slice(qIndex + 1)) : {},
        signal: gone.signal,
        ip: req.ip,
      });
      reply.code(200).header('content-type', 'application/json').send(JSON.stringify(envelope(call, 200, 0, 'OK', data ?? {})));
    } catch (err) {
      if (err instanceof RequestAborted) {
        code = 499;
        opts.log(`${req.method} ${call.endpoint} aborted by the client: ${err.message}`);
        req.raw.destroy();
        return;
      }
      const e = toApiError(err);
      code = e.error.code;
      if (code >= 500) opts.log(`error in ${call.endpoint}: ${(err as Error)?.stack ?? String(err)}`);
      if (typeof e.data.retry_after_sec === 'number') reply.header('retry-after', String(e.data.retry_after_sec));
      if (unread && !req.raw.complete) {
        const declared = Number(req.headers['content-length']);
        if (unread === 'refuse' && Number.isFinite(declared) && declared <= SMALL_BODY) dropSmallBody(req, opts.bodyIdleMs);
        else {
          if (unread === 'drain') await drainBody(req.raw, opts.bodyIdleMs);
          if (!req.raw.complete) reply.header('connection', 'close');
        }
      }
      reply.code(code).header('content-type', 'application/json')
        .send(JSON.stringify(envelope(call, code, e.error.subcode, e.message, {}, e.data)));
    } finally {
      if (opts.logRequests) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        opts.log(`${req.method} ${call.endpoint} ${code} ${ms.toFixed(1)}ms`);
      }
    }
  };

  // Every method reaches the handler so that even a wrong one is answered with the envelope.
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: '/*', handler: handle });
};
