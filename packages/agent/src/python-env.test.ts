import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { run } from './checkout.js';
import { PipInstallError, prepareVenv, pythonVersion, venvKey } from './python-env.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'cairn-venvs-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

// `--no-index` keeps these installs off the network: an empty install succeeds, a missing package fails.
describe('prepareVenv', () => {
  test('builds a venv once and reuses it for the same Python and requirements', async () => {
    const out: string[] = [];
    const req = { python: 'python3', requirements: '--no-index', cacheDir, output: (t: string) => out.push(t), log: () => undefined };
    const first = await prepareVenv(req);
    assert.equal(first.cached, false);
    assert.equal(first.dir, join(cacheDir, venvKey(await pythonVersion('python3'), '--no-index', false)));
    assert.match(await run(first.python, ['-c', 'import sys; print(sys.prefix != sys.base_prefix)']), /True/);
    const second = await prepareVenv(req);
    assert.deepEqual(second, { ...first, cached: true });
  });

  test('a failed install leaves no cache entry and reports pip\'s error', async () => {
    const out: string[] = [];
    const requirements = '--no-index\ncairn-no-such-package==1.0';
    const before = readdirSync(cacheDir).length;
    await assert.rejects(
      prepareVenv({ python: 'python3', requirements, cacheDir, output: (t) => out.push(t), log: () => undefined }),
      (err: unknown) => err instanceof PipInstallError && /pip install failed with exit code 1/.test(err.message),
    );
    assert.match(out.join(''), /No matching distribution found for cairn-no-such-package==1.0/);
    assert.equal(readdirSync(cacheDir).length, before);
    assert.equal(existsSync(join(cacheDir, venvKey(await pythonVersion('python3'), requirements, false))), false);
  });

  test('an interpreter that does not run is a clear error', async () => {
    await assert.rejects(pythonVersion('/nonexistent/python3'), (err: unknown) => err instanceof PipInstallError && /cannot run the Python interpreter/.test(err.message));
  });
});
