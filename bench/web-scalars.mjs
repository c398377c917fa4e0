// The experiment page's Scalars tab with 50 series of 100,000 points each: time until
// every chart is drawn with its data (from the tab click, and from navigation), and the
// redraw after a drag-zoom (the immediate one on the data already held, and the one
// with the range re-fetched at full resolution). Times are taken in the page:
// performance.now() from the action to the chart's draw (the chart counts its draws with
// data in `data-drawn`).
// Usage: node bench/web-scalars.mjs [--metrics 50] [--variants 1] [--points 100000] [--zooms 5]
import { ACCESS_KEY, ADMIN_PASSWORD, SECRET_KEY, checkPrerequisites, launchBrowser, startServer } from '../tests/web/harness.mjs';
import { loadavg } from 'node:os';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const METRICS = Number(arg('metrics', '50'));
const VARIANTS = Number(arg('variants', '1'));
const POINTS = Number(arg('points', '100000'));
const ZOOMS = Number(arg('zooms', '5'));
const BATCH = 10_000;

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

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const round = (ms) => Math.round(ms * 10) / 10;

const report = { series: METRICS * VARIANTS, charts: METRICS, points_per_series: POINTS, load_before: loadavg().map((l) => round(l)), setup: {}, browser: {} };
const task = (await call('tasks.create', { name: 'bench scalars', type: 'training' })).id;
await call('tasks.started', { task });

// Points go in iteration order across all series, as a training loop reports them, with a
// timestamp 100 ms apart per iteration and a spike now and then (it must survive downsampling).
let t0 = performance.now();
const start = Date.now() - POINTS * 100;
let lines = [];
const pending = [];
for (let it = 0; it < POINTS; it++) {
  for (let m = 0; m < METRICS; m++) {
    for (let v = 0; v < VARIANTS; v++) {
      const value = Math.exp(-it / (POINTS / 4)) * (1 + m / 10) + 0.02 * Math.sin(it / 50 + v) + (it % 9973 === 0 ? 0.5 : 0);
      lines.push(`{"type":"training_stats_scalar","task":"${task}","metric":"metric ${String(m).padStart(2, '0')}","variant":"v${v}","iter":${it},"value":${value},"timestamp":${start + it * 100}}`);
    }
  }
  if (lines.length >= BATCH) {
    pending.push(call('events.add_batch', lines.join('\n'), 'application/json-lines'));
    lines = [];
    if (pending.length >= 2) await pending.shift();
  }
}
if (lines.length) pending.push(call('events.add_batch', lines.join('\n'), 'application/json-lines'));
await Promise.all(pending);
report.setup.ingest_s = round((performance.now() - t0) / 1000);
process.stderr.write(`loaded ${report.series} series × ${POINTS} points in ${report.setup.ingest_s} s\n`);

const browser = await launchBrowser();
const page = browser.context.pages()[0] ?? (await browser.context.newPage());
await page.goto(`${server.web}/signin`);
await page.getByLabel('User name').fill('admin');
await page.getByLabel('Password').fill(ADMIN_PASSWORD);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL(/\/projects$/);

/** Resolves in the page, with performance.now(), once all `charts` charts have drawn their data. */
const allDrawnAt = (charts) => page.evaluate((n) => new Promise((resolve) => {
  const check = () => {
    const figs = document.querySelectorAll('figure[data-metric]');
    if (figs.length === n && [...figs].every((f) => Number(f.dataset.drawn ?? 0) >= 1)) resolve(performance.now());
    else requestAnimationFrame(check);
  };
  check();
}), charts);

// Navigation → every chart drawn, app start included. On the first visit the page's own
// chunk is not cached yet (the shell is, from signing in); on the second it is.
for (const visit of ['first', 'second']) {
  await page.goto(`${server.web}/experiments/${task}?tab=scalars`);
  report.browser[`navigation_to_all_drawn_${visit}_visit_ms`] = round(await allDrawnAt(METRICS));
}

// Tab click → every chart drawn: the page is open on another tab, the Scalars tab's code is cached.
const clicks = [];
for (let r = 0; r < 3; r++) {
  await page.goto(`${server.web}/experiments/${task}?tab=info`);
  await page.getByRole('tab', { name: 'Info', selected: true }).waitFor();
  await page.locator('[data-field="ID"]').waitFor();
  const clicked = await page.evaluate(() => {
    const tab = [...document.querySelectorAll('[role=tab]')].find((b) => b.textContent === 'Scalars');
    const at = performance.now();
    tab.click();
    return at;
  });
  clicks.push((await allDrawnAt(METRICS)) - clicked);
}
report.browser.tab_click_to_all_drawn_ms = { median: round(median(clicks)), all: clicks.map(round) };

// Drag-zoom on the first chart over 30 % of its width, then back out, ZOOMS times.
const figure = page.locator('figure[data-metric]').first();
const first = [];
const fine = [];
for (let r = 0; r < ZOOMS; r++) {
  await page.evaluate(() => {
    const fig = document.querySelector('figure[data-metric]');
    window.benchObserver?.disconnect();
    window.benchDraws = [];
    window.benchUp = 0;
    window.addEventListener('mouseup', () => (window.benchUp = performance.now()), { capture: true, once: true });
    window.benchObserver = new MutationObserver(() => window.benchDraws.push(performance.now()));
    window.benchObserver.observe(fig, { attributes: true, attributeFilter: ['data-drawn'] });
  });
  const box = await figure.locator('.u-over').boundingBox();
  const y = box.y + box.height / 2;
  const from = 0.2 + 0.1 * r / ZOOMS;
  await page.mouse.move(box.x + box.width * from, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * (from + 0.3), y, { steps: 4 });
  await page.mouse.up();
  // The immediate redraw, then the one with the fetched range.
  const draws = await page.waitForFunction(() => (window.benchDraws.length >= 2 ? window.benchDraws.map((t) => t - window.benchUp) : null)).then((h) => h.jsonValue());
  first.push(draws[0]);
  fine.push(draws[1]);
  await figure.getByRole('button', { name: 'Reset zoom' }).click();
  await figure.locator('[data-zoom]').waitFor({ state: 'detached' });
  await page.waitForTimeout(300);
}
report.browser.zoom_redraw_ms = { median: round(median(first)), all: first.map(round) };
report.browser.zoom_full_resolution_redraw_ms = { median: round(median(fine)), all: fine.map(round) };
report.load_after = loadavg().map((l) => round(l));

console.log(JSON.stringify(report, null, 2));
await browser.close();
await server.stop();
