import { join } from 'node:path';
import { ConfigError, type ServerConfig } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { DiskBlobStore } from './disk-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';
import { S3Clients } from './s3-client.js';
import { S3Credentials } from './s3-credentials.js';
import { isS3Url, S3AddressError } from './s3-location.js';
import { S3Objects } from './s3-objects.js';

/** Where files live: the file server's own store, and access to objects the SDK put in S3. */
export interface Storage {
  files: BlobStore;
  s3: S3Objects;
  close(): Promise<void>;
}

function loadCredentials(config: ServerConfig, env: NodeJS.ProcessEnv): S3Credentials {
  return config.storageCredentials ? S3Credentials.fromFile(config.storageCredentials, env) : S3Credentials.fromEnv(env);
}

/**
 * What the start-up banner says of storage: where uploads go, and which S3 addresses the
 * server has a key for (never the key), so that an operator can see the file was read.
 */
export function describeStorage(config: ServerConfig, env: NodeJS.ProcessEnv = process.env): { files: string; s3: string } {
  const credentials = loadCredentials(config, env);
  const source = config.storageCredentials ? `from ${config.storageCredentials}` : 'from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  const named = credentials.named();
  const fallback = credentials.hasDefaultKey();
  let s3: string;
  if (named.length > 0) s3 = `keys for ${named.join(', ')}${fallback ? ', and a default key' : ''} (${source})`;
  else if (fallback) s3 = `a default key for every bucket (${source})`;
  else s3 = 'no keys: objects the SDK stores in S3 cannot be shown or deleted (--storage-credentials)';
  return { files: config.filesStore ?? 'data folder', s3 };
}

/** Shown to the operator as a configuration error: `cairn: <message>`, exit 1. */
export class StorageConfigError extends ConfigError {}

/**
 * Opens the file server's store (`--files-store`, else `<data>/files`) and checks that it
 * can be used, so a wrong bucket or key stops the start with a message naming them
 * rather than failing the first upload.
 */
export async function openStorage(config: ServerConfig): Promise<Storage> {
  const credentials = loadCredentials(config, process.env);
  const clients = new S3Clients();
  let files: BlobStore;
  if (config.filesStore && isS3Url(config.filesStore)) {
    try {
      files = S3BlobStore.fromUrl(config.filesStore, credentials, clients);
    } catch (err) {
      if (err instanceof S3AddressError) throw new StorageConfigError(`--files-store: ${err.message}`);
      throw err;
    }
    try {
      await files.check();
    } catch (err) {
      clients.close();
      throw new StorageConfigError((err as Error).message);
    }
  } else if (config.filesStore) {
    throw new StorageConfigError(`--files-store takes an s3:// address (the data folder is the default), got ${config.filesStore}`);
  } else {
    files = await DiskBlobStore.open(join(config.dataDir, 'files'));
  }
  return {
    files,
    s3: new S3Objects(credentials, clients),
    async close() {
      await files.close();
      clients.close();
    },
  };
}
