import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { normaliseRequirements, taskRequirements, withClearml } from './requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-reqs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('task requirements come from the task, else the repository, always with clearml', () => {
  assert.equal(taskRequirements('# Python 3.11\nnumpy == 2.1\n\n  pandas  # data\n', dir), 'numpy == 2.1\npandas\nclearml');
  assert.equal(taskRequirements(['tqdm', 'clearml==2.1.12'], dir), 'tqdm\nclearml==2.1.12');
  assert.equal(taskRequirements('', dir), 'clearml');
  writeFileSync(join(dir, 'requirements.txt'), 'requests>=2\nClearML[s3]>=2\n');
  assert.equal(taskRequirements(undefined, dir), 'requests>=2\nClearML[s3]>=2');
});

test('clearml-agent is not clearml', () => {
  assert.equal(withClearml('clearml-agent'), 'clearml-agent\nclearml');
  assert.equal(withClearml(normaliseRequirements('clearml @ git+https://example.com/clearml.git')), 'clearml @ git+https://example.com/clearml.git');
});
