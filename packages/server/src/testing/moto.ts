import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * moto's S3 server for the server's own tests, through the one launcher the other
 * suites use (tests/s3/moto.mjs): credentials enforced, buckets clearml, datasets and
 * models made, as the seed's operator makes them on MinIO.
 */
export interface Moto {
  endpoint: string;
  /** `127.0.0.1:<port>`, as an s3:// address names it */
  host: string;
  key: string;
  secret: string;
  buckets: string[];
  /** clearml.conf text with the seed's `sdk.aws.s3` block for this server (optionally a wrong secret) */
  seedConf(opts?: { secret?: string }): string;
  stop(): Promise<void>;
}

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export async function startMoto(): Promise<Moto> {
  const launcher = await import(pathToFileURL(join(REPO_ROOT, 'tests', 's3', 'moto.mjs')).href);
  const m = await launcher.startMoto();
  return { ...m, seedConf: (opts?: { secret?: string }) => launcher.seedS3Conf(m, opts) };
}
