import { Errors } from '@cairn/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { Authenticator } from './auth/authenticator.js';
import { LoginGuard } from './auth/login-guard.js';
import { loadSigningKey } from './auth/signing-key.js';
import { UrlSigner } from './auth/url-signer.js';
import { openStorage } from './blobs/storage.js';
import { privateDatabaseFiles, privateDataDir } from './data-dir.js';
import type { ServerConfig } from './config.js';
import { filesPlugin } from './files/files-plugin.js';
import { apiPlugin } from './http/api-plugin.js';
import { envelope } from './http/envelope.js';
import { EndpointRegistry } from './http/endpoints.js';
import { closeConnectionsOfForkingClients } from './http/forking-clients.js';
import { bootstrapIdentity, type NewCredentials } from './services/auth/index.js';
import { registerServices } from './services/index.js';
import { ensureDefaultQueue } from './services/queues/queue-ops.js';
import { startStorageCleanup, type CleanupTiming } from './services/storage-cleanup/worker.js';
import { CodeRecording } from './services/tasks/code-recording.js';
import { startWatchdog } from './services/workers/watchdog.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { allowBrowserCalls } from './web/cors.js';
import { DEFAULT_WEB_ROOT, webPlugin } from './web/web-plugin.js';

export interface RunningServer {
  config: ServerConfig;
  store: Store;
  /** Set only on the first start: the admin password and the key pair made then. */
  firstStart?: { adminPassword?: string; credentials?: NewCredentials };
  urls: { api: string; web: string; files: string };
  /** Where each part actually listens (differs from the configured ports when those are 0). */
  listening: { api: string; web: string; files: string };
  /** Every endpoint the API answers, and whether it needs a token (for audits and tests). */
  endpoints: { name: string; auth: 'none' | 'token' }[];
  /** Signs in and out, issues tokens: for tests and tools that act as a given user. */
  auth: Authenticator;
  close(): Promise<void>;
}

function newFastify(config: ServerConfig): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: config.maxRequestBytes,
    forceCloseConnections: true,
    keepAliveTimeout: 65_000,
    // Requests Fastify refuses before routing (e.g. a malformed %-escape) still get a ClearML-shaped answer.
    frameworkErrors: (err, req, reply) => {
      const body = envelope({ endpoint: req.url ?? '', requestedVersion: '' }, 400, Errors.invalidRequestBody.subcode, `bad request: ${err.message}`, {});
      void reply.raw.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    },
  });
  closeConnectionsOfForkingClients(app);
  return app;
}

/** What tests tune besides the configuration. */
export interface ServerOptions {
  /** the background deletion of deleted tasks' and models' files */
  storageCleanup?: Partial<CleanupTiming>;
}

/** Starts API, file server and web on their ports (or on one port), backed by the data folder. */
export async function startServer(config: ServerConfig, log: (line: string) => void = console.log, options: ServerOptions = {}): Promise<RunningServer> {
  privateDataDir(config.dataDir);
  const storage = await openStorage(config);
  const store = await openStore(config);
  if (!config.database) privateDatabaseFiles(config.dataDir);
  // Replicas starting together on one database: one makes the admin, the keys and the default queue.
  let boot!: Awaited<ReturnType<typeof bootstrapIdentity>>;
  let signingKey!: Buffer;
  await store.exclusive('start-up', async () => {
    boot = await bootstrapIdentity(store, config, log);
    await ensureDefaultQueue(store);
    signingKey = await loadSigningKey(store);
  });
  const auth = new Authenticator(store, signingKey, config.tokenTtlSeconds, Date.now,
    new LoginGuard({ perAddress: config.failedLoginLimit * 2, perAccount: config.failedLoginLimit, windowMs: 5 * 60_000 }));
  const registry = new EndpointRegistry();
  const signer = new UrlSigner(() => auth.signingKey);
  registerServices(registry, { store, config, auth, signer, storage, codeRecording: new CodeRecording(store.codeRecordings) });
  const watchdog = startWatchdog(store, {
    workerTimeoutSec: config.workerTimeoutSeconds,
    taskTimeoutSec: config.taskTimeoutSeconds,
    intervalSec: config.watchdogIntervalSeconds,
  }, log);
  const storageCleanup = startStorageCleanup({ store, storage, publicFilesUrl: () => config.publicFilesUrl }, log, options.storageCleanup);

  const apiOpts = { registry, auth, maxRequestBytes: config.maxRequestBytes, bodyIdleMs: config.bodyTimeoutSeconds * 1000, log, logRequests: config.logRequests };
  const filesOpts = {
    store: storage.files, s3: storage.s3, maxUploadBytes: config.maxUploadBytes, bodyIdleMs: config.bodyTimeoutSeconds * 1000, auth, signer, log,
    publicFiles: config.publicFiles, trustedOrigins: [new URL(config.publicWebUrl).origin],
  };
  const instances: FastifyInstance[] = [];
  let listening: RunningServer['listening'];
  if (config.singlePort !== null) {
    const app = newFastify(config);
    await app.register(apiPlugin, { ...apiOpts, prefix: '/api' });
    await app.register(filesPlugin, { ...filesOpts, prefix: '/files' });
    await app.register(webPlugin, { root: DEFAULT_WEB_ROOT, urls: 'same-origin' });
    const base = await app.listen({ host: config.host, port: config.singlePort });
    instances.push(app);
    listening = { api: `${base}/api`, files: `${base}/files`, web: base };
  } else {
    const api = newFastify(config);
    allowBrowserCalls(api);
    await api.register(apiPlugin, apiOpts);
    const files = newFastify(config);
    await files.register(filesPlugin, filesOpts);
    const web = newFastify(config);
    await web.register(webPlugin, { root: DEFAULT_WEB_ROOT, urls: { apiUrl: config.publicApiUrl, filesUrl: config.publicFilesUrl }, allowedHosts: config.allowedHosts });
    const [apiBase, filesBase, webBase] = await Promise.all([
      api.listen({ host: config.host, port: config.apiPort }),
      files.listen({ host: config.host, port: config.filesPort }),
      web.listen({ host: config.host, port: config.webPort }),
    ]);
    instances.push(api, files, web);
    listening = { api: apiBase, files: filesBase, web: webBase };
    // Port 0 (tests, tools) picks a free port: clients are handed the one actually taken.
    if (config.apiPort === 0) config.publicApiUrl = apiBase;
    if (config.filesPort === 0) config.publicFilesUrl = filesBase;
    if (config.webPort === 0) config.publicWebUrl = webBase;
  }
  return {
    config,
    store,
    firstStart: boot.adminPassword || boot.credentials ? { adminPassword: boot.adminPassword, credentials: boot.credentials } : undefined,
    urls: { api: config.publicApiUrl, web: config.publicWebUrl, files: config.publicFilesUrl },
    listening,
    endpoints: registry.names().map((name) => ({ name, auth: registry.get(name)!.auth ?? 'token' })),
    auth,
    async close() {
      await Promise.all(instances.map((i) => i.close()));
      await watchdog.stop();
      await storageCleanup.stop();
      await store.close();
      await storage.close();
    },
  };
}
