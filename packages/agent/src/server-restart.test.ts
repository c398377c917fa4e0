import { loadConfig, startServer, type RunningServer } from '@cairn/server';
import { freePort, TEST_STORE, testDatabase } from '@cairn/server/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Daemon } from './daemon.js';

/*
 * A server restart in the middle of a task: the task keeps running, its console waits in
 * the agent and the final status is written once the server is back on the same address.
 */

const dir = mkdtempSync(join(tmpdir(), 'cairn-agent-restart-'));
const KEY = 'RESTARTKEY';
const SECRET = 'restart-secret';
const flag = join(dir, 'server-is-down');

const SCRIPT = `
import os, time
print("before the outage", flush=True)
while not os.path.exists(${JSON.stringify(flag)}):
    time.sleep(0.05)
print("during the outage", flush=True)
`;

// With CAIRN_TEST_STORE=postgres the restarted server comes back on the same database.
const database = TEST_STORE === 'postgres' ? await testDatabase() : null;

async function start(port: number): Promise<RunningServer> {
  const storeArgs = database ? ['--database', database.url] : [];
  const config = loadConfig(['--host', '127.0.0.1', '--data-dir', join(dir, 'data'), '--api-port', String(port), '--web-port', '0', '--files-port', '0', ...storeArgs], {
    CAIRN_ACCESS_KEY: KEY,
    CAIRN_SECRET_KEY: SECRET,
  });
  return startServer(config, () => undefined);
}

let daemon: Daemon | undefined;
after(async () => {
  await daemon?.shutdown();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('a task survives a server restart and its console and status arrive afterwards', { timeout: 600_000 }, async () => {
  const port = await freePort();
  let server = await start(port);
  const api = server.listening.api;
  const token = ((await (await fetch(`${api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` } })).json()) as { data: { token: string } }).data.token;
  const call = async (endpoint: string, body: object) => {
    const res = await fetch(`${api}/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return ((await res.json()) as { data: Record<string, any> }).data;
  };
  const queue = (await call('queues.create', { name: 'restart' })).id as string;
  const agentLog: string[] = [];
  daemon = await Daemon.start({
    config: { apiHost: api, webHost: '', filesHost: server.listening.files, accessKey: KEY, secretKey: SECRET },
    queues: ['restart'],
    pollIntervalSec: 1,
    statusIntervalSec: 1,
    workDir: join(dir, 'work'),
    lockDir: join(dir, 'locks'),
    log: (line) => agentLog.push(line),
  });
  const id = (await call('tasks.create', { name: 'outage', type: 'training', script: { repository: '', entry_point: 'outage.py', diff: SCRIPT } })).id as string;
  await call('tasks.enqueue', { task: id, queue });
  const log = async () => ((await call('events.get_task_log', { task: id, navigate_earlier: false, order: 'asc', batch_size: 1000 })).events as { msg: string }[]).map((e) => e.msg).join('\n');
  while (!(await log()).includes('before the outage')) await new Promise((r) => setTimeout(r, 200));

  await server.close();
  writeFileSync(flag, '');
  // The task ends while the server is down: the agent keeps retrying its console and final status.
  while (!agentLog.some((l) => /unreachable for (events\.add_batch|tasks\.completed)/.test(l))) await new Promise((r) => setTimeout(r, 50));
  server = await start(port);
  try {
    let status = '';
    while (status !== 'completed') {
      status = ((await call('tasks.get_by_id', { task: id })).task as { status: string }).status;
      assert.ok(['in_progress', 'completed'].includes(status), status);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(await log(), /before the outage[\s\S]*during the outage[\s\S]*Process completed successfully/);
  } finally {
    await daemon.shutdown();
    await server.close();
  }
});
