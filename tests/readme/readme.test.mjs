/**
 * The README's commands, run as a new user runs them: on a fresh copy of the repository
 * (the files git tracks or would track, nothing built, no node_modules), the first code
 * block's set-up command literally, with only the ports moved to free ones through the
 * CAIRN_* variables the README documents; then every `npx cairn …` line of the README
 * that needs no placeholder filled in, through npx as written; and the S3 section's
 * server commands with its clearml.conf block, against moto's S3 server standing in for
 * the MinIO the README names.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../packages/server/dist/testing/ports.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'cairn-readme-'));
const copy = join(work, 'cairn');
/** The first start takes `npm ci` (better-sqlite3 may compile from source) and a full build. */
const SETUP_LIMIT_MS = 20 * 60_000;

let server;
let output = '';

/** The code blocks of a markdown text, in order: their language and lines. */
function codeBlocks(markdown) {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1], lines: m[2].split('\n') }));
}

/** The commands of a shell block: its lines without comments or blank lines. */
const commands = (block) => block.lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

/** A copy of the repository as a fresh clone has it, with this checkout's uncommitted edits. */
function freshCopy() {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0').filter(Boolean);
  for (const f of files) {
    const from = join(ROOT, f);
    try {
      cpSync(from, join(copy, f), { verbatimSymlinks: true });
    } catch (err) {
      // a file git still lists but this checkout deleted
      if (err.code !== 'ENOENT') throw err;
    }
  }
}

/** The environment of a user's shell: nothing of Cairn or ClearML set. */
function userEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_') && !k.startsWith('CLEARML_') && !k.startsWith('npm_')));
  return { ...env, ...extra };
}

async function waitForPing(url, proc) {
  const deadline = Date.now() + SETUP_LIMIT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the set-up command exited with ${proc.exitCode} before the server answered:\n${output.slice(-6000)}`);
    try {
      const res = await fetch(`${url}/debug.ping`);
      if (res.status === 200) return res.json();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no debug.ping answer within ${SETUP_LIMIT_MS / 60_000} min:\n${output.slice(-6000)}`);
}

const ports = {};

before(async () => {
  mkdirSync(copy, { recursive: true });
  freshCopy();
  [ports.api, ports.web, ports.files] = [await freePort(), await freePort(), await freePort()];
});

after(async () => {
  if (server && server.exitCode === null) {
    process.kill(-server.pid, 'SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  rmSync(work, { recursive: true, force: true });
});

test("the README's first command sets up and starts the platform on a fresh copy", { timeout: SETUP_LIMIT_MS + 60_000 }, async () => {
  const first = codeBlocks(README)[0];
  assert.equal(first.lang, 'bash');
  const setup = commands(first)[0];
  assert.equal(setup, 'npm ci && npm run build && npx cairn server', 'the README starts with the set-up command');
  server = spawn('bash', ['-c', setup], {
    cwd: copy,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: userEnv({ CAIRN_API_PORT: String(ports.api), CAIRN_WEB_PORT: String(ports.web), CAIRN_FILES_PORT: String(ports.files), CAIRN_HOST: '127.0.0.1' }),
  });
  server.stdout.on('data', (d) => (output += d));
  server.stderr.on('data', (d) => (output += d));
  const ping = await waitForPing(`http://127.0.0.1:${ports.api}`, server);
  assert.equal(ping.meta.result_code, 200);
  await new Promise((r) => setTimeout(r, 500));
  assert.doesNotMatch(output, /npm (error|warn) EBADENGINE/, 'no dependency asks for another Node.js than the README names');

  // What the first start prints is enough to sign in: the key pair works, and so does the admin password.
  const key = output.match(/CLEARML_API_ACCESS_KEY=(\S+)/)?.[1];
  const secret = output.match(/CLEARML_API_SECRET_KEY=(\S+)/)?.[1];
  assert.ok(key && secret, `no key pair printed at the first start:\n${output.slice(-3000)}`);
  const login = await fetch(`http://127.0.0.1:${ports.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` } });
  assert.equal(login.status, 200);
  const password = output.match(/web sign-in: admin \/ (\S+)/)?.[1];
  assert.ok(password, 'the admin password is printed once');
  const web = await fetch(`http://127.0.0.1:${ports.web}/`);
  assert.equal(web.status, 200);
  assert.match(await web.text(), /<div id="root">/);
});

test("every `npx cairn` line of the README runs as written", { timeout: 300_000 }, async () => {
  assert.ok(server, 'the platform was set up by the previous test');
  const lines = codeBlocks(README).filter((b) => b.lang === 'bash').flatMap(commands)
    .map((l) => l.replace(/\s+#.*$/, ''))
    .filter((l) => l.startsWith('npx cairn '));
  // servers are started by the tests around this one
  const runnable = lines.filter((l) => !/<[^>]+>/.test(l) && !l.startsWith('npx cairn server') && !/agent daemon --queue/.test(l));
  for (const required of ['npx cairn --help', 'npx cairn credentials list', 'npx cairn agent daemon --help', 'npx cairn task create --help']) {
    assert.ok(runnable.includes(required), `the README shows \`${required}\``);
  }
  const run = (line) => {
    const r = spawnSync('bash', ['-c', line], { cwd: copy, env: userEnv(), encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  let created;
  for (const line of runnable) {
    const r = run(line);
    assert.equal(r.code, 0, `\`${line}\` exited ${r.code}:\n${r.out}`);
    if (line.endsWith('--help')) assert.match(r.out, /usage: cairn|^cairn /m, `\`${line}\` prints its usage`);
    if (line.startsWith('npx cairn credentials create')) created = r.out.match(/\b[A-Z0-9]{20}\b/)?.[0];
  }
  assert.match(run('npx cairn --help').out, /server[\s\S]*credentials[\s\S]*agent[\s\S]*task/);
  assert.match(run('npx cairn agent daemon --help').out, /--queue NAME/);
  assert.match(run('npx cairn task create --help').out, /--repo/);
  // The key `credentials create` printed is listed, and the README's revoke line (its
  // placeholder filled with that key) revokes it.
  assert.ok(created, 'credentials create printed a key');
  assert.match(run('npx cairn credentials list').out, new RegExp(created));
  const revokeLine = lines.find((l) => l.startsWith('npx cairn credentials revoke'));
  assert.ok(revokeLine, 'the README shows how to revoke a key');
  const revoked = run(revokeLine.replace(/<[^>]+>/, created));
  assert.equal(revoked.code, 0, revoked.out);
});

test("the S3 section's server commands run with its clearml.conf block, against S3", { timeout: 300_000 }, async () => {
  assert.ok(server, 'the platform was set up by the first test');
  const { startMoto } = await import(join(ROOT, 'tests/s3/moto.mjs'));
  const { S3Client, ListObjectsV2Command, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const section = README.slice(README.indexOf('## Keep artifacts in S3 or MinIO'));
  const blocks = codeBlocks(section.slice(0, section.indexOf('\n## ', 5)));
  const conf = blocks.find((b) => b.lang === '' && b.lines.some((l) => l.includes('aws { s3 {')));
  assert.ok(conf, 'the section shows the clearml.conf block');
  const serverLines = blocks.filter((b) => b.lang === 'bash').flatMap(commands).filter((l) => l.startsWith('npx cairn server '));
  assert.deepEqual(serverLines.map((l) => l.includes('--files-store')), [false, true], 'one server line with the credentials, one with the files store too');
  const moto = await startMoto();
  // the README's MinIO, its key and its secret are moto's here
  const local = (text) => text.replaceAll('minio.minio.svc:80', moto.host).replaceAll('"minio123"', `"${moto.secret}"`).replaceAll('key: "minio"', `key: "${moto.key}"`);
  writeFileSync(join(copy, 'storage.conf'), local(conf.lines.join('\n')));
  const s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: moto.key, secretAccessKey: moto.secret } });
  const p = { api: await freePort(), web: await freePort(), files: await freePort() };
  try {
    for (const line of serverLines) {
      const proc = spawn('bash', ['-c', local(line)], {
        cwd: copy, detached: true,
        env: userEnv({ CAIRN_API_PORT: String(p.api), CAIRN_WEB_PORT: String(p.web), CAIRN_FILES_PORT: String(p.files), CAIRN_DATA_DIR: join(work, 's3-data'), CAIRN_ACCESS_KEY: 'READMES3KEY000000001', CAIRN_SECRET_KEY: 'readme-s3-secret-0123456789' }),
      });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (out += d));
      try {
        output = '';
        await waitForPing(`http://127.0.0.1:${p.api}`, proc).catch((e) => { throw new Error(`${local(line)}: ${e.message}\n${out}`); });
        const login = await (await fetch(`http://127.0.0.1:${p.api}/auth.login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('READMES3KEY000000001:readme-s3-secret-0123456789').toString('base64')}` } })).json();
        const token = login.data.token;
        // an object the SDK would have written to the bucket, shown through the server
        const objectUrl = `s3://${moto.host}/clearml/demo/first run.0001/artifacts/summary/summary.json`;
        await s3.send(new PutObjectCommand({ Bucket: 'clearml', Key: 'demo/first run.0001/artifacts/summary/summary.json', Body: '{"final_loss": 0.2}' }));
        const signed = (await (await fetch(`http://127.0.0.1:${p.api}/files.sign_urls`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ urls: [objectUrl] }) })).json()).data.urls[0];
        assert.equal(await (await fetch(signed)).text(), '{"final_loss": 0.2}', `${line}: the server shows the S3 object`);
        if (line.includes('--files-store')) {
          const form = new FormData();
          form.append('demo/first run.0001/models/model.bin', new Blob(['weights']), 'model.bin');
          const up = await fetch(`http://127.0.0.1:${p.files}/`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
          assert.equal(up.status, 200, await up.text());
          const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'clearml', Prefix: 'cairn-files/' }));
          assert.deepEqual((listed.Contents ?? []).map((o) => o.Key), ['cairn-files/demo/first run.0001/models/model.bin']);
        }
      } finally {
        process.kill(-proc.pid, 'SIGTERM');
        await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      }
    }
  } finally {
    s3.destroy();
    await moto.stop();
  }
});
