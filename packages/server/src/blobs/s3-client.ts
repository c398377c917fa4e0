import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { S3Access } from './s3-credentials.js';
import { describeBucket, type S3Location } from './s3-location.js';

/**
 * One S3 client per distinct server and key pair, made on first use. Settings chosen
 * for S3-compatible servers (MinIO first): path-style addressing on a named host, and
 * checksums only where the S3 API requires them (newer AWS SDKs add CRC headers by
 * default that not every S3-compatible server accepts).
 */
// The pinned AWS SDK works on Node 20; its start-up warning is about later releases,
// which need Node 22 (we pin the version, and the README names Node 20).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export class S3Clients {
  private readonly clients = new Map<string, S3Client>();

  /** The server's address, as messages name it. */
  static endpointOf(access: S3Access): string {
    return access.host ? `${access.secure ? 'https' : 'http'}://${access.host}` : 'AWS S3';
  }

  get(access: S3Access): S3Client {
    const id = JSON.stringify([access.host, access.secure, access.verify, access.region, access.key, access.secret, access.token]);
    let client = this.clients.get(id);
    if (!client) {
      client = new S3Client({
        ...(access.host ? { endpoint: S3Clients.endpointOf(access), forcePathStyle: true } : {}),
        region: access.region || 'us-east-1',
        credentials: { accessKeyId: access.key, secretAccessKey: access.secret, ...(access.token ? { sessionToken: access.token } : {}) },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 3,
        requestHandler: new NodeHttpHandler({
          connectionTimeout: 5000,
          socketTimeout: 120_000,
          httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
          httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: access.verify }),
        }),
      });
      this.clients.set(id, client);
    }
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}

/** The S3 error codes that mean "this object is not there". */
export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * A failure of an S3 call in words a user can act on: which server, which bucket, and
 * what S3 (or the network) said.
 */
export function describeS3Failure(err: unknown, loc: S3Location, access: S3Access): string {
  const where = `${describeBucket(loc)} (${S3Clients.endpointOf(access)})`;
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (err instanceof S3ServiceException || e?.$metadata?.httpStatusCode) {
    // a refused HEAD has no body, so no S3 error code: name the status instead
    const status = e.$metadata?.httpStatusCode;
    const name = e.name && !['Unknown', 'UnknownError'].includes(e.name) ? e.name : `HTTP ${status ?? '?'}${status === 403 ? ' Forbidden' : status === 404 ? ' Not Found' : ''}`;
    const hint = ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden'].includes(e.name ?? '') || e.$metadata?.httpStatusCode === 403
      ? ': check the key and secret the server has for it (--storage-credentials)'
      : e.name === 'NoSuchBucket' ? ': the bucket does not exist' : '';
    const detail = e.message && e.message !== name && e.message !== 'UnknownError' ? ` (${e.message})` : '';
    return `S3 refused the request for ${where}: ${name}${detail}${hint}`;
  }
  const code = e?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  const tlsHint = access.secure && access.host && (code === 'EPROTO' || /wrong version number/.test(e?.message ?? ''))
    ? '; the server answers plain HTTP: set secure: false for it' : '';
  return `cannot reach S3 for ${where}: ${code ?? e?.name ?? 'error'}${e?.message ? ` (${e.message.trim()})` : ''}${tlsHint}`;
}
