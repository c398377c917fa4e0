/**
 * The Datasets pages in Chromium, over two versions the clearml SDK made (datasets-seed.py):
 * the list, a dataset's versions, the version's files with sizes, its lineage drawn from
 * the SDK's `Dataset Struct`, the preview of a CSV it holds, its metadata, the page at the address the SDK prints, and
 * the "get a copy" command, which is run as shown and gives the version's files back.
 * Screenshots go to the "datasets" folder under the web tests' screenshot folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ACCESS_KEY, ADMIN_PASSWORD, checkPrerequisites, launchBrowser, ROOT, runSdk, screenshotDir, SECRET_KEY, startServer, until,
} from './harness.mjs';

const HERE = new URL('.', import.meta.url).pathname;
const PYTHON = process.env.CAIRN_TEST_PYTHON ?? join(ROOT, 'tests/compat/.venv/bin/python');

let server;
let browser;
let page;
let shots;
let seeded;
let printedLinks;
let step = 0;

async function shot(name) {
  await page.screenshot({ path: join(shots, `datasets-${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** The cells of a table's body rows, by `data-column`. */
const rowsOf = (table) => table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Object.fromEntries(
  [...tr.querySelectorAll('td[data-column]')].map((td) => [td.dataset.column, td.textContent.trim()]),
)));

function filesUnder(root) {
  const out = {};
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

before(async () => {
  checkPrerequisites();
  shots = screenshotDir('datasets');
  console.log(`datasets tests: screenshots in ${shots}`);
  server = await startServer();
  const run = await runSdk(server, join(HERE, 'datasets-seed.py'));
  assert.equal(run.code, 0, `seeding through the clearml SDK failed:\n${run.stdout}\n${run.stderr}`);
  seeded = JSON.parse(run.stdout.trim().split('\n').pop());
  printedLinks = [...`${run.stdout}\n${run.stderr}`.matchAll(/ClearML dataset page: (\S+)/g)].map((m) => m[1]);
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

test('the Datasets page lists the dataset with its latest version', async () => {
  await page.getByRole('link', { name: 'Datasets' }).click();
  await page.waitForURL(/\/datasets$/);
  const table = page.getByRole('table', { name: 'Datasets' });
  const rows = await until(() => rowsOf(table), (r) => r.length === 1, 'one dataset is listed');
  const { updated, ...row } = rows[0];
  // 15 + 1800 + 6 bytes
  assert.deepEqual(row, { name: 'images', project: 'Web Datasets', version: '1.0.1', status: 'Completed', versions: '2', files: '4', size: '1.8 KB' });
  assert.notEqual(updated, '');
  await shot('list');
});

test("a dataset's page shows its versions, the newest one's files, lineage, metadata and copy command", async () => {
  await page.getByRole('table', { name: 'Datasets' }).getByRole('link', { name: 'images' }).click();
  await page.waitForURL(/\/datasets\/simple\/[0-9a-f]{32}$/);
  const versions = await until(() => rowsOf(page.getByRole('table', { name: 'Versions' })), (r) => r.length === 2, 'two versions are listed');
  assert.deepEqual(versions.map((v) => [v.version, v.status, v.files]), [['1.0.1', 'Completed', '4'], ['1.0.0', 'Completed', '3']]);
  assert.equal(await page.locator('table[aria-label="Versions"] tr[aria-current="true"]').getAttribute('data-id'), seeded.child);

  const files = await rowsOf(page.getByRole('table', { name: 'Files' }));
  assert.deepEqual(files.map((f) => f.path).sort(), Object.keys(seeded.v2).sort());
  for (const f of files) {
    const bytes = Buffer.byteLength(seeded.v2[f.path]);
    assert.equal(await page.locator(`tr[data-path="${f.path}"] td[data-column="size"]`).getAttribute('title'), `${bytes} bytes`, f.path);
  }
  const fields = page.locator('.dataset-version .fields');
  assert.equal((await fields.locator('[data-field="Changes"] dd').textContent()).trim(), '2 added, 1 modified, 1 removed');
  assert.equal((await fields.locator('[data-field="Version"] dd').textContent()).trim(), '1.0.1');

  const lineage = page.getByRole('img', { name: 'Lineage' });
  assert.deepEqual((await lineage.locator('.dag-node').evaluateAll((gs) => gs.map((g) => g.dataset.id))).sort(), [seeded.child, seeded.parent].sort());
  assert.equal(await lineage.locator(`[data-edge="${seeded.parent}>${seeded.child}"]`).count(), 1);
  assert.equal(await lineage.locator('.dag-node.current').getAttribute('data-id'), seeded.child);

  // the CSV's preview, as the SDK reported it on upload: header and rows
  const preview = page.getByRole('table', { name: 'Tables / summary' });
  const previewRows = await until(() => preview.locator('tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim()))),
    (r) => r.length === 3, 'the CSV preview is shown');
  assert.deepEqual(previewRows.map((r) => r.slice(-2)), [['name', 'score'], ['ada', '0.9'], ['bob', '0.7']]);
  const meta = page.locator('[data-artifact="summary"]');
  assert.equal(await meta.count(), 1, 'the DataFrame set as metadata is shown');
  assert.equal(await page.locator('[data-artifact="state"]').count(), 0, "the dataset's own index is not metadata");
  await shot('version');
});

test('the copy command, run as shown, gives back the files of the version', async () => {
  const command = (await page.getByLabel('Command line', { exact: true }).textContent()).trim();
  assert.equal(command, `clearml-data get --id ${seeded.child} --copy ./images`);
  const work = mkdtempSync(join(tmpdir(), 'cairn-web-dsget-'));
  try {
    writeFileSync(join(work, 'clearml.conf'), '');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CLEARML_') && !k.startsWith('CAIRN_')));
    Object.assign(env, {
      HOME: work, CLEARML_CONFIG_FILE: join(work, 'clearml.conf'), CLEARML_API_HOST: server.api, CLEARML_WEB_HOST: server.web,
      CLEARML_FILES_HOST: server.files, CLEARML_API_ACCESS_KEY: ACCESS_KEY, CLEARML_API_SECRET_KEY: SECRET_KEY,
      CLEARML_CACHE_DIR: join(work, 'cache'),
    });
    const [exe, ...args] = command.split(' ');
    const res = spawnSync(join(dirname(PYTHON), exe), args, { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(res.status, 0, `${res.stdout}${res.stderr}`);
    assert.deepEqual(filesUnder(join(work, 'images')), seeded.v2);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('the dataset page address the SDK prints opens that version; a lineage box opens its version', async () => {
  const parentLink = printedLinks.find((l) => l.endsWith(`/experiments/${seeded.parent}`));
  assert.ok(parentLink, `the SDK printed a dataset page link for ${seeded.parent}: ${printedLinks.join(' ')}`);
  assert.ok(parentLink.startsWith(server.web), parentLink);
  await page.goto(parentLink);
  await until(() => page.locator('table[aria-label="Versions"] tr[aria-current="true"]').getAttribute('data-id'), (id) => id === seeded.parent, 'the parent version is selected');
  const files = await until(() => rowsOf(page.getByRole('table', { name: 'Files' })), (r) => r.length === 3, 'the first version lists three files');
  assert.deepEqual(files.map((f) => f.path).sort(), Object.keys(seeded.v1).sort());
  assert.equal((await page.locator('.dataset-version [data-field="Description"] dd').textContent()).trim(), 'first cut');
  await shot('printed-link');
  // the first version's lineage is itself alone; the child's leads back to it
  assert.deepEqual(await page.getByRole('img', { name: 'Lineage' }).locator('.dag-node').evaluateAll((gs) => gs.map((g) => g.dataset.id)), [seeded.parent]);
  await page.locator(`table[aria-label="Versions"] tr[data-id="${seeded.child}"]`).getByRole('link').click();
  await until(() => page.locator('table[aria-label="Versions"] tr[aria-current="true"]').getAttribute('data-id'), (id) => id === seeded.child, 'the child version is selected');
  await page.getByRole('img', { name: 'Lineage' }).locator(`[data-id="${seeded.parent}"]`).click();
  await page.waitForURL(new RegExp(`/experiments/${seeded.parent}$`));
  await until(() => page.locator('table[aria-label="Versions"] tr[aria-current="true"]').getAttribute('data-id'), (id) => id === seeded.parent, 'a click on the parent box opens the parent version');
});
