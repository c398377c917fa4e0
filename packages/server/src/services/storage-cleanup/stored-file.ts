import type { BlobInfo } from '../../blobs/blob-store.js';
import { isS3Url } from '../../blobs/s3-location.js';
import type { Storage } from '../../blobs/storage.js';
import { fileServerPath } from '../../files/server-url.js';

/** A file the server can delete: one of its file server's, or an object the SDK put in S3. */
export interface StoredFile {
  stat(): Promise<BlobInfo | null>;
  /** false when it was already gone */
  delete(): Promise<boolean>;
}

/**
 * The file an address names, or null when the server cannot delete it (file://, gs://,
 * azure://, another web server). Throws for an address it can never delete (a path out of
 * the file store, an s3:// address without a key).
 */
export function storedFile(url: string, storage: Storage, publicFilesUrl: string): StoredFile | null {
  if (isS3Url(url)) {
    return { stat: () => storage.s3.stat(url), delete: () => storage.s3.delete(url) };
  }
  const segments = fileServerPath(url, publicFilesUrl);
  if (!segments) return null;
  return { stat: () => storage.files.stat(segments), delete: () => storage.files.delete(segments) };
}
