import { hostname } from 'node:os';
import { isIP } from 'node:net';

/**
 * The API and file server addresses that the web UI should call, as /config.json
 * answers them. In single-port mode they are paths on the page's own origin. Otherwise
 * they are the configured public URLs, except that the defaults name `localhost`: a
 * browser on another machine reaches the server by the host name it used for the page.
 * That name comes from the request's Host header, so it is used only when it is one the
 * server knows (an IP address, this machine's name, a public URL's host or one given
 * with --allowed-hosts): a page served under a foreign name (DNS rebinding) must not be
 * told to send its sign-in to that name.
 */
export interface WebUrls {
  apiUrl: string;
  filesUrl: string;
}

const LOCAL = new Set(['localhost', '127.0.0.1', '[::1]']);

function hostnameOf(hostHeader: string): string {
  return (hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]).toLowerCase();
}

/** Which request host names the server answers to as its own. */
export function knownHosts(urls: WebUrls & { webUrl?: string }, allowed: readonly string[]): (host: string) => boolean {
  const names = new Set([...LOCAL, hostname().toLowerCase(), ...allowed.map((h) => h.toLowerCase())]);
  for (const u of [urls.apiUrl, urls.filesUrl, urls.webUrl]) if (u) names.add(new URL(u).hostname.toLowerCase());
  return (host) => names.has(host) || isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}

function onRequestHost(url: string, requestHost: string | undefined, known: (host: string) => boolean): string {
  if (!requestHost) return url;
  const target = new URL(url);
  const host = hostnameOf(requestHost);
  if (!LOCAL.has(target.hostname) || LOCAL.has(host) || !known(host)) return url;
  target.hostname = host;
  return target.href.replace(/\/+$/, '');
}

export function browserUrls(configured: WebUrls | 'same-origin', requestHost: string | undefined, known: (host: string) => boolean = () => false): WebUrls {
  if (configured === 'same-origin') return { apiUrl: '/api', filesUrl: '/files' };
  return { apiUrl: onRequestHost(configured.apiUrl, requestHost, known), filesUrl: onRequestHost(configured.filesUrl, requestHost, known) };
}
