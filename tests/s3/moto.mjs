// Starts tests/s3/moto_up.py (moto's S3 server with enforced credentials and the
// buckets clearml, datasets and models) with the compat venv's Python, for Node tests,
// the web tests and the benchmarks. The venv is made by `bash tests/compat/venv.sh`
// (npm test does that first).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = process.env.CAIRN_TEST_PYTHON ?? join(ROOT, 'tests/compat/.venv/bin/python');

/**
 * @returns {Promise<{endpoint: string, host: string, key: string, secret: string, buckets: string[], stop: () => Promise<void>}>}
 */
export async function startMoto() {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run \`bash tests/compat/venv.sh\` first (it installs moto)`);
  const child = spawn(PYTHON, [join(ROOT, 'tests/s3/moto_up.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const first = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`moto exited (${code}) before it was ready:\n${stderr}`)));
  });
  const info = JSON.parse(first);
  return {
    ...info,
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A clearml.conf `sdk.aws.s3` block in the seed's shape for this moto server. */
export function seedS3Conf(moto, { secret = moto.secret } = {}) {
  const entry = (bucket) => `{ host: "${moto.host}", bucket: "${bucket}", key: "${moto.key}", secret: "${secret}", multipart: false, secure: false }`;
  return `sdk {\n  aws {\n    s3 {\n      credentials: [\n${moto.buckets.map((b) => `        ${entry(b)}`).join('\n')}\n      ]\n    }\n  }\n}\n`;
}
