import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { FileServerError } from '../files/errors.js';
import type { BlobInfo, BlobRead, BlobStore, RangeChooser, StagedBlob } from './blob-store.js';
import { describeS3Failure, isNotFound, S3Clients } from './s3-client.js';
import type { S3Access, S3Credentials } from './s3-credentials.js';
import { formatS3Url, parseS3Url, type S3Location } from './s3-location.js';

/** Parts of a multipart upload; S3 needs at least 5 MiB for every part but the last. */
const PART_BYTES = 8 * 1024 * 1024;
/** Parts sent at once per upload: enough to fill the link, bounded memory (~40 MiB). */
const PARTS_IN_FLIGHT = 4;
/** Multipart uploads older than this at start-up belong to no live request. */
const STALE_UPLOAD_MS = 60 * 60 * 1000;

/**
 * The file server's objects in an S3 bucket (`--files-store s3://host:port/bucket/prefix`),
 * at `<prefix>/<path>`: the clients' URLs stay those of the file server. An upload
 * becomes visible only when complete: small ones are put in one request at commit,
 * larger ones stream as a multipart upload that is completed at commit and aborted
 * otherwise (S3 shows no object for an unfinished multipart upload).
 */
export class S3BlobStore implements BlobStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(
    private readonly loc: S3Location,
    private readonly access: S3Access,
    clients: S3Clients,
  ) {
    this.location = formatS3Url(loc);
    this.client = clients.get(access);
    this.prefix = loc.key.replace(/^\/+|\/+$/g, '');
  }

  static fromUrl(url: string, credentials: S3Credentials, clients: S3Clients): S3BlobStore {
    const loc = parseS3Url(url);
    return new S3BlobStore(loc, credentials.forLocation(loc), clients);
  }

  private key(segments: string[]): string {
    return this.prefix ? `${this.prefix}/${segments.join('/')}` : segments.join('/');
  }

  /** An S3 failure as the file server answers it: 502 when S3 refused, 503 when it could not be reached. */
  private failure(err: unknown): FileServerError {
    if (err instanceof FileServerError) return err;
    const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ? 502 : 503;
    return new FileServerError(status, describeS3Failure(err, this.loc, this.access));
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.loc.bucket }));
    } catch (err) {
      throw new Error(`--files-store ${this.location}: ${this.failure(err).message}`);
    }
    await this.abortStaleUploads();
  }

  private async abortStaleUploads(): Promise<void> {
    const listed = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.loc.bucket, Prefix: this.prefix ? `${this.prefix}/` : undefined }));
    const cutoff = Date.now() - STALE_UPLOAD_MS;
    for (const u of listed.Uploads ?? []) {
      if (u.Key && u.UploadId && (u.Initiated?.getTime() ?? 0) < cutoff) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.loc.bucket, Key: u.Key, UploadId: u.UploadId })).catch(() => {});
      }
    }
  }

  async stage(segments: string[], source: Readable): Promise<StagedBlob> {
    const Bucket = this.loc.bucket;
    const Key = this.key(segments);
    let uploadId: string | undefined;
    const done: { PartNumber: number; ETag: string }[] = [];
    const inFlight = new Set<Promise<void>>();
    let partFailure: unknown;
    let partNumber = 0;

    const sendPart = async (body: Buffer) => {
      try {
        uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId;
      } catch (err) {
        throw this.failure(err);
      }
      const PartNumber = ++partNumber;
      const sent = this.client.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length }))
        .then((r) => void done.push({ PartNumber, ETag: r.ETag ?? '' }), (err) => void (partFailure ??= err));
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
      while (inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(inFlight);
      if (partFailure) throw this.failure(partFailure);
    };
    const abort = async () => {
      await Promise.all(inFlight);
      if (uploadId) await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => {});
    };

    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        buffered.push(chunk);
        bufferedBytes += chunk.length;
        if (bufferedBytes >= PART_BYTES) {
          const body = Buffer.concat(buffered);
          buffered = [];
          bufferedBytes = 0;
          await sendPart(body);
        }
      }
      const rest = Buffer.concat(buffered);
      if (uploadId === undefined) {
        return {
          commit: async () => {
            try {
              await this.client.send(new PutObjectCommand({ Bucket, Key, Body: rest, ContentLength: rest.length }));
            } catch (err) {
              throw this.failure(err);
            }
          },
          discard: async () => {},
        };
      }
      if (rest.length > 0) await sendPart(rest);
      await Promise.all(inFlight);
      if (partFailure) throw this.failure(partFailure);
    } catch (err) {
      await abort();
      // S3's failures arrive here as FileServerErrors; a failing source (the client
      // went away) is the request's own failure, reported by the upload
      throw err;
    }
    const UploadId = uploadId;
    return {
      commit: async () => {
        try {
          await this.client.send(new CompleteMultipartUploadCommand({
            Bucket, Key, UploadId,
            MultipartUpload: { Parts: [...done].sort((a, b) => a.PartNumber - b.PartNumber) },
          }));
        } catch (err) {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => {});
          throw this.failure(err);
        }
      },
      discard: async () => {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => {});
      },
    };
  }

  private async head(segments: string[]): Promise<{ info: BlobInfo; etag?: string } | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.loc.bucket, Key: this.key(segments) }));
      return { info: { size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0) }, etag: head.ETag };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.failure(err);
    }
  }

  async stat(segments: string[]): Promise<BlobInfo | null> {
    return (await this.head(segments))?.info ?? null;
  }

  /**
   * Reads the version whose size `choose` saw: the GET is conditional on its ETag, and
   * an object replaced in between is looked at again.
   */
  async read(segments: string[], choose?: RangeChooser): Promise<BlobRead | null> {
    for (let attempt = 0; ; attempt++) {
      const head = await this.head(segments);
      if (!head) return null;
      const { start, end } = choose ? choose(head.info.size) : { start: 0, end: head.info.size - 1 };
      if (end < start) return { info: head.info, start, end, body: Readable.from([]) };
      try {
        const got = await this.client.send(new GetObjectCommand({
          Bucket: this.loc.bucket,
          Key: this.key(segments),
          Range: `bytes=${start}-${end}`,
          ...(head.etag ? { IfMatch: head.etag } : {}),
        }));
        return { info: head.info, start, end, body: got.Body as Readable };
      } catch (err) {
        if (isNotFound(err)) return null;
        const code = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
        if (code === 412 && attempt < 2) continue;
        throw this.failure(err);
      }
    }
  }

  async delete(segments: string[]): Promise<boolean> {
    if (!(await this.head(segments))) return false;
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: this.key(segments) }));
      return true;
    } catch (err) {
      throw this.failure(err);
    }
  }

  async close(): Promise<void> {}
}
