import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { contentTypeFor } from '../files/mime.js';

/**
 * Files of the built web UI, read once and kept in memory with their compressed forms
 * (the bundle is a few hundred KB). A rebuilt file is noticed by its modification time.
 */
export interface BundleFile {
  contentType: string;
  raw: Buffer;
  encoded: Partial<Record<'br' | 'gzip', Buffer>>;
}

const COMPRESSIBLE = /^(text\/|application\/json|image\/svg\+xml)/;
const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Compression runs off the event loop (the API shares it), and large files use a
 * faster brotli level: Plotly's 4.6 MB chunk takes ~11 s at the top level and ~0.1 s at 5.
 */
async function encode(raw: Buffer): Promise<BundleFile['encoded']> {
  const quality = raw.length > 512 * 1024 ? 5 : constants.BROTLI_MAX_QUALITY;
  const [br, gz] = await Promise.all([
    brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
    gzipAsync(raw, { level: 9 }),
  ]);
  return { br, gzip: gz };
}

export class BundleFiles {
  /** Promises, so that concurrent first requests for a file share one read and compression. */
  private readonly cache = new Map<string, { mtimeMs: number; file: Promise<BundleFile> }>();

  constructor(private readonly root: string) {}

  /** The file at a URL path under the root; undefined when there is none (or the path leaves the root). */
  async get(urlPath: string): Promise<BundleFile | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    const full = resolve(this.root, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
    if (full !== this.root && !full.startsWith(this.root + sep)) return undefined;
    let info;
    try {
      info = await stat(full);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const hit = this.cache.get(full);
    if (hit && hit.mtimeMs === info.mtimeMs) return hit.file;
    const file = (async (): Promise<BundleFile> => {
      const raw = await readFile(full);
      const contentType = contentTypeFor(full);
      const compress = COMPRESSIBLE.test(contentType) && raw.length > 1024;
      return { contentType, raw, encoded: compress ? await encode(raw) : {} };
    })();
    this.cache.set(full, { mtimeMs: info.mtimeMs, file });
    file.catch(() => this.cache.delete(full));
    return file;
  }
}

/** The best encoding of a file the client accepts, or none. */
export function pickEncoding(file: BundleFile, acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = (acceptEncoding ?? '').toLowerCase();
  if (file.encoded.br && /\bbr\b/.test(accepted)) return 'br';
  if (file.encoded.gzip && /\bgzip\b/.test(accepted)) return 'gzip';
  return undefined;
}
