import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueueMetricSample, Store } from '../../store/store.js';
import { queueMetrics } from './queue-metrics.js';

const MIN = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (10 * MIN));

/** A store that only knows these samples, as the entry table would answer them. */
function storeWith(samples: QueueMetricSample[]): Store {
  return {
    queueEntries: {
      metricSamples: async (queues: readonly string[] | null, fromMs: number, toMs: number) => {
        const mine = samples.filter((s) => queues === null || queues.includes(s.queue));
        const before = new Map<string, QueueMetricSample>();
        for (const s of mine) if (s.ts < fromMs && (before.get(s.queue)?.ts ?? -1) < s.ts) before.set(s.queue, s);
        return [...before.values(), ...mine.filter((s) => s.ts >= fromMs && s.ts < toMs)];
      },
    },
  } as unknown as Store;
}

const sample = (queue: string, atMin: number, length: number, avgWait: number): QueueMetricSample => ({ queue, ts: T0 + atMin * MIN, length, avg_wait: avgWait });

test('each bucket shows its worst waiting time, carried on between changes', async () => {
  const store = storeWith([
    sample('a', -30, 2, 0), // before the range: 2 tasks waiting since T0 - 30 min
    sample('a', 12, 1, 0), // at 12 min both are taken and a new one arrives
    sample('a', 25, 0, 0), // empty from 25 min
  ]);
  const [a] = await queueMetrics(store, ['a'], { fromMs: T0, toMs: T0 + 40 * MIN, intervalMs: 10 * MIN }, T0 + 60 * MIN);
  assert.equal(a.queue, 'a');
  assert.deepEqual(a.dates, [T0, T0 + 10 * MIN, T0 + 20 * MIN, T0 + 30 * MIN]);
  // 0-10: two entries waiting 40 min at the end; 10-20: 42 min just before the change at 12;
  // 20-30: one entry waiting 13 min just before the queue empties at 25; 30-40: empty.
  assert.deepEqual(a.queue_lengths, [2, 2, 1, 0]);
  assert.deepEqual(a.avg_waiting_times, [40 * 60, 42 * 60, 13 * 60, 0]);
});

test('without queue ids one total series sums lengths and weighs waits by length', async () => {
  const store = storeWith([sample('a', 0, 1, 60), sample('b', 0, 3, 20)]);
  const series = await queueMetrics(store, null, { fromMs: T0, toMs: T0 + MIN, intervalMs: MIN }, T0 + MIN);
  assert.equal(series.length, 1);
  assert.equal(series[0].queue, 'total');
  assert.deepEqual(series[0].queue_lengths, [4]);
  // at the bucket end: a waited 60+60 s with 1 entry, b 20+60 s with 3 entries
  assert.deepEqual(series[0].avg_waiting_times, [(1 * 120 + 3 * 80) / 4]);
});
