/** Where the API and file server are, as the server that served this page says in /config.json. */
export interface ServerUrls {
  apiUrl: string;
  filesUrl: string;
  webUrl: string;
}

let urls: ServerUrls | null = null;

/** Relative URLs (single-port mode answers `/api`) become absolute against this page. */
const absolute = (u: string) => new URL(u, window.location.href).href.replace(/\/+$/, '');

export async function loadServerUrls(): Promise<ServerUrls> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`the web server answered ${res.status} for /config.json`);
  const raw = (await res.json()) as { apiUrl: string; filesUrl: string };
  urls = { apiUrl: absolute(raw.apiUrl), filesUrl: absolute(raw.filesUrl), webUrl: window.location.origin };
  return urls;
}

export function serverUrls(): ServerUrls {
  if (!urls) throw new Error('server URLs are read before the app starts');
  return urls;
}
