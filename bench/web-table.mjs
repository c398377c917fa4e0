// The experiments table with 10,000 experiments, each with 10 hyperparameters and 10
// reported metrics, all 20 shown as columns: time from navigation to the first rows,
// to re-sorted rows after a click on a metric header, to filtered rows after a status
// filter and a search, and to the next page while scrolling. Times are measured in
// the page (performance.now from the triggering action to the rows in the DOM).
// Usage: node bench/web-table.mjs [--tasks 10000]
import { ACCESS_KEY, ADMIN_PASSWORD, SECRET_KEY, checkPrerequisites, launchBrowser, startServer } from '../tests/web/harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const TASKS = Number(arg('tasks', '10000'));
const PARAMS = 10;
const METRICS = 10;
const STATUSES = ['completed', 'completed', 'failed', 'stopped', 'in_progress', 'created'];

checkPrerequisites();
const server = await startServer();
const login = await fetch(`${server.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${ACCESS_KEY}:${SECRET_KEY}`).toString('base64')}` } });
const token = (await login.json()).data.token;

async function call(endpoint, body, contentType = 'application/json') {
  const res = await fetch(`${server.api}/${endpoint}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const j = await res.json();
  if (j.meta.result_code !== 200) throw new Error(`${endpoint}: ${j.meta.result_msg}`);
  return j.data;
}

async function inParallel(n, count, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < count) await fn(next++);
  }));
}

const report = { tasks: TASKS, columns: PARAMS + METRICS, setup: {}, browser: {}, api: {} };
const project = (await call('projects.create', { name: 'bench table' })).id;
let t0 = performance.now();
const ids = new Array(TASKS);
await inParallel(8, TASKS, async (i) => {
  const hyperparams = { Args: Object.fromEntries(Array.from({ length: PARAMS }, (_, p) => [`p${p}`, { section: 'Args', name: `p${p}`, value: String((i * (p + 3)) % 97) }])) };
  ids[i] = (await call('tasks.create', { name: `run ${String(i).padStart(5, '0')}`, project, type: 'training', hyperparams, tags: i % 10 === 0 ? ['tenth'] : [] })).id;
  const status = STATUSES[i % STATUSES.length];
  if (status !== 'created') await call('tasks.started', { task: ids[i] });
  if (status === 'completed') await call('tasks.completed', { task: ids[i] });
  if (status === 'failed') await call('tasks.failed', { task: ids[i], force: true });
  if (status === 'stopped') await call('tasks.stopped', { task: ids[i], force: true });
});
report.setup.create_s = Math.round(performance.now() - t0) / 1000;
t0 = performance.now();
const lines = [];
const flush = async () => {
  if (lines.length) await call('events.add_batch', lines.splice(0).join('\n'), 'application/json-lines');
};
for (let i = 0; i < TASKS; i++) {
  for (let m = 0; m < METRICS; m++) {
    lines.push(JSON.stringify({ type: 'training_stats_scalar', task: ids[i], metric: `m${m}`, variant: 'val', iter: 10, value: ((i * 7919 + m * 104729) % 10007) / 10007, timestamp: Date.now() }));
  }
  if (lines.length >= 5000) await flush();
}
await flush();
report.setup.metrics_s = Math.round(performance.now() - t0) / 1000;
process.stderr.write(`created ${TASKS} experiments in ${report.setup.create_s} s, their metrics in ${report.setup.metrics_s} s\n`);

const cols = [...Array.from({ length: PARAMS }, (_, p) => `p.Args.p${p}`), ...Array.from({ length: METRICS }, (_, m) => `m.m${m}.val`)].join(',');
const view = `/experiments?project=${project}&cols=${encodeURIComponent(cols)}`;

// What the server alone takes for the table's first page, for comparison.
const { metrics } = await call('projects.get_unique_metric_variants', { project });
const m0 = metrics.find((m) => m.metric === 'm0');
const onlyFields = ['id', 'name', 'status', 'type', 'user', 'tags', 'started', 'active_duration', 'completed', 'last_update', 'last_iteration',
  ...Array.from({ length: PARAMS }, (_, p) => `hyperparams.Args.p${p}.value`), ...metrics.map((m) => `last_metrics.${m.metric_hash}.${m.variant_hash}.value`)];
for (const [name, extra] of [['first_page', { order_by: ['-started', '-created'] }], ['sorted_by_metric', { order_by: [`-last_metrics.${m0.metric_hash}.${m0.variant_hash}.value`] }], ['status_filter', { status: ['failed'] }]]) {
  const times = [];
  for (let r = 0; r < 5; r++) {
    const s = performance.now();
    await call('tasks.get_all_ex', { project: [project], only_fields: onlyFields, system_tags: ['-archived'], page: 0, page_size: 100, ...extra });
    times.push(performance.now() - s);
  }
  report.api[`${name}_ms_median`] = Math.round(times.sort((a, b) => a - b)[2]);
}

const browser = await launchBrowser();
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${server.web}/signin`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/projects/);

  /** Runs `action` in the page and answers the ms until `done()` holds in the page (60 s at most). */
  const timed = async (label, action, done) => {
    const ms = await page.evaluate(([a, d]) => new Promise((resolve, reject) => {
      const start = performance.now();
      const check = () => {
        if (new Function(`return (${d})()`)()) resolve(performance.now() - start);
        else if (performance.now() - start > 60_000) reject(new Error('not done after 60 s'));
        else requestAnimationFrame(check);
      };
      new Function(`return (${a})()`)();
      requestAnimationFrame(check);
    }), [action.toString(), done.toString()]).catch((err) => {
      throw new Error(`${label}: ${err.message}`);
    });
    process.stderr.write(`${label}: ${Math.round(ms)} ms\n`);
    return Math.round(ms);
  };

  report.browser.first_rows_after_navigation_ms = (await timed('first rows',
    new Function(`history.pushState(null, '', ${JSON.stringify(view)}); dispatchEvent(new PopStateEvent('popstate'));`),
    () => document.querySelectorAll('.grid-row[data-id] [data-column="m.m9.val"]').length > 0 && document.querySelector('.grid-row[data-id] [data-column="m.m9.val"]').textContent !== '',
  ));
  report.browser.rows_in_dom = await page.locator('.grid-row[data-id]').count();

  const m0Path = `last_metrics.${m0.metric_hash}.${m0.variant_hash}.value`;
  const firstOf = async (extra) => (await call('tasks.get_all_ex', { project: [project], only_fields: ['name'], system_tags: ['-archived'], page: 0, page_size: 1, ...extra })).tasks[0].name;
  const sortedFirst = await firstOf({ order_by: [m0Path, '-created'] });
  report.browser.sort_by_metric_ms = (await timed('sort',
    () => document.querySelector('[role="columnheader"][data-column="m.m0.val"] .sort-button').click(),
    new Function(`return document.querySelector('.grid-row[data-id] [data-column="name"]')?.textContent === ${JSON.stringify(sortedFirst)}`),
  ));

  const scrollTimes = [];
  for (let p = 1; p <= 4; p++) {
    const shown = parseInt(await page.locator('[data-count]').innerText(), 10);
    scrollTimes.push(await timed(`next page after ${shown} rows`,
      () => { const box = document.querySelector('.grid-box'); box.scrollTop = box.scrollHeight; },
      new Function(`return parseInt(document.querySelector('[data-count]').textContent, 10) > ${shown}`),
    ));
  }
  report.browser.next_page_while_scrolling_ms = scrollTimes;

  await page.getByRole('button', { name: 'Filter Status' }).click();
  const failedFirst = await firstOf({ order_by: [m0Path, '-created'], status: ['failed'] });
  report.browser.status_filter_ms = (await timed('status filter',
    () => [...document.querySelectorAll('[aria-label="Status filter"] label')].find((l) => l.textContent === 'Failed').click(),
    new Function(`return document.querySelector('.grid-row[data-id] [data-column="name"]')?.textContent === ${JSON.stringify(failedFirst)}`),
  ));
  await page.keyboard.press('Escape');
  // One failed experiment by its exact name: the search leaves exactly one row.
  await page.evaluate((name) => { window.__searchFor = name; }, failedFirst);
  report.browser.search_ms = (await timed('search',
    () => {
      const input = document.querySelector('input[aria-label="Search experiments"]');
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, window.__searchFor);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    () => document.querySelectorAll('.grid-row[data-id]').length === 1,
  ));
  report.browser.search_note = 'includes the 300 ms typing pause before the search is sent';
} finally {
  await browser.close();
  await server.stop();
}
console.log(JSON.stringify(report, null, 2));
