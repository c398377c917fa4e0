/**
 * Whether the browser can fetch a stored URI: a web address itself, an `s3://` object
 * through the file server, which reads it with the server's own S3 credentials
 * (`files.sign_urls`). A `file://` path or another scheme it cannot reach.
 */
export const isFetchable = (uri: string | undefined): uri is string => !!uri && /^(https?|s3):\/\//i.test(uri);

/**
 * The file server answers `download` with an attachment, so the browser saves rather than
 * shows it. Added to the signed address: an S3 object's (`/.cairn-s3?url=s3://...&cairn_sig=...`)
 * already has a query, and before signing the parameter would become part of its key.
 */
export function downloadUrl(signed: string): string {
  const u = new URL(signed);
  u.search = u.search ? `${u.search}&download` : '?download';
  return u.href;
}

/** The last path segment of a URI, decoded, as a file name for the user. */
export function fileName(uri: string): string {
  const path = uri.split(/[?#]/)[0];
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** `1.5 MB`; exact bytes below a kilobyte. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
