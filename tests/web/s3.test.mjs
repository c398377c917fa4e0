/**
 * Files the clearml SDK put straight into S3 (moto's S3 server, credentials enforced), as
 * the web UI shows them: the server reads them with its own credentials
 * (--storage-credentials, the clearml.conf's sdk.aws.s3 block) behind signed file-server
 * addresses, so debug images load, artifacts and model weights download byte for byte,
 * an object missing from the bucket is explained in words, and no response the page
 * gets carries the S3 secret. Screenshots go to the "s3" folder under the web tests'
 * screenshot folder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { seedS3Conf, startMoto } from '../s3/moto.mjs';
import {
  ACCESS_KEY, ADMIN_PASSWORD, checkPrerequisites, launchBrowser, ROOT, runSdk, screenshotDir, SECRET_KEY, startServer, callApi, until,
} from './harness.mjs';

const HERE = new URL('.', import.meta.url).pathname;
const PYTHON = process.env.CAIRN_TEST_PYTHON ?? join(ROOT, 'tests/compat/.venv/bin/python');
// Reads or deletes one object with boto3, straight from the bucket (not through Cairn).
const BUCKET_TOOL = `
import base64, sys
import boto3
from botocore.config import Config
endpoint, key, secret, op, bucket, name = sys.argv[1:7]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                  aws_secret_access_key=secret, config=Config(s3={"addressing_style": "path"}))
if op == "get":
    sys.stdout.write(base64.b64encode(s3.get_object(Bucket=bucket, Key=name)["Body"].read()).decode())
else:
    s3.delete_object(Bucket=bucket, Key=name)
`;

let moto;
let server;
let browser;
let page;
let shots;
let token;
let seeded;
let credsDir;
const samples = {};
const artifacts = {};
/** Every response any page of the browser got: its address, headers and body. */
const responses = [];
let step = 0;

async function shot(name) {
  await page.screenshot({ path: join(shots, `s3-${String(++step).padStart(2, '0')}-${name}.png`) });
}

const api = (endpoint, body) => callApi(server.api, token, endpoint, body);

/** `op` (get → the bytes, or delete) on the object an `s3://HOST:PORT/BUCKET/KEY` address names. */
function bucketObject(op, url) {
  const prefix = `s3://${moto.host}/`;
  assert.ok(url.startsWith(prefix), `${url} is on the test's S3 server`);
  const [bucket, ...key] = url.slice(prefix.length).split('/');
  const out = execFileSync(PYTHON, ['-c', BUCKET_TOOL, moto.endpoint, moto.key, moto.secret, op, bucket, key.join('/')], { encoding: 'utf8' });
  return Buffer.from(out, 'base64');
}

/** The body the page got for `url`, as the browser received it. */
async function received(url) {
  const hit = await until(async () => {
    const all = await Promise.all(responses);
    return all.find((r) => r.url === url && r.status === 200) ?? null;
  }, (r) => r !== null, `the page fetched ${url}`);
  return hit.body;
}

const openTab = async (name) => {
  await page.getByRole('tab', { name }).click();
  await until(() => page.getByRole('tab', { name, selected: true }).count(), (n) => n === 1, `the ${name} tab is shown`);
};

before(async () => {
  checkPrerequisites();
  shots = screenshotDir('s3');
  console.log(`S3 tests: screenshots in ${shots}`);
  moto = await startMoto();
  credsDir = mkdtempSync(join(tmpdir(), 'cairn-web-s3-'));
  const creds = join(credsDir, 'storage-credentials.conf');
  writeFileSync(creds, seedS3Conf(moto));
  server = await startServer({ args: ['--storage-credentials', creds] });
  // The user's clearml.conf: the server, and the same S3 block with S3 as the output URI.
  const conf = `${seedS3Conf(moto)}sdk.development.default_output_uri: "s3://${moto.host}/clearml"
api {
  api_server: "${server.api}"
  web_server: "${server.web}"
  files_server: "${server.files}"
  credentials { access_key: "${ACCESS_KEY}", secret_key: "${SECRET_KEY}" }
}
`;
  const run = await runSdk(server, join(HERE, 's3-seed.py'), { confText: conf });
  assert.equal(run.code, 0, `seeding through the clearml SDK failed:\n${run.stdout}\n${run.stderr}`);
  seeded = JSON.parse(run.stdout.trim().split('\n').pop());
  const login = await fetch(`${server.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${ACCESS_KEY}:${SECRET_KEY}`).toString('base64')}` } });
  token = (await login.json()).data.token;

  const { task } = await api('tasks.get_by_id', { task: seeded.task });
  for (const a of task.execution.artifacts) artifacts[a.key] = a.uri;
  seeded.model = task.models.output[0].model;
  const { events } = await api('events.get_task_events', { task: seeded.task, event_type: 'training_debug_image', batch_size: 100 });
  for (const e of events) samples[e.variant] = e.url;
  for (const uri of [...Object.values(artifacts), ...Object.values(samples)]) {
    assert.ok(uri.startsWith(`s3://${moto.host}/clearml/`), `the SDK stored ${uri} in the bucket`);
  }
  bucketObject('delete', samples.gone);
  bucketObject('delete', artifacts.lost);

  browser = await launchBrowser();
  browser.context.on('response', (res) => {
    responses.push(res.body().catch(() => Buffer.alloc(0)).then((body) => ({
      url: res.url(), status: res.status(), headers: JSON.stringify(res.headers()), body,
    })));
  });
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
  await moto?.stop();
  if (credsDir) rmSync(credsDir, { recursive: true, force: true });
});

test('a debug image in S3 loads through the server, byte for byte, and opens full size', async () => {
  await page.goto(`${server.web}/experiments/${seeded.task}`);
  await openTab('Debug samples');
  const card = page.locator('[data-sample="s3 samples / picture"]');
  const img = card.locator('img');
  await until(() => img.evaluate((el) => el.complete && el.naturalWidth), (w) => w === 56, 'the S3 image loads');
  const src = await img.getAttribute('src');
  assert.ok(src.startsWith(`${server.files}/.cairn-s3?url=`), `a signed file-server address: ${src}`);
  assert.deepEqual(await received(src), bucketObject('get', samples.picture), 'the page got the object\'s bytes');
  await shot('debug-samples');

  await card.getByRole('button', { name: 'Open s3 samples / picture at iteration 1' }).click();
  const viewer = page.getByRole('dialog', { name: 's3 samples / picture' });
  await until(() => viewer.locator('img').evaluate((el) => el.complete && el.naturalHeight), (h) => h === 40, 'the full-size image loads');
  assert.equal(await viewer.getByRole('link', { name: 'Open original' }).getAttribute('href'), src);
  await shot('debug-viewer');
  await page.keyboard.press('Escape');
  await until(() => viewer.count(), (n) => n === 0, 'the viewer closes');
});

test('a debug image missing from the bucket says so, in its card and in the viewer', async () => {
  const card = page.locator('[data-sample="s3 samples / gone"]');
  const name = samples.gone.split('/').pop();
  const problem = card.getByRole('alert');
  await until(() => problem.innerText(), (t) => t === `Could not load the image: no such file: ${name}`, 'the card explains the missing image');
  assert.equal(await card.locator('img').count(), 0, 'no broken image');
  await card.getByRole('button', { name: 'Open s3 samples / gone at iteration 1' }).click();
  const viewer = page.getByRole('dialog', { name: 's3 samples / gone' });
  await until(() => viewer.getByRole('alert').innerText(), (t) => t === `Could not load the image: no such file: ${name}`, 'the viewer explains the missing image');
  await shot('debug-missing');
  await page.keyboard.press('Escape');
});

test('S3 artifacts download with the bytes in the bucket; a missing one explains why, and the page stays', async () => {
  await openTab('Artifacts');
  for (const key of ['notes', 'settings']) {
    const card = page.locator(`[data-artifact="${key}"]`);
    assert.equal(await card.locator('.artifact-uri').innerText(), artifacts[key]);
    const link = card.getByRole('link', { name: `Download ${key}` });
    await until(() => link.getAttribute('aria-disabled'), (v) => v === 'false', `the ${key} link is signed`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), artifacts[key].split('/').pop());
    assert.deepEqual(readFileSync(await download.path()), bucketObject('get', artifacts[key]), `${key}: the downloaded bytes are the object's`);
  }
  assert.deepEqual(JSON.parse(bucketObject('get', artifacts.settings)), { lr: 0.1, where: 's3' });
  await shot('artifacts');

  const before = page.url();
  let downloads = 0;
  const count = () => downloads++;
  page.on('download', count);
  const lost = page.locator('[data-artifact="lost"]');
  await lost.getByRole('link', { name: 'Download lost' }).click();
  await until(() => lost.getByRole('alert').innerText(), (t) => t === `Could not download lost: no such file: ${artifacts.lost.split('/').pop()}`, 'the missing artifact is explained');
  page.off('download', count);
  assert.equal(downloads, 0);
  assert.equal(page.url(), before);
  await shot('artifact-missing');
});

test('the model page downloads weights stored in S3', async () => {
  await page.goto(`${server.web}/models/${seeded.model}`);
  const { model } = await api('models.get_by_id', { model: seeded.model });
  assert.ok(model.uri.startsWith(`s3://${moto.host}/clearml/`), model.uri);
  await until(() => page.getByLabel('URL').innerText(), (t) => t === model.uri, 'the model\'s S3 URL is shown');
  const link = page.getByRole('link', { name: `Download ${model.uri.split('/').pop()}` });
  await until(() => link.getAttribute('aria-disabled'), (v) => v === 'false', 'the weights link is signed');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const weights = bucketObject('get', model.uri);
  assert.deepEqual(readFileSync(await download.path()), weights);
  await shot('model');

  // A page the file server does not let read its answers (opened under another host
  // name) cannot ask first: the browser downloads all the same.
  let refused = 0;
  const refuse = (route) => (route.request().method() === 'HEAD' ? (refused++, route.abort('accessdenied')) : route.continue());
  await page.route(/\/\.cairn-s3\?/, refuse);
  const [again] = await Promise.all([page.waitForEvent('download'), link.click()]);
  await page.unroute(/\/\.cairn-s3\?/, refuse);
  assert.equal(refused, 1);
  assert.deepEqual(readFileSync(await again.path()), weights);
});

test('no response the browser got carries the S3 secret', async () => {
  const all = await Promise.all(responses);
  assert.ok(all.length > 20, `the page made its calls (${all.length} responses)`);
  assert.ok(all.some((r) => r.url.includes('/.cairn-s3?')), 'S3 objects came through the file server');
  for (const r of all) {
    for (const [what, text] of [['address', r.url], ['headers', r.headers], ['body', r.body.toString('latin1')]]) {
      assert.ok(!text.includes(moto.secret), `the ${what} of ${r.url} holds the S3 secret`);
    }
  }
});
