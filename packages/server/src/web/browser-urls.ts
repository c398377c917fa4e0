/**
 * The API and file server addresses that the web UI should call, as /config.json
 * answers them. In single-port mode they are paths on the page's own origin. Otherwise
 * they are the configured public URLs, except that the defaults name `localhost`: a
 * browser on another machine reaches the server by the host name it used for the page.
 */
export interface WebUrls {
  apiUrl: string;
  filesUrl: string;
}

const LOCAL = new Set(['localhost', '127.0.0.1', '[::1]']);

function hostnameOf(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0];
}

function onRequestHost(url: string, requestHost: string | undefined): string {
  if (!requestHost) return url;
  const target = new URL(url);
  const host = hostnameOf(requestHost);
  if (!LOCAL.has(target.hostname) || LOCAL.has(host)) return url;
  target.hostname = host;
  return target.href.replace(/\/+$/, '');
}

export function browserUrls(configured: WebUrls | 'same-origin', requestHost: string | undefined): WebUrls {
  if (configured === 'same-origin') return { apiUrl: '/api', filesUrl: '/files' };
  return { apiUrl: onRequestHost(configured.apiUrl, requestHost), filesUrl: onRequestHost(configured.filesUrl, requestHost) };
}
