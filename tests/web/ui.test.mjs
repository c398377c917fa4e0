/**
 * The web UI as a user meets it, in real headless Chromium against a real server whose
 * data the clearml SDK made: sign in, projects, the experiments table (sort, filter,
 * search, added columns, reload), bulk actions, credentials used from the SDK, and an
 * expired session. Each step saves a screenshot; the folder is printed at the start.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { ADMIN_PASSWORD, checkPrerequisites, launchBrowser, runClearmlInit, runSdk, screenshotDir, startServer } from './harness.mjs';

const HERE = new URL('.', import.meta.url).pathname;
let server;
let browser;
let page;
let shots;
let step = 0;

async function shot(name) {
  await page.screenshot({ path: join(shots, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: false });
}

/**
 * Reads what the page shows until it equals `expected` (the page answers asynchronously),
 * then asserts on the last reading, so that a failure shows what the user saw.
 */
async function eventually(read, expected, ms = 15_000) {
  const deadline = Date.now() + ms;
  let got = await read();
  while (!isDeepStrictEqual(got, expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    got = await read().catch((err) => `unreadable: ${err.message}`);
  }
  assert.deepEqual(got, expected);
}

const text = (locator) => () => locator.innerText();

/** The names in the experiments grid, top to bottom. */
const gridNames = () => page.locator('.grid-row[data-id] [data-column="name"]').allInnerTexts();

const waitForNames = (expected) => eventually(gridNames, expected);

/** The cell texts of one column, keyed by experiment name. */
async function columnByName(key) {
  const rows = page.locator('.grid-row[data-id]');
  const out = {};
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out[await row.locator('[data-column="name"]').innerText()] = await row.locator(`[data-column="${key}"]`).innerText();
  }
  return out;
}

before(async () => {
  checkPrerequisites();
  shots = screenshotDir('ui');
  console.log(`web tests: screenshots in ${shots}`);
  server = await startServer();
  const run = await runSdk(server, join(HERE, 'seed.py'));
  assert.equal(run.code, 0, `seeding through the clearml SDK failed:\n${run.stdout}\n${run.stderr}`);
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an unsigned visitor is sent to sign-in; a wrong password is explained, the right one opens the projects', async () => {
  await page.goto(`${server.web}/projects`);
  await page.waitForURL(/\/signin\?next=%2Fprojects/);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.equal(await page.getByRole('alert').innerText(), 'Wrong user name or password.');
  await shot('sign-in-error');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/projects$/);
  await eventually(text(page.getByLabel('Signed in as')), 'admin');
});

test('projects are a tree with experiment counts by status', async () => {
  const demo = page.locator('tr[data-project="Web UI Demo"]');
  await demo.waitFor();
  // The parent counts its sub-project's experiment too.
  assert.equal(await demo.locator('[data-status="completed"]').innerText(), '3');
  assert.equal(await demo.locator('[data-status="failed"]').innerText(), '1');
  assert.equal(await demo.locator('[data-total]').innerText(), '4');
  const sub = page.locator('tr[data-project="Web UI Demo/Ablations"]');
  assert.equal(await sub.locator('.project-link').innerText(), 'Ablations');
  assert.equal(await sub.locator('[data-total]').innerText(), '1');
  await shot('projects');
  await page.getByRole('button', { name: 'Collapse Web UI Demo' }).click();
  await eventually(() => sub.count(), 0);
  await page.getByRole('button', { name: 'Expand Web UI Demo' }).click();
  await eventually(() => sub.count(), 1);
});

test('creating a project that exists shows the server\'s reason; a new one can be renamed, moved and archived', async () => {
  await page.getByRole('button', { name: 'New project' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('Web UI Demo');
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  const error = page.locator('.note-error');
  await error.waitFor();
  assert.match(await error.innerText(), /Could not create the project: project "Web UI Demo" already exists/);
  await shot('project-exists-error');
  await error.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('Scratch');
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  await page.locator('tr[data-project="Scratch"]').waitFor();

  await page.getByRole('button', { name: 'Actions for Scratch' }).click();
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('Scratchpad');
  await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
  await page.locator('tr[data-project="Scratchpad"]').waitFor();

  await page.getByRole('button', { name: 'Actions for Scratchpad' }).click();
  await page.getByRole('button', { name: 'Move' }).click();
  await page.getByRole('dialog').getByLabel('Parent project').selectOption('Web UI Demo');
  await page.getByRole('dialog').getByRole('button', { name: 'Move' }).click();
  const moved = page.locator('tr[data-project="Web UI Demo/Scratchpad"]');
  await moved.waitFor();
  assert.equal(await moved.locator('.project-link').innerText(), 'Scratchpad');

  await page.getByRole('button', { name: 'Actions for Web UI Demo/Scratchpad' }).click();
  await page.getByRole('button', { name: 'Archive' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Archive' }).click();
  await moved.waitFor({ state: 'detached' });
  await page.getByLabel('Show archived').check();
  await moved.waitFor();
  assert.match(await moved.innerText(), /archived/);
  await page.getByLabel('Show archived').uncheck();
  await moved.waitFor({ state: 'detached' });
});

test('the experiments table of a project sorts, filters and searches on the server', async () => {
  await page.locator('tr[data-project="Web UI Demo"] .project-link').click();
  await page.waitForURL(/\/experiments\?project=/);
  await eventually(text(page.locator('.crumbs h1')), 'Web UI Demo');
  await eventually(async () => (await gridNames()).sort(), ['diverged run', 'resnet baseline', 'resnet lr 0.01']);
  const status = await columnByName('status');
  assert.deepEqual(status, { 'diverged run': 'Failed', 'resnet baseline': 'Completed', 'resnet lr 0.01': 'Completed' });
  assert.equal((await columnByName('user'))['resnet baseline'], 'admin');
  assert.equal((await columnByName('tags'))['resnet lr 0.01'], 'best');
  assert.equal((await columnByName('iteration'))['resnet baseline'], '2');
  await shot('experiments');

  await page.locator('[data-column="name"][role="columnheader"] .sort-button').click();
  await waitForNames(['diverged run', 'resnet baseline', 'resnet lr 0.01']);
  await page.locator('[data-column="name"][role="columnheader"] .sort-button').click();
  await waitForNames(['resnet lr 0.01', 'resnet baseline', 'diverged run']);

  await page.getByRole('button', { name: 'Filter Status' }).click();
  await page.getByRole('group', { name: 'Status filter' }).getByLabel('Failed').check();
  await waitForNames(['diverged run']);
  assert.match(await page.locator('.filter-summary').innerText(), /Status: Failed/);
  await shot('status-filter');
  await page.getByRole('group', { name: 'Status filter' }).getByRole('button', { name: 'Clear filter' }).click();
  await page.keyboard.press('Escape');
  await waitForNames(['resnet lr 0.01', 'resnet baseline', 'diverged run']);

  await page.getByRole('button', { name: 'Filter Tags' }).click();
  await page.getByRole('group', { name: 'Tags filter' }).getByLabel('best').check();
  await waitForNames(['resnet lr 0.01']);
  await page.getByRole('group', { name: 'Tags filter' }).getByLabel('best').uncheck();
  await page.keyboard.press('Escape');

  await page.getByLabel('Search experiments').fill('BASELINE');
  await waitForNames(['resnet baseline']);
  await page.getByLabel('Search experiments').fill('');
  await waitForNames(['resnet lr 0.01', 'resnet baseline', 'diverged run']);
});

test('a hyperparameter and a metric become columns with their values, sortable and filterable', async () => {
  await page.getByRole('button', { name: '+ Columns' }).click();
  const picker = page.getByRole('group', { name: 'Add columns' });
  await picker.getByLabel('General / lr').check();
  await picker.getByLabel('accuracy / val').check();
  await page.keyboard.press('Escape');
  const lrKey = 'p.General.lr';
  const accKey = 'm.accuracy.val';
  await page.locator(`[role="columnheader"][data-column="${accKey}"]`).waitFor();
  await eventually(() => columnByName(lrKey), { 'resnet lr 0.01': '0.01', 'resnet baseline': '0.1', 'diverged run': '1.0' });
  await eventually(() => columnByName(accKey), { 'resnet lr 0.01': '0.87', 'resnet baseline': '0.81', 'diverged run': '0.09' });

  await page.locator(`[data-column="${accKey}"][role="columnheader"] .sort-button`).click();
  await waitForNames(['diverged run', 'resnet baseline', 'resnet lr 0.01']);
  await page.locator(`[data-column="${accKey}"][role="columnheader"] .sort-button`).click();
  await waitForNames(['resnet lr 0.01', 'resnet baseline', 'diverged run']);

  await page.getByRole('button', { name: 'Filter lr' }).click();
  await page.getByRole('group', { name: 'lr filter' }).getByLabel('0.1', { exact: true }).check();
  await page.getByRole('group', { name: 'lr filter' }).getByLabel('1.0', { exact: true }).check();
  await page.keyboard.press('Escape');
  await waitForNames(['resnet baseline', 'diverged run']);
  await shot('added-columns');
});

test('a reload shows the same view: columns, sort and filters live in the address', async () => {
  const before = page.url();
  assert.match(before, /cols=/);
  await page.reload();
  await waitForNames(['resnet baseline', 'diverged run']);
  assert.equal(page.url(), before);
  await eventually(() => columnByName('m.accuracy.val'), { 'resnet baseline': '0.81', 'diverged run': '0.09' });
  assert.equal(await page.locator('[data-column="m.accuracy.val"][role="columnheader"]').getAttribute('aria-sort'), 'descending');
  assert.match(await page.locator('.filter-summary').innerText(), /lr: 0\.1, 1\.0/);
  await shot('after-reload');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await waitForNames(['resnet lr 0.01', 'resnet baseline', 'diverged run']);
});

test('iterations, a metric, the run time and the start filter by a range, which a reload keeps', async () => {
  const chips = () => page.locator('.filter-summary .chip').allInnerTexts();
  const noMatch = page.getByText('No experiment matches the search and filters.');

  await page.getByRole('button', { name: 'Filter Iterations' }).click();
  const iterations = page.getByRole('group', { name: 'Iterations filter' });
  await iterations.getByLabel('Min').fill('two');
  await iterations.getByRole('button', { name: 'Apply' }).click();
  assert.equal(await iterations.getByRole('alert').innerText(), 'Min is not a number.');
  await iterations.getByLabel('Min').fill('2');
  await iterations.getByRole('button', { name: 'Apply' }).click();
  await waitForNames(['resnet lr 0.01', 'resnet baseline']);
  await eventually(chips, ['Iterations: ≥ 2']);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Filter accuracy › val' }).click();
  const accuracy = page.getByRole('group', { name: 'accuracy › val filter' });
  await accuracy.getByLabel('Min').fill('0.5');
  await accuracy.getByLabel('Max').fill('0.85');
  await accuracy.getByLabel('Max').press('Enter');
  await waitForNames(['resnet baseline']);
  await eventually(chips, ['Iterations: ≥ 2', 'accuracy › val: 0.5 – 0.85']);
  await shot('range-filter-menu');
  await page.keyboard.press('Escape');

  // Every run took seconds: none lasted an hour, and none started before 2000.
  await page.getByRole('button', { name: 'Filter Duration' }).click();
  const duration = page.getByRole('group', { name: 'Duration filter' });
  await duration.getByLabel('Min').fill('1h');
  await duration.getByRole('button', { name: 'Apply' }).click();
  await noMatch.waitFor();
  await eventually(chips, ['Iterations: ≥ 2', 'accuracy › val: 0.5 – 0.85', 'Duration: ≥ 1h']);
  await duration.getByRole('button', { name: 'Clear filter' }).click();
  await waitForNames(['resnet baseline']);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Filter Started' }).click();
  const started = page.getByRole('group', { name: 'Started filter' });
  await started.getByLabel('To').fill('2000-01-01T00:00');
  await started.getByRole('button', { name: 'Apply' }).click();
  await noMatch.waitFor();
  assert.match((await chips())[2], /^Started: ≤ .*2000/);
  await shot('date-range-filter');
  await started.getByRole('button', { name: 'Clear filter' }).click();
  await waitForNames(['resnet baseline']);
  await page.keyboard.press('Escape');

  const view = page.url();
  await page.reload();
  await waitForNames(['resnet baseline']);
  assert.equal(page.url(), view);
  await eventually(chips, ['Iterations: ≥ 2', 'accuracy › val: 0.5 – 0.85']);
  await page.getByRole('button', { name: 'Filter accuracy › val' }).click();
  assert.equal(await accuracy.getByLabel('Min').inputValue(), '0.5');
  assert.equal(await accuracy.getByLabel('Max').inputValue(), '0.85');
  await page.keyboard.press('Escape');
  await shot('range-filters-after-reload');

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await waitForNames(['resnet lr 0.01', 'resnet baseline', 'diverged run']);
  assert.equal(await page.locator('.filter-summary').count(), 0);
});

test('bulk enqueue says which experiment the server refused and why; abort stops a queued one', async () => {
  await page.getByLabel('Select diverged run').check();
  await page.getByLabel('Select resnet baseline').check();
  await page.getByRole('button', { name: 'Enqueue…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Enqueue experiments' });
  await eventually(() => dialog.getByLabel('Queue').locator('option:checked').innerText(), 'default');
  await dialog.getByRole('button', { name: 'Enqueue' }).click();
  const error = page.locator('.note-error');
  await error.waitFor();
  assert.match(await error.innerText(), /Could not enqueue 1 of 2 experiments: resnet baseline: Invalid status change: completed -> queued/);
  await eventually(async () => (await columnByName('status'))['diverged run'], 'Pending');
  await shot('bulk-enqueue-error');
  await error.getByRole('button', { name: 'Dismiss' }).click();

  await page.getByLabel('Select diverged run').check();
  await page.getByRole('button', { name: 'Abort' }).click();
  await page.getByRole('dialog', { name: 'Abort experiments' }).getByRole('button', { name: 'Abort' }).click();
  await page.locator('.note-info', { hasText: 'Aborted 1 experiment' }).waitFor();
  await eventually(async () => (await columnByName('status'))['diverged run'], 'Aborted');
});

test('bulk actions: tag and archive the selected experiments', async () => {
  await page.getByLabel('Select diverged run').check();
  await page.getByLabel('Select resnet baseline').check();
  await page.getByRole('toolbar', { name: 'Selected experiments' }).getByText('2 selected').waitFor();
  await page.getByRole('button', { name: 'Add tag…' }).click();
  await page.getByRole('dialog').getByLabel('Tag').fill('reviewed');
  await page.getByRole('dialog').getByRole('button', { name: 'Add tag' }).click();
  await page.locator('.note-info', { hasText: 'Tagged 2 experiments' }).waitFor();
  await eventually(async () => (await columnByName('tags'))['resnet baseline'].split('\n'), ['baseline', 'reviewed']);
  assert.equal((await columnByName('tags'))['diverged run'], 'reviewed');
  await shot('bulk-tagged');

  await page.getByLabel('Select diverged run').check();
  await page.getByRole('button', { name: 'Archive' }).click();
  await page.locator('.note-info', { hasText: 'Archived 1 experiment' }).waitFor();
  await waitForNames(['resnet lr 0.01', 'resnet baseline']);
  await page.getByLabel('Show archived').check();
  await waitForNames(['diverged run']);
  await page.getByLabel('Select diverged run').check();
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.locator('.note-info', { hasText: 'Deleted 1 experiment' }).waitFor();
  await page.getByText('No experiments here yet.').waitFor();
  await page.getByLabel('Show archived').uncheck();
  await waitForNames(['resnet lr 0.01', 'resnet baseline']);

  await page.getByLabel('Select resnet lr 0.01').check();
  await page.getByLabel('Select resnet baseline').check();
  await page.getByRole('link', { name: 'Compare' }).click();
  await page.waitForURL(/\/compare\?ids=[0-9a-f]{32},[0-9a-f]{32}$/);
  await page.getByRole('main').getByText('resnet lr 0.01').first().waitFor();
  await page.getByRole('main').getByText('resnet baseline').first().waitFor();
  await shot('bulk-compare');
  await page.goBack();
  await waitForNames(['resnet lr 0.01', 'resnet baseline']);
});

test('clearml-init\'s link leads to Settings; credentials made there work through clearml-init and the SDK, show their last use, and stop working once revoked', async () => {
  // clearml-init tells a new user where to create credentials; follow its link literally.
  const prompt = runClearmlInit('');
  const link = prompt.output.match(/e\.g\. http:\/\/localhost:8080(\S+)\)/);
  assert.ok(link, `no settings link in clearml-init's output:\n${prompt.output}`);
  assert.equal(link[1], '//settings/workspace-configuration');
  await page.goto(`${server.web}${link[1]}`);
  await page.waitForURL(/\/settings\/workspace-configuration$/);
  await page.getByRole('table', { name: 'Credentials' }).waitFor();
  // clearml-init: 'In settings page, press "Create new credentials", then press "Copy to clipboard".'
  assert.match(prompt.output, /press "Create new credentials", then press "Copy to clipboard"/);
  await page.getByRole('button', { name: 'Create new credentials' }).click();
  await page.getByRole('dialog').getByLabel('Label').fill('web test laptop');
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  const shown = page.getByRole('dialog', { name: 'New credentials' });
  await shown.waitFor();
  await shot('new-credentials');
  assert.equal(await shown.getByRole('button', { name: 'Copy to clipboard' }).count(), 2);
  const conf = await shown.getByLabel('clearml.conf').innerText();
  const exports = await shown.getByLabel('Environment variables').innerText();
  assert.match(conf, new RegExp(`api_server: ${server.api.replace(/[.:/]/g, '\\$&')}`));
  const env = Object.fromEntries(exports.split('\n').map((l) => l.replace(/^export /, '').split('=')));
  assert.equal(env.CLEARML_API_HOST, server.api);
  assert.equal(env.CLEARML_FILES_HOST, server.files);
  assert.equal(env.CLEARML_WEB_HOST, server.web);
  assert.match(conf, new RegExp(`"access_key" = "${env.CLEARML_API_ACCESS_KEY}"`));
  assert.match(conf, new RegExp(`"secret_key" = "${env.CLEARML_API_SECRET_KEY}"`));

  // Pasted into clearml-init, the block gives a clearml.conf the SDK works with, no variables set.
  const init = runClearmlInit(`${conf}\n`);
  assert.equal(init.code, 0, init.output);
  assert.match(init.output, new RegExp(`Detected credentials key="${env.CLEARML_API_ACCESS_KEY}"`));
  assert.match(init.conf, new RegExp(`api_server: ${server.api.replace(/[.:/]/g, '\\$&')}`));
  const viaInit = await runSdk(server, join(HERE, 'use-key.py'), { confText: init.conf, args: ["made with clearml-init's clearml.conf"] });
  assert.equal(viaInit.code, 0, `the SDK could not use clearml-init's clearml.conf:\n${viaInit.stdout}\n${viaInit.stderr}`);
  // And the environment variables shown work as well.
  const run = await runSdk(server, join(HERE, 'use-key.py'), { accessKey: env.CLEARML_API_ACCESS_KEY, secretKey: env.CLEARML_API_SECRET_KEY });
  assert.equal(run.code, 0, `the SDK could not use the new key:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /TASK_ID [0-9a-f]{32}/);

  await shown.getByRole('button', { name: 'Done' }).click();
  await page.reload();
  const row = page.getByRole('row').filter({ hasText: env.CLEARML_API_ACCESS_KEY });
  await row.waitFor();
  const cells = await row.getByRole('cell').allInnerTexts();
  assert.equal(cells[1], 'web test laptop');
  assert.match(cells[3], /^(just now|\d+ min ago)$/, `Last used of a key the SDK just used: ${cells[3]}`);
  await shot('credentials');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await row.waitFor({ state: 'detached' });
  const basic = Buffer.from(`${env.CLEARML_API_ACCESS_KEY}:${env.CLEARML_API_SECRET_KEY}`).toString('base64');
  const login = await fetch(`${server.api}/auth.login`, { headers: { authorization: `Basic ${basic}` } });
  assert.equal(login.status, 401);
});

test('an expired session goes to sign-in and comes back to the same view', async () => {
  assert.ok(await page.evaluate(() => localStorage.getItem('cairn.token')), 'signed in before the token is spoiled');
  const view = `/experiments?sort=name&cols=p.General.optimizer`;
  await page.evaluate(() => localStorage.setItem('cairn.token', 'expired.token.value'));
  await page.goto(`${server.web}${view}`);
  await page.waitForURL(/\/signin\?next=/);
  assert.match(await page.locator('.signin-note').innerText(), /session has expired/);
  await shot('session-expired');
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname + u.search === view);
  await waitForNames(['made with a key from Settings', "made with clearml-init's clearml.conf", 'no augmentation', 'resnet baseline', 'resnet lr 0.01']);
  await eventually(async () => (await columnByName('p.General.optimizer'))['resnet lr 0.01'], 'adam');
  await shot('all-experiments');
});
