import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRange } from './range.js';

test('single ranges resolve to inclusive byte offsets clamped to the file', () => {
  assert.deepEqual(parseRange('bytes=10-19', 100), { kind: 'partial', start: 10, end: 19 });
  assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'partial', start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-5', 100), { kind: 'partial', start: 95, end: 99 });
  assert.deepEqual(parseRange('bytes=-500', 100), { kind: 'partial', start: 0, end: 99 });
  assert.deepEqual(parseRange('bytes=50-5000', 100), { kind: 'partial', start: 50, end: 99 });
});

test('ranges past the end are unsatisfiable', () => {
  assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
});

test('malformed and multiple ranges fall back to the whole file', () => {
  for (const h of [undefined, '', 'bytes=-', 'bytes=5-1', 'items=0-1', 'bytes=0-1,5-6', 'bytes=a-b']) {
    assert.deepEqual(parseRange(h, 100), { kind: 'full' }, String(h));
  }
});
