import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { fileURLToPath } from 'node:url';
import { BundleFiles, pickEncoding, type BundleFile } from './bundle-files.js';
import { browserUrls, knownHosts, type WebUrls } from './browser-urls.js';

export interface WebPluginOptions {
  /** the folder of the built web UI (packages/web/dist) */
  root: string;
  /** where the browser finds the API and file server; 'same-origin' in single-port mode */
  urls: WebUrls | 'same-origin';
  /** host names besides the public URLs' and loopback that the page may be reached by (--allowed-hosts) */
  allowedHosts?: readonly string[];
}

const originOf = (url: string) => (url.startsWith('/') ? '' : new URL(url).origin);

/**
 * What a browser may do with the app's pages: scripts only from this origin, calls and
 * images only to the API and file server, never inside another site's frame, no
 * referrer (file addresses carry signatures).
 */
function securityHeaders(reply: FastifyReply, urls: WebUrls): void {
  const api = originOf(urls.apiUrl);
  const files = originOf(urls.filesUrl);
  reply
    .header('content-security-policy', [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      `img-src 'self' data: blob: ${files}`.trim(),
      `connect-src 'self' ${api} ${files}`.trim(),
      "font-src 'self' data:",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '))
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer');
}

/** packages/web/dist, seen from packages/server/dist/web/. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

// Vite names every file under assets/ by its content hash, so it never changes.
const IMMUTABLE = 'public, max-age=31536000, immutable';

function send(reply: FastifyReply, file: BundleFile, acceptEncoding: string | undefined, cacheControl: string) {
  const encoding = pickEncoding(file, acceptEncoding);
  reply.header('content-type', file.contentType).header('cache-control', cacheControl).header('vary', 'accept-encoding');
  if (encoding) reply.header('content-encoding', encoding);
  return reply.send(encoding ? file.encoded[encoding] : file.raw);
}

function missingBundlePage(root: string, urls: WebUrls): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Cairn</title></head><body>
<h1>Cairn</h1>
<p>The web UI is not built: <code>${root}/index.html</code> is missing. Run <code>npm run build</code> and reload.</p>
<p>API server: <code>${urls.apiUrl}</code><br>File server: <code>${urls.filesUrl}</code></p>
</body></html>`;
}

/**
 * Serves the built web UI: `/config.json` tells the app where the API is, files of the
 * bundle are served as they are, and every other path gets index.html so that the app's
 * own router shows the page (a reload on /experiments works).
 */
export const webPlugin: FastifyPluginAsync<WebPluginOptions> = async (app, opts) => {
  const files = new BundleFiles(opts.root);
  const known = opts.urls === 'same-origin' ? () => false : knownHosts(opts.urls, opts.allowedHosts ?? []);
  const urlsFor = (host: string | undefined) => browserUrls(opts.urls, host, known);

  app.get('/config.json', async (req, reply) => {
    securityHeaders(reply, urlsFor(req.headers.host));
    return reply.header('cache-control', 'no-store').send(urlsFor(req.headers.host));
  });

  app.get('/*', async (req, reply) => {
    securityHeaders(reply, urlsFor(req.headers.host));
    const path = (req.raw.url ?? '/').split('?')[0];
    const accept = req.headers['accept-encoding'] as string | undefined;
    if (path !== '/' && path !== '/index.html') {
      const file = await files.get(path);
      if (file) return send(reply, file, accept, path.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
      // A missing hashed file is an old bundle's: answering it with index.html would hide that.
      if (path.startsWith('/assets/')) return reply.code(404).type('text/plain; charset=utf-8').send(`not found: ${path}`);
    }
    const index = await files.get('/index.html');
    if (!index) {
      return reply.code(503).type('text/html; charset=utf-8').send(missingBundlePage(opts.root, urlsFor(req.headers.host)));
    }
    return send(reply, index, accept, 'no-cache');
  });
};
