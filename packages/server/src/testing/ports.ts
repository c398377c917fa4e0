import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The lowest port the kernel hands out to outgoing connections. A port the tests pick
 * inside that range can be taken between the pick and the listen by any connection a
 * parallel suite opens (every Python client call opens one), which CI saw as EADDRINUSE.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : 32768;
  } catch {
    return 32768;
  }
}

function listensOn(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => {
      const got = (s.address() as { port: number }).port;
      s.close(() => resolve(got));
    });
  });
}

/**
 * A loopback port free at the moment of asking, chosen at random below the ephemeral range
 * so that outgoing connections never take it. Another test may still take it before the
 * caller listens: callers that can, retry on EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow() - 1;
  for (let i = 0; high > low && i < 50; i++) {
    const got = await listensOn(low + Math.floor(Math.random() * (high - low + 1)));
    if (got !== null) return got;
  }
  const any = await listensOn(0);
  if (any === null) throw new Error('no free loopback port');
  return any;
}
