import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { FileServerError } from './errors.js';

/** Folder under the root that holds uploads still in flight; no request path may name it. */
export const TMP_DIR_NAME = '.cairn-tmp';
/** The file server's address for S3 objects shown to the browser; not a stored path either. */
export const S3_PROXY_PATH = '.cairn-s3';

/** What a signed `/.cairn-s3` address signs: the S3 address, kept apart from stored paths. */
export const s3ProxySubject = (url: string): string => `s3 ${url}`;

/**
 * Splits a stored-file path into its folder names, refusing anything that could leave
 * the root. Empty and `.` segments are dropped, as the file system would.
 */
export function toSegments(path: string): string[] {
  if (path.includes('\0')) throw new FileServerError(400, 'the path contains a NUL character');
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new FileServerError(400, `the path may not contain "..": ${path}`);
  if (segments[0] === TMP_DIR_NAME || segments[0] === S3_PROXY_PATH) throw new FileServerError(400, `the name ${segments[0]} is reserved`);
  return segments;
}

/** The absolute location of `segments` under `root`, checked again after resolution. */
export function resolveUnder(root: string, segments: string[]): string {
  const full = resolve(root, ...segments);
  const rel = relative(root, full);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new FileServerError(400, `the path leaves the storage root: ${segments.join('/')}`);
  }
  return full;
}

/**
 * Percent-decodes a URL path exactly once. Stored names may themselves hold `%XX`
 * (the SDK pre-quotes project and task names), so a second decode would find the
 * wrong file. Fastify already refuses malformed escapes before routing; this check
 * only keeps that promise local.
 */
export function decodeUrlPath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new FileServerError(400, `the URL path is not valid percent-encoded UTF-8: ${raw}`);
  }
}

const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
};

/**
 * Symlinks inside the storage root are not followed out of it: the real location of
 * `full`, or for a file not written yet that of its nearest existing folder, must lie
 * under the root's own real location.
 */
export async function confineRealPath(root: string, full: string): Promise<void> {
  const realRoot = await realpath(root);
  for (let p = full; ; p = dirname(p)) {
    let real: string;
    try {
      real = await realpath(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && p !== dirname(p)) continue;
      throw err;
    }
    if (!inside(realRoot, real)) throw new FileServerError(403, 'the path leads out of the storage root through a link');
    return;
  }
}
