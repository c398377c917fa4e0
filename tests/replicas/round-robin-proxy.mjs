/**
 * The load balancer in front of replicas, as small as it can be: each new TCP connection
 * goes to the next backend in turn; a backend that refuses the connection (a killed
 * replica) is skipped for the next one, as a load balancer's health check would.
 * Python clients get `Connection: close` from Cairn, so their calls alternate.
 */
import { connect, createServer } from 'node:net';

export function startProxy(backendPorts) {
  let next = 0;
  const sockets = new Set();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tryBackend = (attempt) => {
      const port = backendPorts[next++ % backendPorts.length];
      const upstream = connect({ host: '127.0.0.1', port });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.once('error', (err) => {
        if (err.code === 'ECONNREFUSED' && attempt < backendPorts.length) tryBackend(attempt + 1);
        else client.destroy();
      });
      upstream.once('connect', () => {
        upstream.on('error', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryBackend(1);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port,
      close: () => new Promise((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
    }));
  });
}
