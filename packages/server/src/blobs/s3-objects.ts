import { FileServerError } from '../files/errors.js';
import type { BlobInfo, BlobRead, RangeChooser } from './blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';
import type { S3Clients } from './s3-client.js';
import type { S3Credentials } from './s3-credentials.js';
import { parseS3Url } from './s3-location.js';

/**
 * Objects the SDK wrote straight to S3 (`s3://...` artifacts, models, debug samples),
 * read and deleted with the server's own credentials: the web UI shows them through the
 * server, so the browser never holds an S3 secret, and deleting a task can remove them.
 */
export class S3Objects {
  constructor(
    private readonly credentials: S3Credentials,
    private readonly clients: S3Clients,
  ) {}

  /** The bucket as a store rooted at its top, and the object's key as its one path segment. */
  private target(url: string): { store: S3BlobStore; path: string[] } {
    const loc = parseS3Url(url);
    if (!loc.key) throw new FileServerError(400, `the address names a bucket, not an object: ${url}`);
    const bucket = { ...loc, key: '' };
    return { store: new S3BlobStore(bucket, this.credentials.forLocation(loc), this.clients), path: [loc.key] };
  }

  stat(url: string): Promise<BlobInfo | null> {
    const { store, path } = this.target(url);
    return store.stat(path);
  }

  read(url: string, choose?: RangeChooser): Promise<BlobRead | null> {
    const { store, path } = this.target(url);
    return store.read(path, choose);
  }

  /** Removes the object; false when there was none. */
  delete(url: string): Promise<boolean> {
    const { store, path } = this.target(url);
    return store.delete(path);
  }
}
