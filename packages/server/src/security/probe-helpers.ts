import http from 'node:http';
import { startTestServer, TEST_KEY, TEST_SECRET, type TestServer } from '../testing/test-server.js';

/**
 * Helpers of the security probes (security/*.test.ts): raw HTTP with full control over
 * headers, bodies and timing, and sign-ins as given users.
 */
export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(url: string, opts: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

/** `auth.login` with a user name and password (or key and secret): the raw answer. */
export function login(s: TestServer, user: string, secret: string, query = ''): Promise<Response> {
  return fetch(`${s.api}/auth.login${query}`, { headers: { authorization: basic(user, secret) } });
}

export async function tokenFor(s: TestServer, user: string, secret: string): Promise<string> {
  const res = await login(s, user, secret);
  if (res.status !== 200) throw new Error(`sign-in of ${user} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: { token: string } }).data.token;
}

export { startTestServer, TEST_KEY, TEST_SECRET, type TestServer };
