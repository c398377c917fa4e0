import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

/**
 * A real PostgreSQL server for tests: Debian's `postgresql` binaries, a cluster in a
 * temporary folder on a free loopback port, trust authentication on loopback only.
 * Tests ask `testDatabase()` for a database of their own; the cluster is shared by
 * the process (or by the whole run when CAIRN_TEST_POSTGRES names one, as `npm test`
 * does) and each database is dropped by its test.
 */
export interface RunningPostgres {
  /** the superuser's URL of the `postgres` database */
  adminUrl: string;
  stop(): void;
}

function binDir(): string {
  const fromEnv = process.env.CAIRN_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  throw new Error("PostgreSQL is not installed: no /usr/lib/postgresql/<version>/bin/initdb (Debian: apt-get install -y postgresql)");
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/**
 * Creates and starts a cluster; `stop()` stops it and removes its folder. Tests run it
 * without fsync (nothing survives the run anyway); `durable` (benchmarks) keeps
 * PostgreSQL's defaults.
 */
export async function startPostgres({ durable = false }: { durable?: boolean } = {}): Promise<RunningPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'cairn', '--auth=trust', '-E', 'UTF8', '--no-sync', '-N']);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const fast = durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  let port = 0;
  // another process may take the free port before PostgreSQL listens on it: a new one then
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=300${fast}`;
    const [ctlCmd, ctlArgs] = asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-o', opts, '-w', 'start']);
    try {
      execFileSync(ctlCmd, ctlArgs, { stdio: 'pipe' });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    const [c, a] = asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    spawnSync(c, a, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  return { adminUrl: `postgres://cairn@127.0.0.1:${port}/postgres`, stop };
}

let shared: Promise<string> | null = null;

/** The cluster's admin URL: CAIRN_TEST_POSTGRES, or one started for this process and stopped when it exits. */
function adminUrl(): Promise<string> {
  if (process.env.CAIRN_TEST_POSTGRES) return Promise.resolve(process.env.CAIRN_TEST_POSTGRES);
  if (!shared) {
    shared = startPostgres().then((pgServer) => {
      process.once('exit', () => pgServer.stop());
      return pgServer.adminUrl;
    });
  }
  return shared;
}

let counter = 0;

/** A new empty database; `drop()` removes it (closing the store first is the caller's job). */
export async function testDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = await adminUrl();
  const name = `t_${process.pid}_${Date.now().toString(36)}_${++counter}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
