import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

/**
 * Sends two keep-alive requests on one raw connection, the second only once the first
 * is answered, and reports each answer's `Connection` header and whether the second
 * was answered on the same socket at all.
 */
async function twoOnOneSocket(url: string, path: string, userAgent: string, token: string): Promise<{ headers: string[]; answers: number; closedByServer: boolean }> {
  const { hostname, port } = new URL(url);
  const base = new URL(url).pathname.replace(/\/$/, '');
  const socket = connect(Number(port), hostname);
  const request = `GET ${base}${path} HTTP/1.1\r\nHost: ${hostname}\r\nUser-Agent: ${userAgent}\r\nAuthorization: Bearer ${token}\r\nConnection: keep-alive\r\n\r\n`;
  let seen = '';
  let secondQueued = false;
  let closedByServer = false;
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      const answers = seen.match(/HTTP\/1\.1 \d{3} /g)?.length ?? 0;
      if (answers === 1 && !secondQueued && /\r\n\r\n/.test(seen)) {
        secondQueued = true;
        // a moment for the server to end the socket if it is going to
        setTimeout(() => {
          if (!closedByServer) socket.write(request);
        }, 50);
      }
      if (answers >= 2) resolve();
    });
    socket.once('end', () => {
      closedByServer = true;
      resolve();
    });
    socket.once('error', reject);
    socket.write(request);
  });
  socket.destroy();
  const headers = [...seen.matchAll(/^connection: *(.*?)\r$/gim)].map((m) => m[1].toLowerCase());
  return { headers, answers: seen.match(/HTTP\/1\.1 \d{3} /g)?.length ?? 0, closedByServer };
}

test('the python SDK and agent get each API answer on a connection of its own, so a fork never shares a pooled socket', async () => {
  const sdk = await twoOnOneSocket(s.api, '/debug.ping', 'python-requests/2.32.3', s.token);
  assert.deepEqual(sdk.headers, ['close']);
  assert.equal(sdk.answers, 1);
  assert.equal(sdk.closedByServer, true);
});

test('the file server does the same for python clients', async () => {
  const sdk = await twoOnOneSocket(s.files, '/no/such/file.bin', 'python-requests/2.32.3', s.token);
  assert.deepEqual(sdk.headers, ['close']);
  assert.equal(sdk.closedByServer, true);
});

test('browsers and other clients keep their keep-alive connections', async () => {
  const browser = await twoOnOneSocket(s.api, '/debug.ping', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0', s.token);
  assert.equal(browser.answers, 2);
  assert.equal(browser.closedByServer, false);
  assert.ok(browser.headers.every((h) => h === 'keep-alive'), String(browser.headers));
});
