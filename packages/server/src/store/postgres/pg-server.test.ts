import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testDatabase } from '../../testing/postgres.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * The server on PostgreSQL (--database), for what differs from SQLite: values
 * PostgreSQL cannot hold get a clear 400 and nothing is stored, and the server goes on.
 */
let s: TestServer;
let drop: () => Promise<void>;
/** events.add_batch as the SDK sends it: one JSON event per line. */
const batch = (events: readonly Record<string, unknown>[]) =>
  s.call('events.add_batch', events.map((e) => JSON.stringify(e)).join('\n'), { contentType: 'application/json-lines' });

before(async () => {
  const db = await testDatabase();
  drop = db.drop;
  s = await startTestServer(['--database', db.url]);
});

after(async () => {
  await s.close();
  await drop();
});

test('a NUL character in a document is refused with a validation error and nothing is stored', async () => {
  const r = await s.call('tasks.create', { name: 'bad\u0000name', type: 'training' });
  assert.equal(r.status, 400);
  assert.equal(r.meta.result_subcode, 12);
  assert.match(String(r.meta.result_msg), /NUL character/);
  const { tasks } = await s.ok('tasks.get_all', { name: '^bad' });
  assert.equal(tasks.length, 0);
  const { id } = await s.ok('tasks.create', { name: 'good', type: 'training' });
  assert.equal((await s.ok('tasks.get_by_id', { task: id })).task.name, 'good');
});

test('console text with a NUL character is stored and read back as sent; a NUL in a metric name refuses the batch', async () => {
  const { id } = await s.ok('tasks.create', { name: 'logs', type: 'training' });
  const good = await batch([
    { type: 'log', task: id, timestamp: 1, level: 'info', worker: 'w', msg: 'a\u0000b' },
    { type: 'training_stats_scalar', task: id, timestamp: 1, iter: 0, metric: 'loss', variant: 'train', value: 1 },
  ]);
  assert.equal(good.status, 200, String(good.meta.result_msg));
  const log = await s.ok('events.get_task_log', { task: id });
  assert.deepEqual(log.events.map((e: { msg: string }) => e.msg), ['a\u0000b']);
  const bad = await batch([
    { type: 'training_stats_scalar', task: id, timestamp: 2, iter: 1, metric: 'l\u0000oss', variant: 'train', value: 2 },
    { type: 'training_stats_scalar', task: id, timestamp: 2, iter: 1, metric: 'loss', variant: 'train', value: 2 },
  ]);
  assert.equal(bad.status, 400);
  assert.match(String(bad.meta.result_msg), /NUL character/);
  const scalars = await s.ok('events.scalar_metrics_iter_histogram', { task: id });
  assert.deepEqual(scalars.loss.train.y, [1], 'the refused batch stored nothing');
});
