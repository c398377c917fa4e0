import assert from 'node:assert/strict';
import type { Identity } from '@cairn/protocol';
import { ApiError } from '../http/api-error.js';
import { randomBytes } from 'node:crypto';
import { DiskBlobStore } from '../blobs/disk-blob-store.js';
import { S3Clients } from '../blobs/s3-client.js';
import { S3Credentials } from '../blobs/s3-credentials.js';
import { S3Objects } from '../blobs/s3-objects.js';
import type { Storage } from '../blobs/storage.js';
import { Authenticator } from '../auth/authenticator.js';
import { UrlSigner } from '../auth/url-signer.js';
import type { ServerConfig } from '../config.js';
import type { EndpointRegistry } from '../http/endpoints.js';
import type { ServiceDeps } from '../services/deps.js';
import { CodeRecording } from '../services/tasks/code-recording.js';
import { testTempDir } from './temp-dirs.js';
import type { Store } from '../store/store.js';

/** Calling handlers straight from a registry, for service tests that need no HTTP. */
export const TEST_IDENTITY: Identity = { user: 'u0000000000000000000000000000001', user_name: 'tester', company: 'c1', company_name: 'Co', role: 'admin' };

export async function callEndpoint(registry: EndpointRegistry, name: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const def = registry.get(name);
  assert.ok(def, `endpoint ${name} is registered`);
  return def.handler(body, { identity: TEST_IDENTITY, worker: '', headers: {}, rawBody: Buffer.alloc(0), query: {} });
}

/** The promise fails with a ClearML error of this code and subcode. */
export async function rejectsWith(p: Promise<unknown>, code: number, subcode: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
    assert.deepEqual([e.error.code, e.error.subcode], [code, subcode], e.message);
    return true;
  });
}

/** A file store in a fresh temp folder, and S3 access with the given credentials (none by default). */
export function testStorage(credentials: S3Credentials = S3Credentials.fromEnv({})): Storage {
  const clients = new S3Clients();
  return {
    files: DiskBlobStore.create(testTempDir('files-')),
    s3: new S3Objects(credentials, clients),
    close: async () => clients.close(),
  };
}

/** What a service module needs, for a test that registers one on its own registry. */
export function serviceDeps(store: Store, auth: Authenticator = new Authenticator(store, randomBytes(32), 3600), storage: Storage = testStorage()): ServiceDeps {
  return {
    store,
    config: {} as ServerConfig,
    auth,
    signer: new UrlSigner(() => auth.signingKey),
    storage,
    codeRecording: new CodeRecording(store.codeRecordings),
  };
}
