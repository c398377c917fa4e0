import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeTaskState } from './abort-watch.js';

test('judges when a running task must be ended', () => {
  assert.equal(judgeTaskState({ status: 'in_progress', status_message: 'pulled by agent' }), undefined);
  assert.deepEqual(judgeTaskState({ status: 'in_progress', status_message: 'stopping' }), { kind: 'stop-requested' });
  for (const status of ['stopped', 'failed', 'created', 'queued', 'completed', 'published', 'closed']) {
    assert.deepEqual(judgeTaskState({ status, status_message: '' }), { kind: 'status-changed', status });
  }
  assert.deepEqual(judgeTaskState(undefined), { kind: 'gone' });
});
