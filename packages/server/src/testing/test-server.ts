import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, type RunningServer, type ServerOptions } from '../app.js';
import { loadConfig } from '../config.js';
import { testDatabase } from './postgres.js';
import { testTempDir } from './temp-dirs.js';

/** A real server on free loopback ports with a throw-away data folder, for integration tests. */
export interface TestServer {
  server: RunningServer;
  api: string;
  files: string;
  token: string;
  /** Calls an endpoint with the test token; returns the HTTP status and the parsed envelope. */
  call(endpoint: string, body?: unknown, init?: { token?: string | null; contentType?: string; method?: string }): Promise<{ status: number; meta: Record<string, unknown>; data: Record<string, unknown> }>;
  /** Calls an endpoint that must answer 200 and returns its `data`. */
  ok(endpoint: string, body?: Record<string, unknown>): Promise<Record<string, any>>;
  /** Calls an endpoint that must fail with HTTP 400 and this subcode. */
  fails(endpoint: string, body: Record<string, unknown>, subcode: number): Promise<void>;
  close(): Promise<void>;
}

export { freePort } from './ports.js';
export { testDatabase } from './postgres.js';
export { testTempDir } from './temp-dirs.js';

/** The store test servers keep their data in (CAIRN_TEST_STORE); a test for one store only says why. */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.CAIRN_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export const TEST_KEY = 'TESTACCESSKEY';
export const TEST_SECRET = 'test-secret-value';

/**
 * With CAIRN_TEST_STORE=postgres (the `server-pg` suite of `npm test`) the server keeps its
 * store in a new PostgreSQL database of the test cluster instead of the data folder's
 * SQLite file, so that the same integration tests run on both stores.
 */
export async function startTestServer(extraArgs: string[] = [], log: (line: string) => void = () => {}, options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = testTempDir('data-');
  const database = TEST_STORE === 'postgres' && !extraArgs.includes('--database') ? await testDatabase() : null;
  const storeArgs = database ? ['--database', database.url] : [];
  const config = loadConfig(['--host', '127.0.0.1', '--data-dir', dataDir, '--api-port', '0', '--web-port', '0', '--files-port', '0', ...storeArgs, ...extraArgs], {
    CAIRN_ACCESS_KEY: TEST_KEY,
    CAIRN_SECRET_KEY: TEST_SECRET,
  });
  const server = await startServer(config, log, options).catch(async (e: unknown) => {
    await database?.drop();
    throw e;
  });
  const api = server.listening.api;
  const login = await fetch(`${api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${TEST_KEY}:${TEST_SECRET}`).toString('base64')}` } });
  const token = ((await login.json()) as { data: { token: string } }).data.token;
  const call: TestServer['call'] = async (endpoint, body, init = {}) => {
    const tok = init.token === undefined ? token : init.token;
    const res = await fetch(`${api}/${endpoint}`, {
      method: init.method ?? 'POST',
      headers: { 'content-type': init.contentType ?? 'application/json', ...(tok ? { authorization: `Bearer ${tok}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const json = (await res.json()) as { meta: Record<string, unknown>; data: Record<string, unknown> };
    return { status: res.status, meta: json.meta, data: json.data };
  };
  return {
    server,
    api,
    files: server.listening.files,
    token,
    call,
    async ok(endpoint, body = {}) {
      const r = await call(endpoint, body);
      assert.equal(r.status, 200, `${endpoint}: ${String(r.meta.result_msg)}`);
      return r.data;
    },
    async fails(endpoint, body, subcode) {
      const r = await call(endpoint, body);
      assert.deepEqual([r.status, r.meta.result_subcode], [400, subcode], String(r.meta.result_msg));
    },
    async close() {
      await server.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
