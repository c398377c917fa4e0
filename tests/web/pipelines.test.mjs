/**
 * The Pipelines pages in Chromium, over runs the clearml SDK's PipelineController made
 * (pipelines-seed.py, steps run locally): the list, a pipeline's runs, a run's steps drawn
 * from its `Pipeline` DAG with each step's status (the failed step named), a step opening
 * its experiment, the page at the address the SDK prints, and a run watched live: its
 * steps turn from running to completed without the page being reloaded.
 * Screenshots go to the "pipelines" folder under the web tests' screenshot folder.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN_PASSWORD, callApi, checkPrerequisites, launchBrowser, runSdk, screenshotDir, ACCESS_KEY, SECRET_KEY, startServer, until } from './harness.mjs';

const HERE = new URL('.', import.meta.url).pathname;

let server;
let browser;
let page;
let shots;
let seeded;
let printedLink;
let token;
let step = 0;

async function shot(name) {
  await page.screenshot({ path: join(shots, `pipelines-${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

const api = (endpoint, body) => callApi(server.api, token, endpoint, body);

/** step name → the status its box shows */
const stepBoxes = () => page.getByRole('img', { name: 'Pipeline steps' }).locator('.dag-node').evaluateAll((gs) => Object.fromEntries(
  gs.map((g) => [g.dataset.id, g.querySelector('.dag-detail').textContent]),
));

before(async () => {
  checkPrerequisites();
  shots = screenshotDir('pipelines');
  console.log(`pipelines tests: screenshots in ${shots}`);
  server = await startServer();
  const run = await runSdk(server, join(HERE, 'pipelines-seed.py'));
  assert.equal(run.code, 0, `seeding through the clearml SDK failed:\n${run.stdout}\n${run.stderr}`);
  seeded = JSON.parse(run.stdout.trim().split('\n').pop());
  printedLink = /ClearML pipeline page: (\S+)/.exec(`${run.stdout}\n${run.stderr}`)?.[1];
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

test("the Pipelines page lists the pipeline with its last run's status", async () => {
  await page.getByRole('link', { name: 'Pipelines' }).click();
  await page.waitForURL(/\/pipelines$/);
  const rows = await until(() => page.getByRole('table', { name: 'Pipelines' }).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Object.fromEntries(
    [...tr.querySelectorAll('td[data-column]')].map((td) => [td.dataset.column, td.textContent.trim()]),
  ))), (r) => r.length === 1, 'one pipeline is listed');
  const { started, ...row } = rows[0];
  assert.deepEqual(row, { name: 'train pipe', project: 'Web Pipelines', run: 'train pipe', status: 'Failed', version: '1.0.0', runs: '1' });
  assert.notEqual(started, '');
  await shot('list');
});

test("a run's steps are drawn with their statuses and the failed step is named; a step opens its experiment", async () => {
  await page.getByRole('table', { name: 'Pipelines' }).getByRole('link', { name: 'train pipe' }).first().click();
  await page.waitForURL(/\/pipelines\/[0-9a-f]{32}$/);
  const boxes = await until(stepBoxes, (b) => Object.keys(b).length === 4, 'four steps are drawn');
  assert.deepEqual(boxes, { prepare: 'completed', train: 'failed', report: 'skipped', side: 'completed' });
  const dag = page.getByRole('img', { name: 'Pipeline steps' });
  assert.equal(await dag.locator('[data-edge="prepare>train"]').count(), 1);
  assert.equal(await dag.locator('[data-edge="train>report"]').count(), 1);
  assert.equal(await dag.locator('.dag-node.failed').getAttribute('data-id'), 'train');
  assert.equal((await page.locator('.pipeline-run [data-field="Failed steps"] dd').textContent()).trim(), 'train');
  assert.equal((await page.locator('.pipeline-run [data-field="Status"] dd').textContent()).trim(), 'Failed');
  assert.equal((await page.locator('.pipeline-run [data-field="n"] dd').textContent()).trim(), '3');
  await shot('run');
  const { tasks } = await api('tasks.get_all', { parent: seeded.controller, name: '^train$', only_fields: ['id'] });
  await dag.locator('[data-id="train"]').click();
  await page.waitForURL(new RegExp(`/experiments/${tasks[0].id}$`));
  await until(() => page.getByRole('heading', { level: 1 }).textContent(), (t) => t.includes('train'), "the failed step's experiment opens");
});

test('the pipeline page address the SDK prints opens that run', async () => {
  assert.ok(printedLink?.startsWith(`${server.web}/pipelines/`) && printedLink.endsWith(`/experiments/${seeded.controller}`), printedLink);
  await page.goto(printedLink);
  await until(() => page.locator('table[aria-label="Runs"] tr[aria-current="true"]').getAttribute('data-id'), (id) => id === seeded.controller, 'the run is selected');
  await until(stepBoxes, (b) => b.train === 'failed', 'its steps are drawn');
});

test('a running pipeline is drawn live: its steps turn from running to completed on the open page', async () => {
  const running = runSdk(server, join(HERE, 'pipelines-seed.py'), { args: ['slow'] });
  const controller = await until(async () => {
    const { tasks } = await api('tasks.get_all', { name: '^slow pipe', type: ['controller'], search_hidden: true, only_fields: ['id', 'project', 'status'] });
    return tasks[0];
  }, (t) => t !== undefined && t.status === 'in_progress', 'the slow pipeline is running');
  await page.goto(`${server.web}/pipelines/${controller.project}/experiments/${controller.id}`);
  await until(stepBoxes, (b) => b.wait === 'running', 'the first step shows running', 90_000);
  await shot('live-running');
  const finished = await until(stepBoxes, (b) => b.wait === 'completed' && b.after_wait === 'completed', 'both steps show completed without a reload', 120_000);
  assert.deepEqual(finished, { wait: 'completed', after_wait: 'completed' });
  await until(() => page.locator('.pipeline-run [data-field="Status"] dd').textContent(), (t) => t.trim() === 'Completed', 'the run shows completed');
  const done = await running;
  assert.equal(done.code, 0, `${done.stdout}\n${done.stderr}`);
  await shot('live-done');
});
