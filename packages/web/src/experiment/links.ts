/** Whether the browser can fetch a stored URI itself (file:// and s3:// it cannot). */
export const isWebUrl = (uri: string | undefined): uri is string => !!uri && /^https?:\/\//i.test(uri);

/** The file server answers `?download` with an attachment, so the browser saves rather than shows it. */
export function downloadUrl(uri: string): string {
  const u = new URL(uri);
  u.searchParams.set('download', '');
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
