import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
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

export class BundleFiles {
  private readonly cache = new Map<string, { mtimeMs: number; file: BundleFile }>();

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
    const raw = await readFile(full);
    const contentType = contentTypeFor(full);
    const file: BundleFile = { contentType, raw, encoded: {} };
    if (COMPRESSIBLE.test(contentType) && raw.length > 1024) {
      file.encoded.br = brotliCompressSync(raw);
      file.encoded.gzip = gzipSync(raw, { level: 9 });
    }
    this.cache.set(full, { mtimeMs: info.mtimeMs, file });
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
