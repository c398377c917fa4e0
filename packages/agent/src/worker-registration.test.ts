import { startTestServer, TEST_KEY, TEST_SECRET, type TestServer } from '@cairn/server/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Daemon, WorkerIdInUseError } from './daemon.js';

/*
 * Worker ids that cannot mix two agents: the default id never matches clearml-agent's
 * (`<host>:0`), and an id another live agent reports under is not taken.
 */
let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'cairn-agent-ids-'));
const log: string[] = [];

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = (extra: Record<string, unknown>) => Daemon.start({
  config: { apiHost: server.api, webHost: server.server.listening.web, filesHost: server.files, accessKey: TEST_KEY, secretKey: TEST_SECRET },
  queues: ['default'],
  pollIntervalSec: 1,
  workDir: join(dir, 'work'),
  lockDir: join(dir, 'locks'),
  log: (line) => log.push(line),
  ...extra,
});

const workers = async () => ((await server.ok('workers.get_all', {})).workers as { id: string }[]).map((w) => w.id).sort();

test('beside clearml-agent and an agent elsewhere under the first cairn id, the default id takes the next free slot', async () => {
  const host = hostname();
  // clearml-agent's default id on this host, and a cairn agent on another machine with the same host name
  await server.ok('workers.register', { worker: `${host}:0`, queues: [] });
  await server.ok('workers.register', { worker: `${host}:cairn-0`, queues: [] });
  const daemon = await start({});
  try {
    assert.equal(daemon.workerId, `${host}:cairn-1`);
    assert.deepEqual(await workers(), [`${host}:0`, `${host}:cairn-0`, `${host}:cairn-1`].sort());
    assert.ok(log.some((l) => l.includes(`worker id ${host}:cairn-0 is in use elsewhere`)), log.join('\n'));
  } finally {
    await daemon.shutdown();
  }
});

test('a --name another live agent reports under is refused with the server\'s reason', async () => {
  await server.ok('workers.register', { worker: 'trainer-1', queues: [] });
  await assert.rejects(start({ name: 'trainer-1', fixedIdWaitSec: 1 }), (err: unknown) => {
    assert.ok(err instanceof WorkerIdInUseError);
    assert.match(err.message, /worker trainer-1 is already registered and reported \d+ s ago .*another agent is running under this id.*waited 1 s/);
    return true;
  });
  // the refused agent left the other one's entry as it was
  assert.ok((await workers()).includes('trainer-1'));
});
