import { Session } from '@cairn/client';
import { RecordingProxy } from '@cairn/client/dist/testing/recording-proxy.js';
import { startTestServer, TEST_KEY, TEST_SECRET, type TestServer } from '@cairn/server/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TaskConsole } from './task-console.js';

let server: TestServer;
let proxy: RecordingProxy;

before(async () => {
  server = await startTestServer();
  proxy = await RecordingProxy.start(server.api);
});
after(async () => {
  await proxy.close();
  await server.close();
});

async function newTask(): Promise<string> {
  return (await server.call('tasks.create', { name: 'console', type: 'training' })).data.id as string;
}

async function readLog(task: string) {
  const res = await server.call('events.get_task_log', { task, navigate_earlier: false, order: 'asc', batch_size: 1000 });
  return (res.data.events as { msg: string; level: string; worker: string; timestamp: number }[]);
}

test('lines become log events by level, in order, with increasing timestamps', async () => {
  const task = await newTask();
  const session = new Session({ apiHost: server.api, accessKey: TEST_KEY, secretKey: TEST_SECRET });
  const c = new TaskConsole(session, task, 'box:0', 60_000, () => undefined);
  c.start();
  c.info('agent notice');
  c.write('stdout', 'out 1\nout ');
  c.write('stdout', '2\nprogress 10%\rprogress 50%\rprogress 100%\n');
  c.write('stderr', 'Traceback (most recent call last):\n  File "x.py"\n');
  c.write('stdout', 'no newline at the end');
  await c.close();
  const events = await readLog(task);
  assert.deepEqual(events.map((e) => [e.level, e.msg]), [
    ['info', 'agent notice\nout 1\nout 2\nprogress 100%'],
    ['error', 'Traceback (most recent call last):\n  File "x.py"'],
    ['info', 'no newline at the end'],
  ]);
  assert.ok(events.every((e) => e.worker === 'box:0'));
  assert.ok(events[0]!.timestamp < events[1]!.timestamp && events[1]!.timestamp < events[2]!.timestamp);
});

test('lines wait while the server is unavailable and arrive in order once it answers', async () => {
  const task = await newTask();
  const session = new Session({ apiHost: proxy.url, accessKey: TEST_KEY, secretKey: TEST_SECRET, retry: { retries: Infinity, baseDelayMs: 5, maxDelayMs: 20 } });
  let down = true;
  proxy.inject = ({ endpoint }) => (down && endpoint === 'events.add_batch' ? 503 : undefined);
  const c = new TaskConsole(session, task, 'box:0', 10, () => undefined);
  c.start();
  c.write('stdout', 'first\n');
  // Several flushes fail while the lines keep coming.
  while (proxy.requests.filter((r) => r.endpoint === 'events.add_batch').length < 5) await new Promise((r) => setTimeout(r, 10));
  c.write('stderr', 'second\n');
  c.write('stdout', 'third\n');
  down = false;
  await c.close();
  proxy.inject = () => undefined;
  const events = await readLog(task);
  assert.deepEqual(events.map((e) => e.msg).join('\n'), 'first\nsecond\nthird');
});
