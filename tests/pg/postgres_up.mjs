/**
 * A real PostgreSQL server for the tests (Debian's `postgresql`): a cluster in a
 * temporary folder on a free loopback port, trust authentication on loopback only.
 * Prints one JSON line once it accepts connections, then serves until its standard
 * input closes (the test run that started it exited) or it gets SIGTERM, and removes
 * the cluster:
 *   {"adminUrl": "postgres://cairn@127.0.0.1:PORT/postgres"}
 * Needs a built server (npm run build): the cluster code is packages/server's test harness.
 */
import { startPostgres } from '../../packages/server/dist/testing/postgres.js';

const pg = await startPostgres();
let stopped = false;
const stop = () => {
  if (stopped) return;
  stopped = true;
  pg.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
console.log(JSON.stringify({ adminUrl: pg.adminUrl }));
