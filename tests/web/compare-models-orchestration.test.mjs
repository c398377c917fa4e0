/**
 * The compare, models, queues and workers pages in real headless Chromium against a real
 * server. The experiments and the model come from the clearml SDK (compare-models-seed.py);
 * the queue and the worker are made through the API as the SDK and an agent would make
 * them. Screenshots go to the compare-models-orchestration folder beside the others.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { ACCESS_KEY, ADMIN_PASSWORD, checkPrerequisites, launchBrowser, runSdk, SECRET_KEY, startServer } from './harness.mjs';

const HERE = new URL('.', import.meta.url).pathname;
const RUNS = ['cnn lr 0.1', 'cnn lr 0.01', 'cnn lr 0.001'];
/** The colour of the first line of a chart (compare/colors.ts PALETTE[0]). */
const FIRST_LINE_RGB = [0x2f, 0x6f, 0xed];

let server;
let browser;
let page;
let seed;
let shots;
let step = 0;
let token;

async function shot(name) {
  await page.screenshot({ path: join(shots, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** Reads what the page shows until it equals `expected`, then asserts on the last reading. */
async function eventually(read, expected, ms = 15_000) {
  const deadline = Date.now() + ms;
  let got = await read().catch((err) => `unreadable: ${err.message}`);
  while (!isDeepStrictEqual(got, expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    got = await read().catch((err) => `unreadable: ${err.message}`);
  }
  assert.deepEqual(got, expected);
}

/** Calls the API as the SDK does, with the test key pair's token. */
async function api(endpoint, body = {}) {
  if (!token) {
    const basic = Buffer.from(`${ACCESS_KEY}:${SECRET_KEY}`).toString('base64');
    const login = await (await fetch(`${server.api}/auth.login`, { headers: { authorization: `Basic ${basic}` } })).json();
    token = login.data.token;
  }
  const res = await fetch(`${server.api}/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const env = await res.json();
  assert.equal(env.meta.result_code, 200, `${endpoint}: ${env.meta.result_msg}`);
  return env.data;
}

/** A page's entry in the left navigation. */
const navLink = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

const legend = (chart) => page.locator(`figure[aria-label="${chart}"] .lchart-label`).allInnerTexts();
/** The legend's value of each line: its latest value while the mouse is away from the chart. */
const legendValues = (chart) => page.locator(`figure[aria-label="${chart}"] .lchart-value`).allInnerTexts();

/** The texts of a side-by-side table row's value cells, keyed `section/name`. */
const tableRow = (table, key) => page.getByRole('table', { name: table }).locator(`tr[data-key="${key}"] td`).allInnerTexts();

/** How many canvas pixels of a chart have the colour of its first line: a drawn line has many. */
function linePixels(chart) {
  return page.locator(`figure[aria-label="${chart}"] canvas`).evaluate((canvas, rgb) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - rgb[0]) < 30 && Math.abs(data[i + 1] - rgb[1]) < 30 && Math.abs(data[i + 2] - rgb[2]) < 30 && data[i + 3] > 200) n++;
    }
    return n;
  }, FIRST_LINE_RGB);
}

before(async () => {
  checkPrerequisites();
  shots = join(process.env.WEB_SCREENSHOTS ?? join(HERE, '.screenshots'), 'compare-models-orchestration');
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  console.log(`web tests: screenshots in ${shots}`);
  server = await startServer();
  const run = await runSdk(server, join(HERE, 'compare-models-seed.py'));
  assert.equal(run.code, 0, `seeding through the clearml SDK failed:\n${run.stdout}\n${run.stderr}`);
  seed = JSON.parse(run.stdout.trim().split('\n').pop());
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${server.web}/signin`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/projects/);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('compare overlays each metric per experiment and puts their parameters and metrics side by side', async () => {
  const ids = RUNS.map((name) => seed.tasks[name]);
  await page.goto(`${server.web}/compare?ids=${ids.join(',')}`);
  await eventually(() => page.getByRole('list', { name: 'Compared experiments' }).getByRole('link').allInnerTexts(), RUNS);
  await eventually(() => legend('accuracy'), RUNS);
  await eventually(() => legend('loss'), RUNS);
  assert.deepEqual(await legendValues('accuracy'), ['0.64', '0.83', '0.66']);
  assert.ok((await linePixels('accuracy')) > 20, 'the first experiment\'s accuracy line is drawn');
  await shot('compare-scalars');

  await page.getByRole('tab', { name: 'Hyperparameters' }).click();
  await eventually(() => tableRow('Hyperparameters', 'General/lr'), ['0.1', '0.01', '0.001']);
  const differs = (key) => page.locator(`tr[data-key="${key}"]`).getAttribute('data-differs');
  assert.equal(await differs('General/lr'), 'true');
  assert.equal(await differs('General/optimizer'), 'true');
  assert.equal(await differs('General/batch_size'), 'false');
  assert.deepEqual(await tableRow('Hyperparameters', 'General/batch_size'), ['64', '64', '64']);
  await shot('compare-params');
  await page.getByLabel('Only differences').check();
  await eventually(() => page.locator('table[aria-label="Hyperparameters"] tr[data-key]').evaluateAll((rows) => rows.map((r) => r.dataset.key)),
    ['General/lr', 'General/optimizer']);

  await page.getByRole('tab', { name: 'Metrics' }).click();
  await eventually(() => tableRow('Metrics', 'accuracy/val'), ['0.64', '0.83', '0.66']);
  assert.deepEqual(await tableRow('Metrics', 'loss/train'), ['1.1', '0.45', '1']);
  await page.getByRole('radio', { name: 'Min' }).check();
  await eventually(() => tableRow('Metrics', 'accuracy/val'), ['0.42', '0.5', '0.35']);
  await shot('compare-metrics');

  await page.getByRole('tab', { name: 'Parallel coordinates' }).click();
  await page.getByLabel('Metric', { exact: true }).selectOption({ label: 'accuracy / val' });
  const plot = page.getByRole('img', { name: /^Parallel coordinates of/ });
  assert.equal(await plot.getAttribute('aria-label'), 'Parallel coordinates of General/lr, General/optimizer against accuracy/val (last)');
  const lines = plot.locator('.parallel-line');
  assert.deepEqual((await lines.evaluateAll((gs) => gs.map((g) => g.dataset.experiment))).sort(), [...RUNS].sort());
  // The best accuracy is drawn in the hot end of the colour ramp, the worst in the cold end.
  const stroke = (name) => plot.locator(`.parallel-line[data-experiment="${name}"] path`).first().getAttribute('stroke');
  assert.equal(await stroke('cnn lr 0.01'), 'rgb(215, 48, 39)');
  assert.equal(await stroke('cnn lr 0.1'), 'rgb(49, 54, 149)');
  await shot('compare-parallel');

  await page.getByRole('button', { name: 'Remove cnn lr 0.001 from the comparison' }).click();
  await eventually(() => page.getByRole('list', { name: 'Compared experiments' }).getByRole('link').allInnerTexts(), ['cnn lr 0.1', 'cnn lr 0.01']);
  assert.equal(new URL(page.url()).searchParams.get('ids'), ids.slice(0, 2).join(','));
  assert.equal(await page.getByRole('button', { name: /from the comparison$/ }).count(), 0, 'two experiments are the fewest to compare');
});

test('the models table lists the model; its page shows metadata and a download link that serves the weights', async () => {
  // A second model, registered (not uploaded) and published, as `models.create` from a script would.
  await api('models.create', { name: 'mlp baseline', uri: 's3://models/mlp.h5', framework: 'Keras', ready: true });
  await navLink('Models').click();
  const row = page.locator(`tr[data-id="${seed.model}"]`);
  await row.waitFor();
  const names = () => page.locator('table[aria-label="Models"] tbody td[data-column="name"]').allInnerTexts();
  await eventually(names, ['mlp baseline', 'cnn classifier']);
  await page.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
  await eventually(names, ['cnn classifier', 'mlp baseline']);
  await page.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
  await eventually(names, ['mlp baseline', 'cnn classifier']);
  await page.getByLabel('Status', { exact: true }).selectOption('Draft');
  await eventually(names, ['cnn classifier']);
  const cell = (col) => row.locator(`td[data-column="${col}"]`).innerText();
  assert.equal(await cell('name'), 'cnn classifier');
  assert.equal(await cell('framework'), 'PyTorch');
  assert.equal(await cell('tags'), 'candidate');
  assert.equal(await cell('ready'), 'Draft');
  assert.equal(await cell('task'), 'cnn lr 0.01');
  assert.equal(await cell('project'), 'Compare Demo');
  assert.equal(await row.locator('td[data-column="task"] a').getAttribute('href'), `/experiments/${seed.tasks['cnn lr 0.01']}`);
  await shot('models');
  await page.getByLabel('Status', { exact: true }).selectOption('All');
  await eventually(names, ['mlp baseline', 'cnn classifier']);

  await page.getByLabel('Search models').fill('no such model');
  await page.getByText('No model matches the search and filters.').waitFor();
  await page.getByLabel('Search models').fill('');
  await row.waitFor();

  await row.getByRole('link', { name: 'cnn classifier' }).click();
  await page.waitForURL(new RegExp(`/models/${seed.model}$`));
  const metadata = page.getByRole('region', { name: 'Metadata' });
  await eventually(() => metadata.locator('tbody tr').allInnerTexts(), ['dataset\tstr\tpets-v2', 'epochs\tint\t4']);
  assert.deepEqual(await page.getByRole('region', { name: 'Labels' }).locator('tbody tr').allInnerTexts(), ['cat\t0', 'dog\t1']);
  assert.match(await page.getByRole('region', { name: 'Design' }).innerText(), /conv\(32\) -> conv\(64\) -> dense\(2\)/);
  const details = page.getByRole('region', { name: 'Details' });
  assert.equal(await details.locator('[data-field="Framework"] dd').innerText(), 'PyTorch');
  assert.equal(await details.locator('[data-field="Task"] dd').innerText(), 'cnn lr 0.01');
  assert.equal(await details.locator('[data-field="Iteration"] dd').innerText(), '3');

  const url = await page.getByLabel('URL').innerText();
  assert.ok(url.startsWith(server.files), `the model lives on the file server: ${url}`);
  const link = page.getByRole('link', { name: /^Download / });
  const res = await fetch(await link.getAttribute('href'));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment/);
  assert.equal(await res.text(), seed.weights);
  await shot('model');

  await page.getByRole('button', { name: 'Publish…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
  await page.locator('.page-head .status', { hasText: 'Published' }).waitFor();
  assert.equal((await api('models.get_by_id', { model: seed.model })).model.ready, true);
  await page.getByRole('button', { name: 'Archive' }).click();
  await page.locator('.page-head .tag', { hasText: 'archived' }).waitFor();
  await navLink('Models').click();
  await eventually(names, ['mlp baseline']);
  await page.getByLabel('Show archived').check();
  await eventually(names, ['cnn classifier']);
  assert.equal(await row.locator('td[data-column="ready"]').innerText(), 'Published');
});

test('a queue lists its tasks in order; moving one to the top and removing one change the queue on the server', async () => {
  const { id: queue } = await api('queues.create', { name: 'gpu-queue' });
  const names = ['prepare data', 'train resnet', 'evaluate'];
  const tasks = {};
  for (const name of names) {
    tasks[name] = (await api('tasks.create', { name, type: 'training' })).id;
    await api('tasks.enqueue', { task: tasks[name], queue });
  }
  const entries = async () => (await api('queues.get_by_id', { queue })).queue.entries.map((e) => e.task);

  await navLink('Queues').click();
  const row = page.locator('tr[data-queue="gpu-queue"]');
  await eventually(() => row.locator('td[data-column="pending"]').innerText(), '3');
  await page.getByRole('button', { name: 'Show the tasks in gpu-queue' }).click();
  const list = page.getByRole('table', { name: 'Tasks in gpu-queue' });
  const shown = () => list.locator('tbody tr td:nth-child(2)').allInnerTexts();
  await eventually(shown, names);
  // The server makes the `default` queue at start-up; it has stayed empty.
  await eventually(() => legend('Queue length'), ['default', 'gpu-queue']);
  assert.equal(await page.locator('tr[data-queue="default"] td[data-column="pending"]').innerText(), '0');
  await eventually(() => legendValues('Queue length'), ['0', '3']);
  await shot('queue');

  await list.getByRole('button', { name: 'Move evaluate to the top' }).click();
  await eventually(shown, ['evaluate', 'prepare data', 'train resnet']);
  assert.deepEqual(await entries(), [tasks.evaluate, tasks['prepare data'], tasks['train resnet']]);

  await list.getByRole('button', { name: 'Move evaluate down' }).click();
  await eventually(shown, ['prepare data', 'evaluate', 'train resnet']);
  assert.deepEqual(await entries(), [tasks['prepare data'], tasks.evaluate, tasks['train resnet']]);

  await list.getByRole('button', { name: 'Remove prepare data from the queue' }).click();
  await eventually(shown, ['evaluate', 'train resnet']);
  assert.deepEqual(await entries(), [tasks.evaluate, tasks['train resnet']]);
  assert.equal((await api('tasks.get_by_id', { task: tasks['prepare data'] })).task.status, 'created');
  assert.equal(await row.locator('td[data-column="pending"]').innerText(), '2');
  await shot('queue-after-changes');
});

test('the workers page shows what a worker runs and draws its CPU and GPU charts', async () => {
  const [{ id: queue }] = (await api('queues.get_all', { name: '^gpu-queue$' })).queues;
  const { id: task } = await api('tasks.create', { name: 'nightly retrain', type: 'training' });
  await api('tasks.started', { task });
  // This fakes an agent's reports: a real agent would pull the task from the queue and run
  // it, reporting its machine every few seconds. Ten reports over the last ten minutes give
  // the charts points in complete one-minute buckets.
  const worker = 'gpu-box-01:0';
  await api('workers.register', { worker, queues: [queue] });
  const now = Date.now();
  for (let k = 0; k < 10; k++) {
    await api('workers.status_report', {
      worker,
      task,
      queue,
      timestamp: now - (10 - k) * 60_000,
      machine_stats: { cpu_usage: [20 + 5 * k], memory_used: 4000 + 100 * k, memory_free: 12000 - 100 * k, gpu_usage: [50, 70], gpu_memory_used: [8000, 9000] },
    });
  }

  await navLink('Workers').click();
  const row = page.locator(`tr[data-worker="${worker}"]`);
  await row.waitFor();
  assert.equal(await row.getByRole('link', { name: 'nightly retrain' }).getAttribute('href'), `/experiments/${task}`);
  assert.match(await row.innerText(), /gpu-queue/);
  await eventually(() => legend('CPU usage (%)'), ['CPU']);
  assert.deepEqual(await legend('Memory (MB)'), ['used', 'free']);
  assert.deepEqual(await legend('GPU usage (%)'), ['GPU 0 usage', 'GPU 1 usage']);
  assert.ok((await linePixels('CPU usage (%)')) > 20, 'the CPU line is drawn');
  await shot('workers');
});
