import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { run } from './checkout.js';
import { PipInstallError, prepareVenv, pythonVersion, venvKey } from './python-env.js';
import { writeWheel } from './testing/wheels.js';

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
      prepareVenv({ python: 'python3', requirements, cacheDir, output: (t) => out.push(t), log: () => undefined, retryPauseMs: 10 }),
      (err: unknown) => err instanceof PipInstallError && /pip install failed with exit code 1/.test(err.message),
    );
    assert.match(out.join(''), /No matching distribution found for cairn-no-such-package==1.0/);
    assert.equal(readdirSync(cacheDir).length, before);
    assert.equal(existsSync(join(cacheDir, venvKey(await pythonVersion('python3'), requirements, false))), false);
  });

  test('an install that fails once (a package index blip) is tried again and the venv is built', async () => {
    const index = mkdtempSync(join(tmpdir(), 'cairn-index-'));
    const requirements = `--no-index\n--find-links ${index}\ncairn-retry-probe==1.0`;
    const logs: string[] = [];
    const venv = await prepareVenv({
      python: 'python3', requirements, cacheDir, output: () => undefined, retryPauseMs: 10,
      log: (line) => {
        logs.push(line);
        // The package "comes back" between the two tries.
        if (/trying once more/.test(line)) writeWheel(index, 'cairn-retry-probe', '1.0');
      },
    });
    rmSync(index, { recursive: true, force: true });
    assert.equal(venv.cached, false);
    assert.ok(logs.some((l) => /pip install failed with exit code 1; trying once more/.test(l)), logs.join('\n'));
    assert.equal((await run(venv.python, ['-c', 'import cairn_retry_probe; print(cairn_retry_probe.VALUE)'])).trim(), '1.0');
  });

  test('a freeze whose pins conflict (as clearml-agent writes back) installs as listed, like clearml-agent does', async () => {
    const index = mkdtempSync(join(tmpdir(), 'cairn-index-'));
    // a 1.0 wants b < 2, yet the environment that was frozen had b 2.0 beside it
    writeWheel(index, 'cairn-pin-a', '1.0', ['cairn-pin-b<2']);
    writeWheel(index, 'cairn-pin-b', '1.0');
    writeWheel(index, 'cairn-pin-b', '2.0');
    const requirements = `--no-index\n--find-links ${index}\ncairn-pin-a==1.0\ncairn-pin-b==2.0`;
    const logs: string[] = [];
    const out: string[] = [];
    const venv = await prepareVenv({
      python: 'python3', requirements, cacheDir, output: (t) => out.push(t), log: (l) => logs.push(l), retryPauseMs: 10,
    });
    rmSync(index, { recursive: true, force: true });
    assert.match(out.join(''), /ResolutionImpossible/, 'the strict resolver refused the list first');
    assert.ok(logs.some((l) => /legacy resolver/.test(l)), logs.join('\n'));
    const versions = await run(venv.python, ['-c', 'import cairn_pin_a, cairn_pin_b; print(cairn_pin_a.VALUE, cairn_pin_b.VALUE)']);
    assert.equal(versions.trim(), '1.0 2.0', 'every pin installed as listed');
  });

  test('an interpreter that does not run is a clear error', async () => {
    await assert.rejects(pythonVersion('/nonexistent/python3'), (err: unknown) => err instanceof PipInstallError && /cannot run the Python interpreter/.test(err.message));
  });
});
