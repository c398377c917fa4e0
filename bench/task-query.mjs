// tasks.get_all over many tasks, through the API, as the experiments table and the SDK
// ask it: filters, a sort and one page. The tasks are loaded straight into the store's
// tables (the same documents the server writes, in bulk, which the API has no call
// for), then the server is started on them and each query is timed from this client.
// Usage: node bench/task-query.mjs [--tasks 1000000] [--runs 15] [--postgres | --database URL]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { arg, median, pct, startServer } from './events-lib.mjs';

const TASKS = Number(arg('tasks', 1_000_000));
const RUNS = Number(arg('runs', 15));
const BATCH = 5000;
const PROJECTS = 20;
const LRS = ['0.1', '0.05', '0.02', '0.01', '0.005', '0.002', '0.001', '0.0005', '0.0002', '0.0001'];
const STATUSES = [['completed', 0.5], ['failed', 0.1], ['stopped', 0.1], ['published', 0.1], ['created', 0.1], ['queued', 0.05], ['in_progress', 0.05]];
// the SDK names last_metrics entries by the md5 of the metric and variant names
const LOSS = ['a2c8b0d0f1b3b4a6a9d1a0c2e4f6a8b0', 'c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6'];
const ACC = ['0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a', 'f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1'];

// mulberry32: a fixed seed, so that every run loads the same tasks
let seed = 12345;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
function status() {
  let r = rand();
  for (const [s, p] of STATUSES) if ((r -= p) < 0) return s;
  return 'completed';
}
const projectIds = Array.from({ length: PROJECTS }, () => hex(32));
/** One task in 10,000 goes to a small project: a selective filter the metric index's window does not find its page in. */
const smallProject = hex(32);
const T0 = Date.UTC(2025, 0, 1);

/** A task document as the server keeps one after a training run reported through the SDK. */
function task(i) {
  const created = new Date(T0 + Math.floor(rand() * 365 * 86400_000)).toISOString().replace('Z', '000+00:00');
  const loss = Math.round(rand() * 1e6) / 1e6;
  const acc = Math.round(rand() * 1e6) / 1e6;
  const param = (name, value, type) => ({ section: 'Args', name, value, type, description: '' });
  const s = status();
  return {
    id: hex(24) + i.toString(16).padStart(8, '0'), name: `train run ${i}`, user: 'c0ffee00c0ffee00c0ffee00c0ffee00', company: '', project: i % 10_000 === 0 ? smallProject : pick(projectIds), type: 'training',
    status: s, status_reason: '', status_message: '', comment: '', tags: rand() < 0.1 ? ['best'] : [], system_tags: rand() < 0.05 ? ['archived'] : [],
    created, started: created, completed: created, last_update: created, last_change: created, status_changed: created,
    script: { repository: 'https://github.com/example/train.git', branch: 'main', version_num: hex(40), entry_point: 'train.py', working_dir: '.', requirements: { pip: 'torch==2.5.1\nnumpy==2.1.0\n' } },
    hyperparams: {
      Args: { lr: param('lr', pick(LRS), 'float'), batch_size: param('batch_size', pick(['32', '64', '128']), 'int'), epochs: param('epochs', '10', 'int'), optimizer: param('optimizer', pick(['adam', 'sgd']), 'str') },
    },
    configuration: {},
    execution: { queue: null, parameters: {}, model_desc: {}, artifacts: [], docker_cmd: null },
    runtime: {},
    models: { input: [], output: [] },
    container: {},
    last_iteration: 1000,
    last_metrics: {
      [LOSS[0]]: { [LOSS[1]]: { metric: 'loss', variant: 'val', value: loss, min_value: loss, max_value: loss + 1, min_value_iteration: 1000, max_value_iteration: 0 } },
      [ACC[0]]: { [ACC[1]]: { metric: 'accuracy', variant: 'val', value: acc, min_value: 0, max_value: acc, min_value_iteration: 0, max_value_iteration: 1000 } },
    },
    active_duration: 3600,
  };
}

async function loadPostgres(url) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  // The GIN index is built once after the load (as a restore does), not row by row.
  const { rows } = await c.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'tasks' AND indexname = 'tasks_doc'`);
  await c.query('DROP INDEX IF EXISTS tasks_doc');
  for (let i = 0; i < TASKS; i += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, TASKS - i) }, (_, k) => task(i + k));
    await c.query('INSERT INTO tasks (id, project, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])',
      [docs.map((d) => d.id), docs.map((d) => d.project), docs.map((d) => JSON.stringify(d))]);
  }
  if (rows[0]) await c.query(rows[0].indexdef);
  await c.query('VACUUM ANALYZE');
  const { rows: size } = await c.query(`SELECT pg_size_pretty(pg_total_relation_size('tasks')) AS s`);
  await c.end();
  return size[0].s;
}

async function loadSqlite(dataDir) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'cairn.sqlite'));
  const insert = db.prepare('INSERT INTO tasks (id, project, doc) VALUES (?, ?, ?)');
  for (let i = 0; i < TASKS; i += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, TASKS - i) }, (_, k) => task(i + k));
    db.transaction(() => docs.forEach((d) => insert.run(d.id, d.project, JSON.stringify(d))))();
  }
  db.exec('ANALYZE');
  db.close();
}

const metric = (field) => `last_metrics.${LOSS[0]}.${LOSS[1]}.${field}`;
const UI_FIELDS = ['id', 'name', 'status', 'tags', 'type', 'user', 'created', 'started', 'last_update', 'last_iteration', 'project', 'hyperparams.Args.lr', `last_metrics.${LOSS[0]}.${LOSS[1]}`];
const QUERIES = [
  ['status + hyper-parameter + metric range, by the metric (the issue\'s query)', {
    status: ['completed'], 'hyperparams.Args.lr.value': '0.001', [metric('value')]: [0.1, 0.5], order_by: [metric('value')],
    system_tags: ['-archived'], only_fields: UI_FIELDS, page: 0, page_size: 50,
  }],
  ['same, best first (descending)', {
    status: ['completed'], 'hyperparams.Args.lr.value': '0.001', [metric('value')]: [0.1, 0.5], order_by: [`-${metric('value')}`],
    system_tags: ['-archived'], only_fields: UI_FIELDS, page: 0, page_size: 50,
  }],
  ['status + metric range, by the metric (no hyper-parameter)', {
    status: ['completed'], [metric('value')]: [0.1, 0.5], order_by: [metric('value')], only_fields: UI_FIELDS, page: 0, page_size: 50,
  }],
  ['the experiments table: one project, newest first', {
    project: [projectIds[0]], system_tags: ['-archived'], order_by: ['-created'], only_fields: UI_FIELDS, page: 0, page_size: 50,
  }],
  ['the experiments table: one project, page 5', {
    project: [projectIds[0]], system_tags: ['-archived'], order_by: ['-created'], only_fields: UI_FIELDS, page: 5, page_size: 50,
  }],
  ['a small project (1 task in 10,000), by the metric', {
    project: [smallProject], order_by: [`-${metric('value')}`], only_fields: UI_FIELDS, page: 0, page_size: 50,
  }],
  ['one project by name: ordered in memory (names may read as numbers)', {
    project: [projectIds[0]], system_tags: ['-archived'], order_by: ['name'], only_fields: UI_FIELDS, page: 0, page_size: 50,
  }],
];

const srv = await startServer();
await srv.stop();
const label = srv.child.spawnargs.includes('--database') ? 'PostgreSQL' : 'SQLite';
const t0 = performance.now();
const size = label === 'PostgreSQL' ? await loadPostgres(srv.child.spawnargs[srv.child.spawnargs.indexOf('--database') + 1]) : (await loadSqlite(srv.dataDir), null);
console.log(`${label}: ${TASKS.toLocaleString('en')} tasks loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s${size ? ` (tasks table with indexes: ${size})` : ''}`);

const server = await startServer(srv.dataDir);
try {
  console.log(`\n${RUNS} runs each after one warm-up; client-side latency\n`);
  console.log('| query | answered | median | p95 |\n|---|---|---|---|');
  for (const [name, body] of QUERIES) {
    const ms = [];
    let answered = 0;
    for (let r = 0; r <= RUNS; r++) {
      const { data, ms: took } = await server.call('tasks.get_all_ex', body);
      answered = data.tasks.length;
      if (r > 0) ms.push(took);
    }
    console.log(`| ${name} | ${answered} | ${median(ms).toFixed(1)} ms | ${pct(ms, 0.95).toFixed(1)} ms |`);
  }
} finally {
  await server.stop();
  rmSync(srv.dataDir, { recursive: true, force: true });
}
