/**
 * Deleting experiments from the web UI, and what happens to their files: the delete
 * dialogs (the experiment page's and the table's bulk one) offer "Also delete artifacts,
 * models and debug samples from storage", ticked by default as in ClearML. Ticked, the
 * server deletes the files from its file server in the background (the log says which);
 * unticked, they stay. Screenshots go to the "delete-storage" folder under the web tests'
 * screenshot folder.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ACCESS_KEY, ADMIN_PASSWORD, checkPrerequisites, launchBrowser, screenshotDir, SECRET_KEY, startServer, callApi, until,
} from './harness.mjs';

const STORAGE_BOX = 'Also delete artifacts, models and debug samples from storage';
let server;
let browser;
let page;
let shots;
let token;
let step = 0;
/** name → { id, urls } of the seeded experiments */
const seeded = {};

async function shot(name) {
  await page.screenshot({ path: join(shots, `delete-${String(++step).padStart(2, '0')}-${name}.png`) });
}

const api = (endpoint, body) => callApi(server.api, token, endpoint, body);

/** Uploads to the file server as the SDK does (multipart, the field name is the path); answers the file's address. */
async function upload(path, data) {
  const form = new FormData();
  form.append(path, new Blob([data]), 'file');
  const res = await fetch(`${server.files}/`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  assert.equal(res.status, 200, await res.text());
  return `${server.files}/${path}`;
}

/** The file server's status for the file: 200 while it is stored, 404 once deleted. */
const fileStatus = async (url) => (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status;

/** A finished experiment with an artifact and a debug sample on the file server. */
async function seed(name, slug) {
  const { id } = await api('tasks.create', { name, type: 'training' });
  const artifact = await upload(`Web Delete/${slug}.${id}/artifacts/data/data.csv`, `a,b\n1,${slug}\n`);
  const sample = await upload(`Web Delete/${slug}.${id}/metrics/samples/img/img_00000001.png`, `png of ${slug}`);
  await api('tasks.add_or_update_artifacts', { task: id, artifacts: [{ key: 'data', type: 'custom', mode: 'output', uri: artifact }] });
  await api('events.add', { type: 'training_debug_image', task: id, metric: 'samples', variant: 'img', iter: 1, url: sample });
  await api('tasks.started', { task: id, force: true });
  await api('tasks.completed', { task: id, force: true });
  seeded[name] = { id, urls: [artifact, sample] };
}

before(async () => {
  checkPrerequisites();
  shots = screenshotDir('delete-storage');
  console.log(`delete-storage tests: screenshots in ${shots}`);
  server = await startServer();
  const login = await fetch(`${server.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${ACCESS_KEY}:${SECRET_KEY}`).toString('base64')}` } });
  token = (await login.json()).data.token;
  await seed('keeps its files', 'keeps');
  await seed('deleted from its page', 'page');
  await seed('deleted in bulk', 'bulk');
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

/** Deletes the experiment from its own page, with the storage box as given. */
async function deleteFromPage(name, tick) {
  await page.goto(`${server.web}/experiments/${seeded[name].id}`);
  await page.getByRole('button', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete experiment' });
  const box = dialog.getByLabel(STORAGE_BOX);
  assert.equal(await box.isChecked(), true, 'ticked by default, as in ClearML');
  await box.setChecked(tick);
  await shot(`dialog-${tick ? 'ticked' : 'unticked'}`);
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(/\/experiments(\?|$)/);
  await assert.rejects(api('tasks.get_by_id', { task: seeded[name].id }), /invalid task id/);
}

test('deleting with the storage box ticked deletes the files from the file server; unticked keeps them', async () => {
  for (const { urls } of Object.values(seeded)) for (const url of urls) assert.equal(await fileStatus(url), 200, url);

  await deleteFromPage('keeps its files', false);
  await deleteFromPage('deleted from its page', true);

  await page.goto(`${server.web}/experiments`);
  await page.getByLabel('Select deleted in bulk').check();
  await page.getByRole('toolbar', { name: 'Selected experiments' }).getByRole('button', { name: 'Delete…' }).click();
  const bulk = page.getByRole('dialog', { name: 'Delete experiments' });
  assert.equal(await bulk.getByLabel(STORAGE_BOX).isChecked(), true);
  await shot('bulk-dialog');
  await bulk.getByRole('button', { name: 'Delete' }).click();
  await page.locator('.note-info', { hasText: 'Deleted 1 experiment' }).waitFor();

  // the server waits a few seconds before deleting (the SDK deletes the same files itself first)
  const deleted = [...seeded['deleted from its page'].urls, ...seeded['deleted in bulk'].urls];
  await until(() => Promise.all(deleted.map(fileStatus)), (codes) => codes.every((c) => c === 404), 'the ticked experiments\' files are deleted');
  for (const name of ['deleted from its page', 'deleted in bulk']) {
    for (const url of seeded[name].urls) {
      assert.ok(server.log().includes(`storage cleanup: deleted ${url} (task ${seeded[name].id})`), server.log());
    }
  }
  // deleted before the others, so its files would be gone by now had they been queued
  for (const url of seeded['keeps its files'].urls) {
    assert.equal(await fileStatus(url), 200, url);
    assert.ok(!server.log().includes(url), `the log mentions ${url}:\n${server.log()}`);
  }
});
