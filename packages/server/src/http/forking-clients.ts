import type { FastifyInstance } from 'fastify';

/**
 * The clearml SDK and clearml-agent (User-Agent `python-requests/…`) get every answer
 * with `Connection: close`.
 *
 * The SDK forks while its `requests` session holds pooled keep-alive connections: at
 * `Task.init` (its reporting subprocess) and whenever the script itself forks
 * (DataLoader workers, multiprocessing: the SDK patches `os.fork` so that children
 * report too). Parent and child then hold the same idle sockets, and when both send over
 * one, each can read the other's answer (seen in CI: `models.create` answered 200 and
 * the SDK found no model id in what it read). A connection closed after its answer is
 * never idle in a pool, so no fork can share one. The price is a loopback connect per
 * call (bench/README.md, "API calls from Python"); browsers and other clients keep
 * their connections.
 */
export function closeConnectionsOfForkingClients(app: FastifyInstance): void {
  app.addHook('onRequest', (req, reply, done) => {
    if (isPythonRequests(req.headers['user-agent'])) reply.raw.setHeader('connection', 'close');
    done();
  });
}

function isPythonRequests(userAgent: string | undefined): boolean {
  return userAgent !== undefined && userAgent.startsWith('python-requests/');
}
