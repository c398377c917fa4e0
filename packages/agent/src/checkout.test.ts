import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CheckoutError, materialiseCode } from './checkout.js';
import { git, makeRepo } from './testing/git-repo.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-checkout-'));
const repo = join(dir, 'repo');
let first = '';
let n = 0;
const taskDir = () => join(dir, `task-${n++}`);
const noLog = () => undefined;

before(() => {
  const commit = makeRepo(repo);
  first = commit({ 'src/train.py': 'print("v1")\n' }, 'v1');
  git(repo, 'tag', 'v1.0');
  commit({ 'src/train.py': 'print("v2")\n' }, 'v2');
  git(repo, 'checkout', '--quiet', '-b', 'feature');
  commit({ 'src/train.py': 'print("feature")\n' }, 'feature');
  git(repo, 'checkout', '--quiet', 'main');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const read = (c: { cwd: string; entryPoint: string }) => readFileSync(join(c.cwd, c.entryPoint), 'utf8');

describe('materialiseCode', () => {
  test('clones and checks out the commit, else the branch, else the tag, else the default branch', async () => {
    const base = { repository: repo, entry_point: 'train.py', working_dir: 'src' };
    assert.equal(read(await materialiseCode({ ...base, version_num: first, branch: 'feature' }, taskDir(), noLog)), 'print("v1")\n');
    assert.equal(read(await materialiseCode({ ...base, branch: 'feature' }, taskDir(), noLog)), 'print("feature")\n');
    assert.equal(read(await materialiseCode({ ...base, branch: 'origin/feature' }, taskDir(), noLog)), 'print("feature")\n');
    assert.equal(read(await materialiseCode({ ...base, tag: 'v1.0' }, taskDir(), noLog)), 'print("v1")\n');
    const plain = await materialiseCode({ ...base, repository: `file://${repo}` }, taskDir(), noLog);
    assert.equal(read(plain), 'print("v2")\n');
    assert.equal(plain.cwd, join(plain.root, 'src'));
  });

  test('applies script.diff on top of the checkout and splits arguments off the entry point', async () => {
    const diff = ['diff --git a/src/train.py b/src/train.py', '--- a/src/train.py', '+++ b/src/train.py', '@@ -1 +1 @@', '-print("v2")', '+print("patched")', ''].join('\n');
    const c = await materialiseCode({ repository: repo, entry_point: 'train.py --lr 0.1', working_dir: 'src', diff }, taskDir(), noLog);
    assert.equal(read(c), 'print("patched")\n');
    assert.deepEqual(c.entryArgs, ['--lr', '0.1']);
  });

  test('without a repository the script text is written to the entry point', async () => {
    const c = await materialiseCode({ entry_point: 'job.py', diff: 'print("single file")\n' }, taskDir(), noLog);
    assert.equal(read(c), 'print("single file")\n');
    const d = await materialiseCode({ diff: 'print(1)\n' }, taskDir(), noLog);
    assert.equal(d.entryPoint, 'script.py');
  });

  test('failures carry the status reason the task ends with', async () => {
    await assert.rejects(materialiseCode({ repository: join(dir, 'no-such-repo'), entry_point: 'x.py' }, taskDir(), noLog),
      (err: unknown) => err instanceof CheckoutError && err.reason === 'failed cloning repository' && /no-such-repo/.test(err.message));
    await assert.rejects(materialiseCode({ repository: repo, entry_point: 'train.py', diff: 'diff --git a/nope b/nope\n--- a/nope\n+++ b/nope\n@@ -1 +1 @@\n-x\n+y\n' }, taskDir(), noLog),
      (err: unknown) => err instanceof CheckoutError && err.reason === 'failed applying git diff');
    await assert.rejects(materialiseCode({ repository: repo, entry_point: 'train.py', working_dir: '../..' }, taskDir(), noLog),
      (err: unknown) => err instanceof CheckoutError && err.reason === 'invalid working directory');
    await assert.rejects(materialiseCode({ entry_point: 'x.py' }, taskDir(), noLog),
      (err: unknown) => err instanceof CheckoutError && err.reason === 'no code to run');
    const failed = taskDir();
    await assert.rejects(materialiseCode({ repository: repo, version_num: 'f'.repeat(40), entry_point: 'x.py' }, failed, noLog), CheckoutError);
    assert.equal(existsSync(join(failed, 'code', 'src')), true);
  });
});
