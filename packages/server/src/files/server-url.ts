import { decodeUrlPath, toSegments } from './paths.js';

const defaultPort = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');

/**
 * The stored path that an address of this server's file server names, or null for any
 * other address. The host is not compared, only the port and the path prefix: clients
 * reach the same server by several names (localhost, an address, a DNS name). Pass the
 * public files URL as it is at the call: with port 0 it is known only once listening.
 * A path that could leave the root throws `FileServerError` 400.
 */
export function fileServerPath(raw: string, publicFilesUrl: string): string[] | null {
  const base = new URL(publicFilesUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!/^https?:$/.test(url.protocol) || defaultPort(url) !== defaultPort(base) || !url.pathname.startsWith(`${prefix}/`)) return null;
  return toSegments(decodeUrlPath(url.pathname.slice(prefix.length)));
}
