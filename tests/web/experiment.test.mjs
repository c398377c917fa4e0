/**
 * The experiment page as a user meets it, in real headless Chromium against a real server
 * whose data the clearml SDK made: every tab of a finished experiment (code, parameters,
 * artifacts, models, console, scalar charts, Plotly figures, tables, debug images), the
 * actions (clone into an editable draft, enqueue, abort, reset, archive, delete), and a
 * running experiment that updates without a reload and is aborted from the page.
 * Screenshots go to the "experiment" folder under the web tests' screenshot folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import {
  ACCESS_KEY, ADMIN_PASSWORD, checkPrerequisites, launchBrowser, runSdk, SECRET_KEY, startServer, callApi, until,
} from './harness.mjs';

const SEEDED_PROJECT = 'Experiment Page';
const HERE = new URL('.', import.meta.url).pathname;
let server;
let browser;
let page;
let shots;
let token;
let seeded;
let step = 0;

async function shot(name) {
  await page.screenshot({ path: join(shots, `exp-${String(++step).padStart(2, '0')}-${name}.png`) });
}

/** Reads until the value equals `expected`, then asserts on the last reading. */
async function eventually(read, expected, ms = 20_000) {
  const deadline = Date.now() + ms;
  let got = await read().catch((err) => `unreadable: ${err.message}`);
  while (!isDeepStrictEqual(got, expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    got = await read().catch((err) => `unreadable: ${err.message}`);
  }
  assert.deepEqual(got, expected);
}

const api = (endpoint, body) => callApi(server.api, token, endpoint, body);

const taskDoc = async (id) => (await api('tasks.get_by_id', { task: id })).task;

const openTab = async (name) => {
  await page.getByRole('tab', { name }).click();
  await eventually(() => page.getByRole('tab', { name, selected: true }).count(), 1);
};

const field = (label) => page.locator(`[data-field="${label}"] dd`);
const status = () => page.locator('.exp-title .status').innerText();

/** How many pixels of a chart's canvas are (nearly) the given colour: its line was drawn. */
function pixelsOf(metric, hex) {
  return page.evaluate(([m, h]) => {
    const canvas = document.querySelector(`figure[data-metric="${m}"] canvas`);
    const want = [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - want[0]) + Math.abs(data[i + 1] - want[1]) + Math.abs(data[i + 2] - want[2]) < 40 && data[i + 3] > 200) n++;
    }
    return n;
  }, [metric, hex]);
}

before(async () => {
  checkPrerequisites();
  // A folder of its own: the harness's screenshotDir() empties the shared one.
  shots = join(process.env.WEB_SCREENSHOTS ?? join(HERE, '.screenshots'), 'experiment');
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  console.log(`experiment page tests: screenshots in ${shots}`);
  server = await startServer();
  const run = await runSdk(server, join(HERE, 'experiment-seed.py'));
  assert.equal(run.code, 0, `seeding through the clearml SDK failed:\n${run.stdout}\n${run.stderr}`);
  seeded = JSON.parse(run.stdout.trim().split('\n').pop());
  // The link the SDK prints for every run.
  seeded.resultsPage = run.stdout.match(/ClearML results page: (\S+)/)[1];
  const login = await fetch(`${server.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${ACCESS_KEY}:${SECRET_KEY}`).toString('base64')}` } });
  token = (await login.json()).data.token;
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${server.web}/signin`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/projects$/);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the experiments table links to the experiment page, which shows its code and parameters', async () => {
  await page.goto(`${server.web}/experiments`);
  // Across all projects each row says which project it belongs to, linked to that project's table.
  const row = page.locator('.grid-row[data-id]', { has: page.locator('[data-column="name"] a', { hasText: 'page walkthrough' }) });
  await row.waitFor();
  const projectCell = row.locator('[data-column="project"] a');
  assert.equal(await projectCell.innerText(), SEEDED_PROJECT);
  assert.match(await projectCell.getAttribute('href'), /^\/experiments\?project=[0-9a-f]{32}$/);
  await row.locator('[data-column="name"] a').click();
  await page.waitForURL(new RegExp(`/experiments/${seeded.task}$`));
  await eventually(() => page.locator('.exp-title h1').innerText(), 'page walkthrough');
  // the breadcrumb ends at the project, without a dangling separator
  await eventually(async () => (await page.locator('.crumbs').innerText()).split('\n').map((x) => x.trim()).filter(Boolean), ['Projects', '/', SEEDED_PROJECT]);
  assert.equal(await status(), 'Completed');
  assert.equal(await page.locator('[data-last-iteration]').innerText(), 'Iteration 99');

  assert.equal(await field('Entry point').innerText(), 'experiment-seed.py');
  assert.match(await page.getByRole('region', { name: 'Uncommitted changes' }).locator('pre').innerText(), /task\.connect_configuration\(/);
  await shot('execution');

  await openTab('Configuration');
  assert.equal(await page.locator('[data-param="General/lr"] .param-value').innerText(), String(seeded.lr));
  assert.equal(await page.locator('[data-param="General/optimizer"] .param-value').innerText(), 'adam');
  assert.equal(await page.getByLabel('Configuration model config').innerText(), 'layers = [64, 32]\ndropout = 0.25');
  // A finished experiment is read-only.
  assert.equal(await page.getByRole('button', { name: 'Edit General' }).count(), 0);
  await shot('configuration');
});

test('artifacts come with a preview and a download link that returns the stored bytes; models link to their page', async () => {
  await openTab('Artifacts');
  const card = page.locator('[data-artifact="metrics summary"]');
  await card.waitFor();
  assert.match(await card.locator('.artifact-head').innerText(), /metrics summary\s+dict\s+48 B/);
  assert.match(await card.getByLabel('Preview of metrics summary').innerText(), /"best_accuracy": 0\.95/);
  const href = await card.getByRole('link', { name: 'Download metrics summary' }).getAttribute('href');
  const res = await fetch(href);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { best_accuracy: 0.95, epochs: 100 });
  await shot('artifacts');

  await openTab('Models');
  const modelId = (await taskDoc(seeded.task)).models.output[0].model;
  const link = page.getByRole('link', { name: 'demo model' });
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), `/models/${modelId}`);
  assert.match(await page.locator(`tr[data-model="${modelId}"]`).innerText(), /demo model\s+weights\s+PyTorch/);

  await openTab('Info');
  assert.equal(await field('ID').innerText(), seeded.task);
  await eventually(() => field('User').innerText(), 'admin');
  assert.equal(await field('Project').innerText(), 'Experiment Page');
  assert.equal(await field('Status reason').innerText(), 'completed');
});

test('the results page link the SDK printed opens the console, which filters and downloads what the script printed', async () => {
  await page.goto(seeded.resultsPage);
  await eventually(() => page.getByRole('tab', { name: 'Console', selected: true }).count(), 1);
  const log = page.getByRole('log', { name: 'Console output' });
  await eventually(async () => (await log.innerText()).includes('training finished: best accuracy 0.95'), true);
  await page.getByLabel('Search the console').fill('epoch 50');
  await eventually(() => log.locator('.console-text').allInnerTexts(), ['epoch 50 done, loss 0.3778']);
  assert.match(await page.locator('.console-bar').innerText(), /1 of \d+ lines match/);
  await shot('console-search');
  await page.getByLabel('Search the console').fill('');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /epoch 25 done, loss 0\.8692\n/);
  assert.match(text, /training finished: best accuracy 0\.95\n$/);
});

test('scalars: one chart per metric with its variants drawn; legend hides a series; drag zooms; axes and log scale switch', async () => {
  await openTab('Scalars');
  const charts = page.locator('figure[data-metric]');
  await eventually(() => page.locator('.chart-grid').first().locator('figure[data-metric]').evaluateAll((els) => els.map((e) => e.dataset.metric)), ['accuracy', 'loss']);
  // The resource monitor's series in their own group; a single value in the summary table, not as a chart.
  assert.deepEqual(await page.locator('.monitor-group figure[data-metric]').evaluateAll((els) => els.map((e) => e.dataset.metric)), [':monitor:machine']);
  assert.deepEqual(await page.getByRole('region', { name: 'Summary values' }).locator('tr').allInnerTexts(), ['best accuracy\t0.95']);
  assert.equal(await charts.count(), 3);
  const legend = page.getByRole('list', { name: 'Legend of loss' });
  assert.deepEqual(await legend.locator('.legend-name').allInnerTexts(), ['train', 'validation']);
  assert.deepEqual(await page.getByRole('list', { name: 'Legend of accuracy' }).locator('.legend-name').allInnerTexts(), ['val']);

  // The first variant is blue, the second orange (scalars/colors.ts).
  await until(() => pixelsOf('loss', '#e8590c'), (n) => n > 100, 'the validation line is drawn');
  assert.ok(await pixelsOf('loss', '#2f6fed') > 100, 'the train line is drawn');
  assert.ok(await pixelsOf('accuracy', '#2f6fed') > 100, 'the accuracy line is drawn');
  await shot('scalars');

  await legend.getByRole('button', { name: 'validation' }).click();
  assert.equal(await legend.getByRole('button', { name: 'validation' }).getAttribute('aria-pressed'), 'false');
  await until(() => pixelsOf('loss', '#e8590c'), (n) => n === 0, 'the hidden validation line is gone');
  assert.ok(await pixelsOf('loss', '#2f6fed') > 100, 'train stays');
  await legend.getByRole('button', { name: 'validation' }).click();
  await until(() => pixelsOf('loss', '#e8590c'), (n) => n > 100, 'validation is back');

  // Drag across the middle of the loss chart: it zooms to that range of iterations.
  const over = await page.locator('figure[data-metric="loss"] .u-over').boundingBox();
  const y = over.y + over.height / 2;
  await page.mouse.move(over.x + over.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(over.x + over.width * 0.6, y, { steps: 8 });
  await page.mouse.up();
  const zoom = page.locator('figure[data-metric="loss"] [data-zoom]');
  const [, from, to] = (await zoom.innerText()).match(/Zoomed to iteration (\d+) – (\d+)/);
  assert.ok(Number(from) >= 20 && Number(from) <= 40 && Number(to) >= 50 && Number(to) <= 70, `zoomed to ${from}–${to}`);
  await until(() => pixelsOf('loss', '#2f6fed'), (n) => n > 100, 'the zoomed chart is drawn');
  await shot('scalars-zoomed');
  await page.locator('figure[data-metric="loss"]').getByRole('button', { name: 'Reset zoom' }).click();
  await eventually(() => zoom.count(), 0);

  const drawn = async () => Number(await page.locator('figure[data-metric="loss"]').getAttribute('data-drawn'));
  let before = await drawn();
  await page.getByLabel('X axis').selectOption('relative');
  await until(drawn, (n) => n > before, 'the chart is drawn again against relative time');
  await until(() => pixelsOf('loss', '#e8590c'), (n) => n > 100, 'lines drawn against relative time');
  before = await drawn();
  await page.getByLabel('Log scale').check();
  await until(drawn, (n) => n > before, 'the chart is drawn again on a log scale');
  await until(() => pixelsOf('loss', '#e8590c'), (n) => n > 100, 'lines drawn on a log scale');
  await page.getByLabel('Smoothing').fill('0.9');
  assert.equal(await page.locator('.scalars-bar output').innerText(), '0.90');
  await shot('scalars-relative-log-smoothed');
});

test('plots: the scatter and histogram drawn by Plotly, the table as an HTML table', async () => {
  // Plotly's chunk arrives only when the test lets it: until then each figure says it is loading.
  let release;
  const held = new Promise((r) => (release = r));
  await page.route(/\/assets\/plotly[^/]*\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  await openTab('Plots');
  const waiting = page.locator('[data-plot="embedding / clusters"]').getByRole('status');
  await waiting.waitFor();
  assert.equal(await waiting.innerText(), 'Loading the chart…');
  await shot('plots-loading');
  release();
  const scatter = page.locator('[data-plot="embedding / clusters"] .plotly-figure[data-rendered="plotly"]');
  await scatter.waitFor({ timeout: 60_000 });
  assert.equal(await scatter.locator('.scatterlayer .point').count(), 4);
  assert.equal(await scatter.locator('.xtitle').textContent(), 'x');
  assert.equal(await page.locator('[data-plot="embedding / clusters"]').getByRole('status').count(), 0, 'the loading note goes once drawn');
  const histogram = page.locator('[data-plot="weights / layer1"] .plotly-figure[data-rendered="plotly"]');
  await histogram.waitFor();
  assert.equal(await histogram.locator('.barlayer .point').count(), 4);
  const table = page.getByRole('table', { name: 'results / summary' });
  assert.deepEqual(await table.locator('th').allInnerTexts(), ['model', 'accuracy']);
  assert.deepEqual(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent))), [['small', '0.91'], ['large', '0.95']]);
  await shot('plots');
});

test('debug samples: the newest image per variant, a slider through iterations, and a full-size viewer', async () => {
  await openTab('Debug samples');
  const card = page.locator('[data-sample="samples / input"]');
  await card.waitFor();
  assert.equal(await card.locator('[data-iteration]').innerText(), 'iteration 90');
  const img = card.locator('img');
  await until(() => img.evaluate((el) => el.complete && el.naturalWidth), (w) => w === 64, 'the image loads from the file server');
  await card.getByLabel('Iteration of samples / input').fill('0');
  assert.equal(await card.locator('[data-iteration]').innerText(), 'iteration 10');
  await shot('debug-samples');

  await card.getByRole('button', { name: 'Open samples / input at iteration 10' }).click();
  const viewer = page.getByRole('dialog', { name: 'samples / input' });
  assert.match(await viewer.locator('.viewer-head').innerText(), /iteration 10/);
  await page.keyboard.press('ArrowRight');
  assert.match(await viewer.locator('.viewer-head').innerText(), /iteration 50/);
  await until(() => viewer.locator('img').evaluate((el) => el.complete && el.naturalHeight), (h) => h === 48, 'the full-size image loads');
  await shot('debug-viewer');
  await page.keyboard.press('Escape');
  await eventually(() => viewer.count(), 0);
});

test('clone opens an editable draft whose parameters, configuration, name, tags and comment are saved', async () => {
  await page.goto(`${server.web}/experiments/${seeded.task}`);
  await page.getByRole('button', { name: 'Clone…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Clone experiment' });
  assert.equal(await dialog.getByLabel('Name of the clone').inputValue(), 'Clone of page walkthrough');
  await dialog.getByRole('button', { name: 'Clone' }).click();
  await page.waitForURL((url) => /\/experiments\/[0-9a-f]{32}$/.test(url.pathname) && !url.pathname.endsWith(seeded.task));
  const clone = new URL(page.url()).pathname.split('/').pop();
  await eventually(status, 'Draft');
  assert.equal(await page.locator('.exp-title h1').innerText(), 'Clone of page walkthrough');

  await openTab('Configuration');
  await page.getByRole('button', { name: 'Edit General' }).click();
  await page.getByLabel('General/lr').fill('0.001');
  await page.getByRole('region', { name: 'General' }).getByRole('button', { name: 'Save' }).click();
  await eventually(() => page.locator('[data-param="General/lr"] .param-value').innerText(), '0.001');
  assert.equal((await taskDoc(clone)).hyperparams.General.lr.value, '0.001');

  await page.getByRole('button', { name: 'Edit model config' }).click();
  await page.getByLabel('Configuration model config').fill('layers = [8]\ndropout = 0.5');
  await page.getByRole('region', { name: 'model config (dictionary)' }).getByRole('button', { name: 'Save' }).click();
  await eventually(() => page.getByLabel('Configuration model config').innerText(), 'layers = [8]\ndropout = 0.5');
  assert.equal((await taskDoc(clone)).configuration['model config'].value, 'layers = [8]\ndropout = 0.5');
  await shot('clone-edited');

  await page.getByRole('button', { name: 'Edit name' }).click();
  await page.getByLabel('name', { exact: true }).fill('tuned clone');
  await page.getByLabel('name', { exact: true }).press('Enter');
  await eventually(() => page.locator('.exp-title h1').innerText(), 'tuned clone');
  await page.getByRole('button', { name: '+ Add tag' }).click();
  await page.getByLabel('New tag').fill('candidate');
  await page.getByLabel('New tag').press('Enter');
  await eventually(() => page.getByLabel('Tags').getByRole('button', { name: /^Remove tag / }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))), ['Remove tag candidate']);
  await page.getByRole('button', { name: 'Edit comment' }).click();
  await page.getByLabel('comment', { exact: true }).fill('lower learning rate');
  await page.getByRole('button', { name: 'Save' }).click();
  await eventually(() => page.locator('.comment-text').innerText(), 'lower learning rate');
  const doc = await taskDoc(clone);
  assert.deepEqual([doc.name, doc.tags, doc.comment, doc.parent], ['tuned clone', ['candidate'], 'lower learning rate', seeded.task]);
});

test('a draft is enqueued, aborted, reset and deleted from its page; a finished one is archived and restored', async () => {
  const clone = new URL(page.url()).pathname.split('/').pop();
  const { id: queue } = await api('queues.create', { name: 'web-test-queue' });
  await page.getByRole('button', { name: 'Enqueue…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Enqueue experiment' });
  await until(() => dialog.getByLabel('Queue').locator('option').allInnerTexts(), (names) => names.includes('web-test-queue'), 'the new queue is offered');
  await dialog.getByLabel('Queue').selectOption({ label: 'web-test-queue' });
  await dialog.getByRole('button', { name: 'Enqueue' }).click();
  await eventually(status, 'Pending');
  const queued = await taskDoc(clone);
  assert.deepEqual([queued.status, queued.execution.queue], ['queued', queue]);

  await page.getByRole('button', { name: 'Abort' }).click();
  await eventually(status, 'Aborted');
  assert.equal((await taskDoc(clone)).status, 'stopped');
  await page.getByRole('button', { name: 'Reset…' }).click();
  await page.getByRole('dialog', { name: 'Reset experiment' }).getByRole('button', { name: 'Reset' }).click();
  await eventually(status, 'Draft');
  assert.equal((await taskDoc(clone)).status, 'created');

  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('dialog', { name: 'Delete experiment' }).getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(/\/experiments\?project=/);
  await assert.rejects(taskDoc(clone), /not found|invalid task id/);

  await page.goto(`${server.web}/experiments/${seeded.task}`);
  await page.getByRole('button', { name: 'Archive' }).click();
  await eventually(() => page.locator('.exp-title .tag-muted').innerText(), 'archived');
  assert.ok((await taskDoc(seeded.task)).system_tags.includes('archived'));
  await page.getByRole('button', { name: 'Restore' }).click();
  await eventually(() => page.locator('.exp-title .tag-muted').count(), 0);
  assert.ok(!(await taskDoc(seeded.task)).system_tags.includes('archived'));
});

test('a running experiment shows new iterations and console lines without a reload, and is aborted from its page', async () => {
  const script = runSdk(server, join(HERE, 'experiment-live.py'));
  const live = await until(async () => (await api('tasks.get_all', { name: 'live run', only_fields: ['id', 'status', 'last_iteration'] })).tasks[0],
    (t) => t.status === 'in_progress' && t.last_iteration >= 1, 'the SDK starts reporting');
  await page.goto(`${server.web}/experiments/${live.id}?tab=console`);
  await eventually(status, 'Running');
  // A reload would lose this mark.
  await page.evaluate(() => (window.samePage = true));

  const iteration = async () => Number(await page.locator('[data-last-iteration]').getAttribute('data-last-iteration'));
  const lastStep = async () => {
    const steps = (await page.getByRole('log', { name: 'Console output' }).innerText()).match(/live step \d+/g) ?? [];
    return steps.length ? Number(steps[steps.length - 1].split(' ').pop()) : -1;
  };
  const firstIteration = await until(iteration, (n) => n >= 1, 'an iteration is shown');
  const firstStep = await until(lastStep, (n) => n >= 0, 'a console line is shown');
  await until(iteration, (n) => n >= firstIteration + 2, 'the iteration moves on by itself');
  await until(lastStep, (n) => n >= firstStep + 2, 'new console lines appear by themselves');
  assert.equal(await page.evaluate(() => window.samePage), true);
  await shot('live-console');

  await page.getByRole('button', { name: 'Abort' }).click();
  await eventually(status, 'Aborted');
  assert.equal((await taskDoc(live.id)).status, 'stopped');
  const run = await script;
  const after = await taskDoc(live.id);
  assert.equal(after.status, 'stopped', `the SDK left the run ${after.status}:\n${run.stdout}\n${run.stderr}`);
  assert.ok(after.last_iteration < 39, 'the script stopped before its end');
  await shot('live-aborted');
});
