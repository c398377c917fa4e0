import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  endpoint: string;
  method: string;
  contentType: string;
  body: string;
  /** The `X-ClearML-Agent` header: which client sent it. */
  agent: string;
  /** HTTP status the client got (the injected one when `inject` answered). */
  status: number;
}

/** Returns an HTTP status to answer with instead of forwarding, or undefined to forward. */
export type Injector = (req: { endpoint: string; index: number }) => number | undefined;

/**
 * An HTTP proxy in front of a test server that records every request and can answer
 * some of them itself (503, 401, …), for testing the client's retry and renewal rules.
 */
export class RecordingProxy {
  readonly requests: ProxiedRequest[] = [];
  inject: Injector = () => undefined;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<RecordingProxy> {
    let proxy!: RecordingProxy;
    const server = createServer((req, res) => {
      // A server that cannot be reached (it closed at the end of a test) reaches the client
      // as a dropped connection, as it would without the proxy.
      handle(proxy, target, req).then(({ status, contentType, body }) => {
        res.writeHead(status, { 'content-type': contentType });
        res.end(body);
      }, () => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new RecordingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  count(endpoint: string): number {
    return this.requests.filter((r) => r.endpoint === endpoint).length;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(proxy: RecordingProxy, target: string, req: IncomingMessage): Promise<{ status: number; contentType: string; body: string }> {
  const body = await readBody(req);
  const url = req.url ?? '/';
  const endpoint = url.replace(/^\//, '').replace(/\?.*$/, '');
  const record: ProxiedRequest = { endpoint, method: req.method ?? 'GET', contentType: req.headers['content-type'] ?? '', body, agent: String(req.headers['x-clearml-agent'] ?? ''), status: 0 };
  const injected = proxy.inject({ endpoint, index: proxy.count(endpoint) });
  proxy.requests.push(record);
  if (injected !== undefined) {
    record.status = injected;
    const meta = { id: 'x', trx: 'x', endpoint: { name: endpoint, requested_version: '2.31', actual_version: '2.31' }, result_code: injected, result_subcode: 0, result_msg: 'injected by the test proxy', error_stack: null, error_data: {} };
    return { status: injected, contentType: 'application/json', body: JSON.stringify({ meta, data: {} }) };
  }
  const headers: Record<string, string> = {};
  for (const h of ['authorization', 'content-type']) if (req.headers[h]) headers[h] = req.headers[h] as string;
  // fetch cannot send a GET with a body (the ClearML clients do): such a request goes on as a POST.
  const method = body !== '' && req.method === 'GET' ? 'POST' : req.method;
  const res = await fetch(`${target}${url}`, { method, headers, body: method === 'GET' ? undefined : body });
  record.status = res.status;
  return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/json', body: await res.text() };
}
