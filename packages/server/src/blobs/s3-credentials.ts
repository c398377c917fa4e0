import { hoconGet, parseHocon, type HoconObject, type HoconValue } from '@cairn/protocol';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import type { S3Location } from './s3-location.js';

/**
 * The server's own S3 credentials, in the shape of the SDK's `sdk.aws.s3` section so
 * that an operator can paste the block from the `clearml.conf` the users already have:
 *
 *   sdk { aws { s3 {
 *     key: "", secret: "", region: ""            # defaults (else AWS_ACCESS_KEY_ID, ...)
 *     credentials: [
 *       { host: "minio.minio.svc:80", bucket: "clearml", key: "minio", secret: "minio123",
 *         secure: false, region: "", verify: true }
 *     ]
 *   } } }
 *
 * The file may hold that whole `clearml.conf`, or just `aws { s3 { ... } }` or
 * `s3 { ... }`. An address finds its entry as the SDK finds it: the longest matching
 * prefix among `s3://<host>/<bucket>` (entries with a host) and `s3://<bucket>`
 * (entries without), else the defaults.
 */
export interface S3Access {
  host: string | null;
  bucket: string;
  key: string;
  secret: string;
  token: string;
  region: string;
  secure: boolean;
  /** false: accept any TLS certificate (a self-signed MinIO). */
  verify: boolean;
}

interface Entry {
  prefix: string;
  access: Omit<S3Access, 'bucket' | 'host'> & { host: string | null; bucket: string };
}

export class StorageCredentialsError extends ConfigError {}

const str = (v: HoconValue | undefined): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const bool = (v: HoconValue | undefined, fallback: boolean): boolean => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return !['false', 'no', '0', 'off'].includes(v.trim().toLowerCase());
  return fallback;
};
const isObj = (v: HoconValue | undefined): v is HoconObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export class S3Credentials {
  private constructor(
    private readonly entries: Entry[],
    private readonly defaults: Omit<S3Access, 'host' | 'bucket'>,
  ) {}

  /** No file: only the environment's AWS_* defaults, as the SDK has without a config. */
  static fromEnv(env: NodeJS.ProcessEnv): S3Credentials {
    return S3Credentials.fromSection({}, env);
  }

  static fromFile(path: string, env: NodeJS.ProcessEnv): S3Credentials {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new StorageCredentialsError(`cannot read the storage credentials file ${path}: ${(err as Error).message}`);
    }
    let doc: HoconObject;
    try {
      doc = parseHocon(text);
    } catch (err) {
      throw new StorageCredentialsError(`the storage credentials file ${path} is not valid HOCON/JSON: ${(err as Error).message}`);
    }
    const section = [hoconGet(doc, 'sdk.aws.s3'), hoconGet(doc, 'aws.s3'), hoconGet(doc, 's3')].find(isObj);
    if (!section) throw new StorageCredentialsError(`the storage credentials file ${path} has no sdk.aws.s3 (or aws.s3, or s3) section`);
    return S3Credentials.fromSection(section, env, path);
  }

  static fromSection(section: HoconObject, env: NodeJS.ProcessEnv, source = 'the storage credentials'): S3Credentials {
    const defaults = {
      key: str(section.key) || (env.AWS_ACCESS_KEY_ID ?? ''),
      secret: str(section.secret) || (env.AWS_SECRET_ACCESS_KEY ?? ''),
      token: str(section.token) || (env.AWS_SESSION_TOKEN ?? ''),
      region: str(section.region) || (env.AWS_DEFAULT_REGION ?? env.AWS_REGION ?? ''),
      secure: bool(section.secure, true),
      verify: bool(section.verify, true),
    };
    const list = section.credentials ?? [];
    if (!Array.isArray(list)) throw new StorageCredentialsError(`${source}: credentials must be a list of { host, bucket, key, secret, ... }`);
    const entries: Entry[] = [];
    list.forEach((raw, i) => {
      if (!isObj(raw)) throw new StorageCredentialsError(`${source}: credentials[${i}] must be an object`);
      const host = str(raw.host).toLowerCase() || null;
      const bucket = str(raw.bucket).replace(/^["']|["']$/g, '').replace(/\/+$/, '');
      const key = str(raw.key);
      const secret = str(raw.secret);
      // the SDK drops entries without a key pair the same way
      if (!key || !secret) return;
      if (!host && !bucket) throw new StorageCredentialsError(`${source}: credentials[${i}] names neither a host nor a bucket`);
      const prefix = (host ? `s3://${host}${bucket ? `/${bucket}` : ''}` : `s3://${bucket}`).toLowerCase();
      entries.push({
        prefix,
        access: {
          host,
          bucket,
          key,
          secret,
          token: str(raw.token),
          region: str(raw.region) || defaults.region,
          secure: bool(raw.secure, true),
          verify: bool(raw.verify, defaults.verify),
        },
      });
    });
    entries.sort((a, b) => (a.prefix < b.prefix ? 1 : a.prefix > b.prefix ? -1 : 0));
    return new S3Credentials(entries, defaults);
  }

  /** The address prefixes that have their own key, for the operator to read (never the keys). */
  named(): string[] {
    return this.entries.map((e) => e.prefix).sort();
  }

  /** Whether addresses no entry names still get a key (the section's or AWS_*). */
  hasDefaultKey(): boolean {
    return this.defaults.key !== '' && this.defaults.secret !== '';
  }

  /** The credentials and connection settings for one address. */
  forLocation(loc: S3Location): S3Access {
    const url = `s3://${loc.host ? `${loc.host}/` : ''}${loc.bucket}/${loc.key}`.toLowerCase();
    const hit = this.entries.find((e) => url.startsWith(e.prefix));
    if (hit) return { ...hit.access, host: loc.host, bucket: loc.bucket };
    return { ...this.defaults, host: loc.host, bucket: loc.bucket };
  }
}
