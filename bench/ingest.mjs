// Ingest throughput of events.add_batch, from this (separate) client process over loopback.
// Usage: node bench/ingest.mjs [--events 10000000] [--batch 10000] [--tasks 10] [--series 10]
//                              [--concurrency 2] [--verify full|counts]
// Sends scalar events in the clearml SDK's exact line format, `batch` lines per request,
// `concurrency` requests in flight, then checks that every event reads back: the task
// documents (last_iteration, last_metrics count and last value) and, with --verify full,
// every single event through events.get_task_events.
import { readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { arg, median, pct, sdkLine, startServer, valueOf } from './events-lib.mjs';

const EVENTS = Number(arg('events', 10_000_000));
const BATCH = Number(arg('batch', 10_000));
const TASKS = Number(arg('tasks', 10));
const SERIES = Number(arg('series', 10));
const CONCURRENCY = Number(arg('concurrency', 2));
const VERIFY = arg('verify', 'full');

const perTask = EVENTS / TASKS;
const perSeries = perTask / SERIES;
const itersPerBatch = BATCH / SERIES;
if (!Number.isInteger(perSeries) || !Number.isInteger(itersPerBatch) || !Number.isInteger(perSeries / itersPerBatch)) {
  throw new Error('events must split evenly into tasks × series × whole batches');
}
const metricOf = (s) => `metric${Math.floor(s / 2)}`;
const variantOf = (s) => `variant${s % 2}`;
const T0 = 1_795_000_000_000;

/** Server process CPU seconds so far (user + system). */
function serverCpu(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function dirBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

/** Batch k: task k mod TASKS, iterations of block ⌊k / TASKS⌋, every series per iteration (as the SDK reports). */
function body(tasks, k) {
  const t = k % TASKS;
  const first = Math.floor(k / TASKS) * itersPerBatch;
  const lines = new Array(BATCH);
  let n = 0;
  for (let iter = first; iter < first + itersPerBatch; iter++) {
    for (let s = 0; s < SERIES; s++) lines[n++] = sdkLine(tasks[t], metricOf(s), variantOf(s), iter, valueOf(s, iter), T0 + iter * 10);
  }
  return lines.join('\n');
}

const server = await startServer();
const { call } = server;
try {
  const tasks = [];
  for (let t = 0; t < TASKS; t++) tasks.push((await call('tasks.create', { name: `ingest bench ${t}`, type: 'training' })).data.id);

  const batches = EVENTS / BATCH;
  const latencies = [];
  let next = 0;
  const cpu0 = serverCpu(server.child.pid);
  const clientCpu0 = process.cpuUsage();
  const t0 = performance.now();
  async function worker() {
    while (next < batches) {
      const k = next++;
      const r = await call('events.add_batch', body(tasks, k), 'application/json-lines');
      if (r.data.added !== BATCH || r.data.errors !== 0) throw new Error(`batch ${k}: ${JSON.stringify(r.data)}`);
      latencies.push(r.ms);
      if (k % 100 === 99) process.stderr.write(`  ${(k + 1) * BATCH} events, ${Math.round(((k + 1) * BATCH) / ((performance.now() - t0) / 1000))} events/s\n`);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const serverCpuS = serverCpu(server.child.pid) - cpu0;
  const clientCpu = process.cpuUsage(clientCpu0);
  const serverAdd = server.serverMs.filter((e) => e.endpoint === 'events.add_batch').map((e) => e.ms);

  // Read-back: task documents first.
  for (const [t, id] of tasks.entries()) {
    const task = (await call('tasks.get_by_id', { task: id })).data.task;
    if (task.last_iteration !== perSeries - 1) throw new Error(`task ${t}: last_iteration ${task.last_iteration}`);
    const entries = Object.values(task.last_metrics).flatMap((v) => Object.values(v));
    if (entries.length !== SERIES) throw new Error(`task ${t}: ${entries.length} last_metrics entries`);
    for (let s = 0; s < SERIES; s++) {
      const e = entries.find((x) => x.metric === metricOf(s) && x.variant === variantOf(s));
      if (!e || e.count !== perSeries || e.value !== valueOf(s, perSeries - 1)) throw new Error(`task ${t} series ${s}: ${JSON.stringify(e)}`);
    }
  }
  let readEvents = 0;
  let readSeconds = 0;
  if (VERIFY === 'full') {
    const r0 = performance.now();
    for (const id of tasks) {
      const seen = Array.from({ length: SERIES }, () => 0);
      let scroll;
      for (;;) {
        const { data } = await call('events.get_task_events', { task: id, event_type: 'training_stats_scalar', batch_size: 10_000, scroll_id: scroll });
        if (data.total !== perTask) throw new Error(`total ${data.total}`);
        for (const e of data.events) {
          const s = Number(e.variant.slice(7)) + 2 * Number(e.metric.slice(6));
          if (e.iter !== seen[s] || e.value !== valueOf(s, e.iter) || e.timestamp !== T0 + e.iter * 10) throw new Error(`bad event ${JSON.stringify(e)}`);
          seen[s]++;
        }
        readEvents += data.returned;
        scroll = data.scroll_id;
        if (data.returned < 10_000) break;
      }
      if (seen.some((n) => n !== perSeries)) throw new Error(`series counts ${seen}`);
    }
    readSeconds = (performance.now() - r0) / 1000;
    if (readEvents !== EVENTS) throw new Error(`read back ${readEvents} of ${EVENTS} events`);
  } else {
    for (const id of tasks) {
      const total = (await call('events.get_task_events', { task: id, event_type: 'training_stats_scalar', batch_size: 1 })).data.total;
      if (total !== perTask) throw new Error(`total ${total}`);
      readEvents += total;
    }
  }

  console.log(JSON.stringify({
    events: EVENTS, batch: BATCH, tasks: TASKS, series_per_task: SERIES, concurrency: CONCURRENCY,
    seconds: Number(seconds.toFixed(2)),
    events_per_s: Math.round(EVENTS / seconds),
    batch_latency_ms: { median: Number(median(latencies).toFixed(1)), p95: Number(pct(latencies, 0.95).toFixed(1)), max: Number(Math.max(...latencies).toFixed(1)) },
    server_ms_per_batch: { median: median(serverAdd), p95: pct(serverAdd, 0.95) },
    server_cpu_s: Number(serverCpuS.toFixed(1)),
    client_cpu_s: Number(((clientCpu.user + clientCpu.system) / 1e6).toFixed(1)),
    verified: VERIFY === 'full' ? `all ${readEvents} events read back and compared in ${readSeconds.toFixed(1)} s` : `totals = ${readEvents}`,
    data_dir_mb: Math.round(dirBytes(server.dataDir) / 2 ** 20),
  }, null, 1));
} finally {
  await server.stop();
  rmSync(server.dataDir, { recursive: true, force: true });
}
