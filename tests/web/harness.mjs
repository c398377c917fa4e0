/**
 * What the web UI tests stand on: a Cairn server on free ports, the real clearml SDK
 * in subprocesses, and Debian's Chromium driven by playwright-core with a fresh
 * profile. Screenshots go to tests/web/.screenshots/<suite>/ (or under $WEB_SCREENSHOTS).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort } from '../../packages/server/dist/testing/ports.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..');
const MAIN_JS = join(ROOT, 'packages', 'cli', 'dist', 'main.js');
export const CHROMIUM = '/usr/bin/chromium';

export const ACCESS_KEY = 'CAIRNWEBTESTKEY00001';
export const SECRET_KEY = 'cairn-web-test-secret-0123456789abcdefABCD';
export const ADMIN_PASSWORD = 'web-test-admin-pw';

/** Fails with the fix spelled out when something the tests need is not installed. */
export function checkPrerequisites() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`web tests: ${CHROMIUM} is missing. Install Debian's Chromium: apt-get install -y chromium`);
  }
  if (!existsSync(MAIN_JS)) throw new Error(`web tests: the server is not built (${MAIN_JS} is missing); run npm run build`);
  if (!existsSync(join(ROOT, 'packages', 'web', 'dist', 'index.html'))) throw new Error('web tests: the web UI is not built; run npm run build');
}

async function waitFor(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

/**
 * A `cairn server` process with its own data folder; `log()` reads what it printed.
 * `args` are more command-line options (`--storage-credentials FILE`).
 */
export async function startServer({ args = [] } = {}) {
  // freePort's port can still be taken by another test before the server listens.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(args);
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE/.test(err.message)) throw err;
    }
  }
}

async function startServerOnce(args) {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-web-test-'));
  const [api, web, files] = [await freePort(), await freePort(), await freePort()];
  const logPath = join(dir, 'server.log');
  const out = openSync(logPath, 'a');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_') && !k.startsWith('CLEARML_')));
  const proc = spawn(process.execPath, [
    MAIN_JS, 'server', '--host', '127.0.0.1', '--data-dir', join(dir, 'data'),
    '--api-port', String(api), '--web-port', String(web), '--files-port', String(files),
    '--admin-password', ADMIN_PASSWORD, ...args,
  ], { env: { ...env, CAIRN_ACCESS_KEY: ACCESS_KEY, CAIRN_SECRET_KEY: SECRET_KEY }, stdio: ['ignore', out, out] });
  const server = {
    api: `http://127.0.0.1:${api}`,
    web: `http://127.0.0.1:${web}`,
    files: `http://127.0.0.1:${files}`,
    dir,
    log: () => readFileSync(logPath, 'utf8'),
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(`${server.api}/debug.ping`, 30_000);
    await waitFor(`${server.web}/config.json`, 10_000);
  } catch (err) {
    proc.kill('SIGKILL');
    const log = server.log();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${err.message}; server log:\n${log}`);
  }
  return server;
}

let sdkPython;
/** The compatibility suite's venv Python, made on first use (tests/compat/venv.sh). */
function python() {
  sdkPython ??= execFileSync('bash', [join(HERE, '..', 'compat', 'venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return sdkPython;
}

/**
 * Runs the real `clearml-init` in a fresh HOME with `pasted` typed at its prompt (what a
 * user copies from the web UI); resolves with its exit code, output and the clearml.conf
 * it wrote ('' when it wrote none).
 */
export function runClearmlInit(pasted) {
  const home = mkdtempSync(join(tmpdir(), 'cairn-web-init-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CLEARML_') && !k.startsWith('CAIRN_')));
  const res = spawnSync(join(dirname(python()), 'clearml-init'), [], { env: { ...env, HOME: home }, input: pasted, encoding: 'utf8', timeout: 60_000 });
  const confPath = join(home, 'clearml.conf');
  const conf = existsSync(confPath) ? readFileSync(confPath, 'utf8') : '';
  rmSync(home, { recursive: true, force: true });
  return { code: res.status, output: `${res.stdout}${res.stderr}`, conf };
}

/**
 * Runs a Python file with the clearml SDK pointed at the server, in an isolated HOME so
 * that no clearml.conf of the machine leaks in, from a copy outside the repository so
 * that the SDK does not inspect this git checkout. Resolves with {code, stdout, stderr}.
 */
export function runSdk(server, scriptPath, { accessKey = ACCESS_KEY, secretKey = SECRET_KEY, args = [], timeoutMs = 240_000, confText } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'cairn-web-sdk-'));
  const conf = join(home, 'clearml.conf');
  // The SDK's default configuration, or the clearml.conf `confText` (what clearml-init
  // wrote): nothing of this machine's clearml.conf leaks in.
  writeFileSync(conf, confText ?? '');
  const script = join(home, basename(scriptPath));
  copyFileSync(scriptPath, script);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CLEARML_') && !k.startsWith('CAIRN_')));
  Object.assign(env, {
    HOME: home,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    CLEARML_CONFIG_FILE: conf,
    ...(confText === undefined ? {
      CLEARML_API_HOST: server.api,
      CLEARML_WEB_HOST: server.web,
      CLEARML_FILES_HOST: server.files,
      CLEARML_API_ACCESS_KEY: accessKey,
      CLEARML_API_SECRET_KEY: secretKey,
    } : {}),
    CLEARML_CACHE_DIR: join(home, 'cache'),
    CLEARML_SUPPRESS_UPDATE_MESSAGE: '1',
    CLEARML_LOG_LEVEL: 'WARNING',
    CLEARML_TASK_NO_REUSE: '1',
  });
  return new Promise((res) => {
    const proc = spawn(python(), [script, ...args], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => process.kill(-proc.pid, 'SIGKILL'), timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      // The SDK may leave a helper process behind in the group.
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(home, { recursive: true, force: true });
      res({ code, stdout, stderr });
    });
  });
}

/** Chromium headless with a fresh profile, as the issue prescribes. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'cairn-web-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 820 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A suite's own screenshot folder under .screenshots/ (or $WEB_SCREENSHOTS), emptied first. */
export function screenshotDir(suite) {
  const dir = join(process.env.WEB_SCREENSHOTS ? resolve(process.env.WEB_SCREENSHOTS) : join(HERE, '.screenshots'), suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Waits until `check` holds for what `read` returns; fails showing the last reading. */
export async function until(read, check, what, ms = 60_000) {
  const deadline = Date.now() + ms;
  let got;
  for (;;) {
    got = await read().catch(() => undefined);
    if (got !== undefined && check(got)) return got;
    if (Date.now() > deadline) assert.fail(`${what}; last seen: ${JSON.stringify(got)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Calls the API as the SDK's user does (a JSON object or a raw body); answers `data`, throws on any other result. */
export async function callApi(apiUrl, token, endpoint, body = {}) {
  const res = await fetch(`${apiUrl}/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const env = await res.json();
  if (env.meta.result_code !== 200) throw new Error(`${endpoint}: ${env.meta.result_msg}`);
  return env.data;
}
