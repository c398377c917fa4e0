/**
 * The load balancer in front of replicas, as small as it can be: each new TCP connection
 * goes to the next backend in turn; a backend that refuses the connection (a killed
 * replica) is skipped for the next one, as a load balancer's health check would.
 * Python clients get `Connection: close` from Cairn, so their calls alternate.
 *
 * Run as a program (the compat suite's replicas, tests/compat/replicas.py), it starts one
 * proxy per name given, each on a free port, and prints {name: port} as one JSON line;
 * each line it then reads, `name port,port,...`, sets that proxy's backends. The ports are
 * known before the replicas start (they are told them as their public URLs), and the
 * proxies stay up while the replicas restart.
 *
 *   node tests/replicas/round-robin-proxy.mjs api web files
 */
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export function startProxy(backendPorts) {
  let next = 0;
  const sockets = new Set();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    if (backendPorts.length === 0) {
      client.destroy();
      return;
    }
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = process.argv.slice(2);
  const backends = Object.fromEntries(names.map((name) => [name, []]));
  const proxies = await Promise.all(names.map((name) => startProxy(backends[name])));
  console.log(JSON.stringify(Object.fromEntries(names.map((name, i) => [name, proxies[i].port]))));
  for await (const line of createInterface({ input: process.stdin })) {
    const [name, ports = ''] = line.trim().split(/\s+/);
    if (!backends[name]) {
      console.error(`round-robin-proxy: no proxy named ${JSON.stringify(name)}`);
      continue;
    }
    backends[name].splice(0, backends[name].length, ...ports.split(',').filter(Boolean).map(Number));
    console.log(`${name} -> ${backends[name].join(',')}`);
  }
  // stdin closed: the test is done with the proxies
  await Promise.all(proxies.map((p) => p.close()));
}
