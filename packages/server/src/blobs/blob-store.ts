import type { Readable } from 'node:stream';

/**
 * Where the file server keeps what it receives: a folder (the default) or an S3 bucket
 * (`--files-store s3://...`). Objects are named by the file server's own paths, split
 * into segments already checked by `toSegments` (no `..`, nothing reserved), so clients
 * see the same URLs whichever store holds the bytes.
 *
 * Failures are thrown as `FileServerError` with the status the file server answers
 * (404 missing, 507 disk full, 502/503 when S3 refuses or cannot be reached, with the
 * server and bucket named).
 */
export interface BlobInfo {
  size: number;
  modified: Date;
}

export interface StagedBlob {
  /** Makes the object visible at its path, replacing what was there. */
  commit(): Promise<void>;
  /** Drops what was received; nothing becomes visible. */
  discard(): Promise<void>;
}

/**
 * Picks the bytes to send once the object's size is known (from the same version of the
 * object that is then read, so the body always matches the length announced).
 * `end < start` asks for no bytes.
 */
export type RangeChooser = (size: number) => { start: number; end: number };

export interface BlobRead {
  info: BlobInfo;
  start: number;
  end: number;
  /** The bytes from `start` to `end` inclusive. */
  body: Readable;
}

export interface BlobStore {
  /** Where the bytes live, for logs: a folder path or an s3:// address. */
  readonly location: string;
  /**
   * Receives `source` completely but keeps it invisible until `commit`, so an upload
   * that fails or is cut off midway leaves nothing. Rejects (having cleaned up) when
   * `source` errors or the store fails.
   */
  stage(segments: string[], source: Readable): Promise<StagedBlob>;
  /** Size and date, or null when there is no such object. */
  stat(segments: string[]): Promise<BlobInfo | null>;
  /** Opens the object for reading, all of it or the part `choose` picks; null when there is no such object. */
  read(segments: string[], choose?: RangeChooser): Promise<BlobRead | null>;
  /** Removes the object; false when there was none. */
  delete(segments: string[]): Promise<boolean>;
  /** Checks at start-up that the store can be used, with a message naming it otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}
