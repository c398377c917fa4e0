import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Task } from '@cairn/protocol';
import { applyLastMetrics, mergeLastMetric, nameKey, summarize } from './last-metrics.js';

describe('summarize', () => {
  test('first, last, min and max with their iterations', () => {
    const s = summarize('loss', 'train', [3, 1, 2, 5, 4], [0.3, 0.9, 0.2, 0.5, 1.5], [13, 11, 12, 15, 14]);
    assert.deepEqual(
      [s.firstIter, s.first, s.lastIter, s.last, s.lastTimestamp, s.minIter, s.min, s.maxIter, s.max],
      [1, 0.9, 5, 0.5, 15, 2, 0.2, 4, 1.5],
    );
  });

  test('a re-report of the last iteration wins', () => {
    const s = summarize('m', 'v', [1, 2, 2], [1, 2, 3], [10, 20, 20]);
    assert.equal(s.last, 3);
  });
});

describe('mergeLastMetric', () => {
  test('a first batch becomes the entry', () => {
    const m = mergeLastMetric(undefined, summarize('m', 'v', [0, 1], [5, 4], [100, 101]), 2);
    assert.deepEqual(m, {
      metric: 'm', variant: 'v', value: 4, value_iteration: 1, timestamp: 101, min_value: 4, min_value_iteration: 1,
      max_value: 5, max_value_iteration: 0, first_value: 5, first_value_iteration: 0, count: 2,
    });
  });

  test('later batches move value, extremes and count but keep the first value', () => {
    const a = mergeLastMetric(undefined, summarize('m', 'v', [0, 1], [5, 4], [100, 101]), 2);
    const b = mergeLastMetric(a, summarize('m', 'v', [2, 3], [9, 1], [102, 103]), 2);
    assert.deepEqual([b.value, b.value_iteration, b.min_value, b.min_value_iteration, b.max_value, b.max_value_iteration, b.first_value, b.count],
      [1, 3, 1, 3, 9, 2, 5, 4]);
  });

  test('a late batch of earlier iterations does not replace the latest value', () => {
    const a = mergeLastMetric(undefined, summarize('m', 'v', [10], [7], [200]), 1);
    const b = mergeLastMetric(a, summarize('m', 'v', [2], [-3], [300]), 1);
    assert.deepEqual([b.value, b.value_iteration, b.min_value, b.first_value, b.first_value_iteration, b.count], [7, 10, -3, -3, 2, 2]);
  });
});

test('applyLastMetrics keys by md5 of metric and variant', () => {
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  assert.equal(nameKey('loss'), md5('loss'));
  const lm: Task['last_metrics'] = {};
  applyLastMetrics(lm, [{ summary: summarize('loss', 'train', [1], [0.5], [1]), newPoints: 1 }]);
  assert.equal(lm[md5('loss')][md5('train')].value, 0.5);
  assert.equal(lm[md5('loss')][md5('train')].metric, 'loss');
});
