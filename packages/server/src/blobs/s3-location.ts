/**
 * Where an `s3://` address points, read the way the clearml SDK reads it: an address
 * whose first part has a port names an S3-compatible server and then the bucket
 * (`s3://minio:9000/clearml/a/b`: host `minio:9000`, bucket `clearml`, key `a/b`); any
 * other names an AWS bucket (`s3://my-bucket/a/b`). So a MinIO address needs its port,
 * as it does for the SDK.
 */
export interface S3Location {
  /** `host:port` of an S3-compatible server, or null for AWS. */
  host: string | null;
  bucket: string;
  /** The object key (or key prefix), without a leading slash; may be empty. */
  key: string;
}

export class S3AddressError extends Error {}

export function isS3Url(url: string): boolean {
  return /^s3:\/\//i.test(url);
}

export function parseS3Url(url: string): S3Location {
  if (!isS3Url(url)) throw new S3AddressError(`not an s3:// address: ${url}`);
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const first = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  if (!first) throw new S3AddressError(`the address names no bucket: ${url}`);
  if (/:\d+$/.test(first)) {
    const cut = path.indexOf('/');
    const bucket = cut < 0 ? path : path.slice(0, cut);
    if (!bucket) throw new S3AddressError(`the address names a server (${first}) but no bucket: ${url}`);
    return { host: first.toLowerCase(), bucket, key: cut < 0 ? '' : path.slice(cut + 1) };
  }
  return { host: null, bucket: first, key: path };
}

/** The address back in the SDK's form. */
export function formatS3Url(loc: S3Location): string {
  return `s3://${loc.host ? `${loc.host}/` : ''}${loc.bucket}${loc.key ? `/${loc.key}` : ''}`;
}

/** Server and bucket, as error messages and logs name them. */
export function describeBucket(loc: S3Location): string {
  return loc.host ? `bucket ${loc.bucket} on ${loc.host}` : `AWS bucket ${loc.bucket}`;
}
