import { Session } from '@cairn/client';
import { RecordingProxy } from '@cairn/client/dist/testing/recording-proxy.js';
import { startTestServer, TEST_KEY, TEST_SECRET, type TestServer } from '@cairn/server/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { QueuePoller, type QueueRef } from './queue-poller.js';

let server: TestServer;
let proxy: RecordingProxy;
let high: QueueRef;
let low: QueueRef;
let poller: QueuePoller;

before(async () => {
  server = await startTestServer();
  proxy = await RecordingProxy.start(server.api);
  high = { id: (await server.call('queues.create', { name: 'high' })).data.id as string, name: 'high' };
  low = { id: (await server.call('queues.create', { name: 'low' })).data.id as string, name: 'low' };
  const session = new Session({ apiHost: proxy.url, accessKey: TEST_KEY, secretKey: TEST_SECRET });
  poller = new QueuePoller(session, [high, low], 1_000, () => undefined);
});
after(async () => {
  await proxy.close();
  await server.close();
});

async function enqueue(queue: QueueRef, name: string): Promise<string> {
  const id = (await server.call('tasks.create', { name, type: 'training' })).data.id as string;
  const res = await server.call('tasks.enqueue', { task: id, queue: queue.id });
  assert.equal(res.status, 200);
  return id;
}

test('pulls in priority order and starts again from the first queue after each task', async () => {
  const signal = new AbortController().signal;
  const a = await enqueue(high, 'a');
  const b = await enqueue(low, 'b');
  const c = await enqueue(low, 'c');
  assert.deepEqual(await poller.next(signal), { taskId: a, queue: high });
  assert.deepEqual(await poller.next(signal), { taskId: b, queue: low });
  const d = await enqueue(high, 'd');
  assert.deepEqual(await poller.next(signal), { taskId: d, queue: high });
  assert.deepEqual(await poller.next(signal), { taskId: c, queue: low });
});

test('an empty round long-polls the first queue with wait_sec and returns the task that arrives', async () => {
  proxy.requests.length = 0;
  const signal = new AbortController().signal;
  const pulled = poller.next(signal);
  while (!proxy.requests.some((r) => JSON.parse(r.body).wait_sec === 1)) await new Promise((r) => setTimeout(r, 10));
  const e = await enqueue(high, 'e');
  assert.deepEqual(await pulled, { taskId: e, queue: high });
  const bodies = proxy.requests.filter((r) => r.endpoint === 'queues.get_next_task').map((r) => JSON.parse(r.body));
  assert.deepEqual(bodies.slice(0, 3), [{ queue: high.id }, { queue: low.id }, { queue: high.id, wait_sec: 1 }]);
});

test('an abort ends the wait with no task', async () => {
  const ctl = new AbortController();
  const pulled = poller.next(ctl.signal);
  ctl.abort();
  assert.equal(await pulled, undefined);
});
