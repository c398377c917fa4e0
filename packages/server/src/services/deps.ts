import { isoDate } from '@cairn/protocol';
import type { Authenticator } from '../auth/authenticator.js';
import type { UrlSigner } from '../auth/url-signer.js';
import type { Storage } from '../blobs/storage.js';
import type { ServerConfig } from '../config.js';
import type { EndpointRegistry } from '../http/endpoints.js';
import type { Store } from '../store/store.js';
import type { CodeRecording } from './tasks/code-recording.js';

/** What every service may depend on, handed over explicitly at registration. */
export interface ServiceDeps {
  store: Store;
  config: ServerConfig;
  auth: Authenticator;
  /** signs file-server addresses for the browser */
  signer: UrlSigner;
  /** the file server's store and the objects the SDK put in S3 */
  storage: Storage;
  /** development tasks whose code the SDK is still recording (see code-recording.ts) */
  codeRecording: CodeRecording;
}

export type ServiceModule = (registry: EndpointRegistry, deps: ServiceDeps) => void;

/** Now, in the datetime form every ClearML client reads (see isoDate). */
export const nowIso = (): string => isoDate();
