import type { FastifyPluginAsync } from 'fastify';

/** Until the web UI exists, the web port says plainly where the API and file server are. */
export const webPlaceholderPlugin: FastifyPluginAsync<{ apiUrl: string; filesUrl: string }> = async (app, opts) => {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>Cairn</title></head><body>
<h1>Cairn</h1>
<p>The web UI is not part of this build yet.</p>
<p>API server: <code>${opts.apiUrl}</code><br>File server: <code>${opts.filesUrl}</code></p>
<p>Point the clearml SDK at them with <code>CLEARML_API_HOST</code> and <code>CLEARML_FILES_HOST</code>.</p>
</body></html>`;
  app.get('/*', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
};
