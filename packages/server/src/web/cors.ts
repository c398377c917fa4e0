import type { FastifyInstance } from 'fastify';

/**
 * Lets the web UI on the web port call the API on its own port. Any origin may call:
 * the API is authorised by a bearer token that a page must already hold, never by a
 * cookie, so no other site can act with a visitor's rights. Preflights are answered
 * here, before the API router, which answers every path with the ClearML envelope.
 */
export function allowBrowserCalls(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!req.headers.origin) return;
    reply.header('access-control-allow-origin', '*');
    if (req.method !== 'OPTIONS') return;
    return reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, PUT')
      .header('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'authorization, content-type')
      .header('access-control-max-age', '600')
      .send();
  });
}
