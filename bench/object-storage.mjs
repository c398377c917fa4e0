// Upload and download throughput of one large artifact: through Cairn's file server on
// its data folder, through the file server on S3 (--files-store), and straight to the
// same S3 with boto3 (what the clearml SDK uses when it writes to S3 itself).
// Usage: node bench/object-storage.mjs [--mb 1024]
// S3 is moto's server (tests/s3/moto_up.py, run with the compat venv's Python: bash
// tests/compat/venv.sh makes it). moto is a Python process keeping objects in temporary
// files, so the S3 figures measure moto as much as Cairn: compare the rows with each
// other, not with a MinIO. Every transfer is checked: the SHA-256 of what comes back
// must equal the file's. Prints a JSON report.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMoto, seedS3Conf } from '../tests/s3/moto.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MB = arg('mb', 1024);
const root = new URL('..', import.meta.url).pathname;
const PYTHON = join(root, 'tests/compat/.venv/bin/python');
const KEY = 'BENCHSTORAGEKEY00001';
const SECRET = 'bench-storage-secret-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'cairn-bench-storage-'));

/** A file of MB mebibytes, every mebibyte different (a counter in random bytes). */
async function makeFile() {
  const path = join(work, 'artifact.bin');
  const out = createWriteStream(path);
  const block = randomBytes(1024 * 1024);
  const hash = createHash('sha256');
  for (let i = 0; i < MB; i++) {
    const piece = Buffer.from(block);
    piece.writeUInt32BE(i, 0);
    hash.update(piece);
    if (!out.write(piece)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return { path, sha256: hash.digest('hex'), bytes: statSync(path).size };
}

async function startCairn(name, port, extraArgs) {
  const dataDir = join(work, name);
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/main.js'), 'server', '--host', '127.0.0.1', '--data-dir', dataDir,
    '--api-port', String(port), '--files-port', String(port + 1), '--web-port', String(port + 2), ...extraArgs],
  { env: { ...process.env, CAIRN_ACCESS_KEY: KEY, CAIRN_SECRET_KEY: SECRET }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/auth.login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` } });
      const token = (await res.json()).data.token;
      return { child, token, files: port + 1 };
    } catch {
      if (i > 100 || child.exitCode !== null) throw new Error(`server ${name} did not start:\n${err}`);
      await sleep(100);
    }
  }
}

/** The SDK's upload: one multipart part whose field name is the object path, streamed. */
function upload(port, token, name, file) {
  const boundary = 'cairn-bench-boundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + file.bytes + tail.length, authorization: `Bearer ${token}` },
    }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve((performance.now() - started) / 1000) : reject(new Error(`upload: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.write(head);
    const src = createReadStream(file.path, { highWaterMark: 1024 * 1024 });
    src.pipe(req, { end: false });
    src.on('end', () => req.end(tail));
  });
}

function download(port, token, name) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: `/${name}`, headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`download: ${res.statusCode}`));
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c) => { hash.update(c); bytes += c.length; });
      res.on('end', () => resolve({ seconds: (performance.now() - started) / 1000, sha256: hash.digest('hex'), bytes }));
    }).on('error', reject);
  });
}

async function throughFileServer(label, port, extraArgs, file) {
  const server = await startCairn(label, port, extraArgs);
  try {
    const name = 'bench/task.0001/artifacts/big/artifact.bin';
    const up = await upload(server.files, server.token, name, file);
    const down = await download(server.files, server.token, name);
    if (down.sha256 !== file.sha256 || down.bytes !== file.bytes) throw new Error(`${label}: the bytes read back differ`);
    return { label, upload_MBps: +(MB / up).toFixed(1), download_MBps: +(MB / down.seconds).toFixed(1), upload_s: +up.toFixed(2), download_s: +down.seconds.toFixed(2) };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
  }
}

/** boto3's upload_file/download_file (multipart, its defaults), timed inside Python. */
function direct(moto, file) {
  const script = `
import boto3, hashlib, json, sys, time
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
t = time.perf_counter(); s3.upload_file(sys.argv[4], "clearml", "direct/artifact.bin"); up = time.perf_counter() - t
t = time.perf_counter(); s3.download_file("clearml", "direct/artifact.bin", sys.argv[5]); down = time.perf_counter() - t
h = hashlib.sha256()
with open(sys.argv[5], "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""): h.update(chunk)
print(json.dumps({"up": up, "down": down, "sha256": h.hexdigest()}))
`;
  const back = join(work, 'direct-back.bin');
  const res = spawnSync(PYTHON, ['-c', script, moto.endpoint, moto.key, moto.secret, file.path, back], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`boto3: ${res.stderr}`);
  const got = JSON.parse(res.stdout);
  rmSync(back, { force: true });
  if (got.sha256 !== file.sha256) throw new Error('direct: the bytes read back differ');
  return { label: 'straight to S3 with boto3 (no Cairn)', upload_MBps: +(MB / got.up).toFixed(1), download_MBps: +(MB / got.down).toFixed(1), upload_s: +got.up.toFixed(2), download_s: +got.down.toFixed(2) };
}

const file = await makeFile();
const moto = await startMoto();
try {
  writeFileSync(join(work, 's3.conf'), seedS3Conf(moto));
  const rows = [
    await throughFileServer('file server on the data folder', 29610, [], file),
    await throughFileServer('file server on S3 (--files-store)', 29620, ['--files-store', `s3://${moto.host}/clearml/cairn`, '--storage-credentials', join(work, 's3.conf')], file),
    direct(moto, file),
  ];
  console.log(JSON.stringify({ mebibytes: MB, rows }, null, 2));
} finally {
  await moto.stop();
  rmSync(work, { recursive: true, force: true });
}
