// Chart reads of long scalar series: events.get_scalar_series on one 1,000,000-point series
// and events.get_multi_scalar_series on 100 series of 100,000 points, both downsampled to
// 2,000 buckets on the server.
// Usage: node bench/read.mjs [--points 1000000] [--compare 100] [--compare-points 100000] [--runs 20]
// Loads the data through events.add_batch first, restarts the server on that data, then
// reports the server time of each call (from the server's request log) and the client-side
// latency over loopback: the first call of each kind alone (cold), then the median of the rest.
import { rmSync } from 'node:fs';
import { arg, median, pct, sdkLine, startServer, valueOf } from './events-lib.mjs';

const POINTS = Number(arg('points', 1_000_000));
const COMPARE = Number(arg('compare', 100));
const COMPARE_POINTS = Number(arg('compare-points', 100_000));
const RUNS = Number(arg('runs', 20));
const BUCKETS = 2000;
const BATCH = 10_000;
const SPIKE_ITER = Math.floor(POINTS * 0.777);
const SPIKE = 1e9;
const T0 = 1_795_000_000_000;

let server = await startServer();
let call = server.call;

async function load(task, points, spikeAt) {
  const bodies = [];
  for (let first = 0; first < points; first += BATCH) {
    const lines = [];
    for (let i = first; i < Math.min(points, first + BATCH); i++) lines.push(sdkLine(task, 'loss', 'train', i, i === spikeAt ? SPIKE : valueOf(0, i), T0 + i * 10));
    bodies.push(lines.join('\n'));
  }
  for (const b of bodies) await call('events.add_batch', b, 'application/json-lines');
}

/** Runs `fn` once cold and `runs` times warm; answers the server and client times of the warm runs. */
async function measure(endpoint, fn, runs) {
  const before = server.serverMs.length;
  const client = [];
  let result;
  for (let i = 0; i <= runs; i++) {
    const r = await fn();
    if (i > 0) client.push(r.ms);
    result = r.data;
  }
  // The request log line is written when the reply is sent; give it a moment to arrive.
  await new Promise((r) => setTimeout(r, 200));
  const logged = server.serverMs.slice(before).filter((e) => e.endpoint === endpoint).map((e) => e.ms);
  const warm = logged.slice(1);
  return {
    result,
    report: {
      cold_server_ms: logged[0],
      server_ms: { median: median(warm), p95: pct(warm, 0.95), max: Math.max(...warm) },
      client_ms: { median: Number(median(client).toFixed(1)), p95: Number(pct(client, 0.95).toFixed(1)) },
    },
  };
}

try {
  const t0 = performance.now();
  const big = (await call('tasks.create', { name: 'long series', type: 'training' })).data.id;
  await load(big, POINTS, SPIKE_ITER);
  const compared = [];
  for (let t = 0; t < COMPARE; t++) {
    const id = (await call('tasks.create', { name: `compare ${t}`, type: 'training' })).data.id;
    await load(id, COMPARE_POINTS, -1);
    compared.push(id);
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  // A fresh server process on the same data: the first ("cold") read finds no SQLite cache.
  await server.stop();
  server = await startServer(server.dataDir);
  call = server.call;

  const one = await measure('events.get_scalar_series', () => call('events.get_scalar_series', { task: big, metric: 'loss', variant: 'train', buckets: BUCKETS }), RUNS);
  if (one.result.total_points !== POINTS || one.result.x.length > BUCKETS || !one.result.max.includes(SPIKE)) {
    throw new Error(`unexpected single-series answer: ${one.result.total_points} points, ${one.result.x.length} buckets`);
  }
  const zoom = await measure('events.get_scalar_series', () => call('events.get_scalar_series', {
    task: big, metric: 'loss', variant: 'train', buckets: BUCKETS, x_min: SPIKE_ITER - POINTS / 20, x_max: SPIKE_ITER + POINTS / 20,
  }), RUNS);
  const series = compared.map((task) => ({ task, metric: 'loss', variant: 'train' }));
  const multi = await measure('events.get_multi_scalar_series', () => call('events.get_multi_scalar_series', { series, buckets: BUCKETS }), Math.max(3, Math.floor(RUNS / 2)));
  if (multi.result.series.length !== COMPARE || multi.result.series.some((s) => s.total_points !== COMPARE_POINTS || s.x.length > BUCKETS)) {
    throw new Error('unexpected comparison answer');
  }
  const histogram = await measure('events.scalar_metrics_iter_histogram', () => call('events.scalar_metrics_iter_histogram', { task: big, key: 'iter' }), 5);

  console.log(JSON.stringify({
    load: `${POINTS + COMPARE * COMPARE_POINTS} events loaded in ${loadSeconds.toFixed(1)} s`,
    single_series: { points: POINTS, buckets_returned: one.result.x.length, spike_kept: true, ...one.report },
    single_series_zoom_10pct: { points_in_range: zoom.result.total_points, buckets_returned: zoom.result.x.length, ...zoom.report },
    comparison: { series: COMPARE, points_each: COMPARE_POINTS, buckets: BUCKETS, ...multi.report },
    sdk_histogram_default_samples: { points: POINTS, returned: histogram.result.loss.train.x.length, ...histogram.report },
  }, null, 1));
} finally {
  await server.stop();
  rmSync(server.dataDir, { recursive: true, force: true });
}
