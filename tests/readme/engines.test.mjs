/**
 * No dependency may ask for a newer Node.js than the one the README names: `npm ci` warns
 * (EBADENGINE) and some packages then crash at run time (better-sqlite3 13 on Node 20).
 * Every `engines.node` range in package-lock.json must admit the README's oldest version.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `20.19.0` → [20, 19, 0]; `20.x`, `20` → [20, null, null] (null: any). */
function version(text) {
  const parts = text.replace(/^v/, '').split('.');
  return [0, 1, 2].map((i) => (parts[i] === undefined || /^[x*]$/i.test(parts[i]) ? null : Number(parts[i])));
}

const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const floor = (v) => v.map((x) => x ?? 0);

/** Whether the version `v` (all three numbers) satisfies one comparator such as `^20.19.0` or `>= 10.x`. */
function satisfiesOne(v, comparator) {
  const m = comparator.match(/^(\^|~|>=|<=|>|<|=)?\s*(.+)$/);
  const [, op = '', rest] = m;
  if (/^[x*]$/i.test(rest)) return true;
  const want = version(rest);
  const lo = floor(want);
  switch (op) {
    case '>=': return cmp(v, lo) >= 0;
    case '>': return cmp(v, lo) > 0;
    case '<=': return cmp(v, lo) <= 0;
    case '<': return cmp(v, lo) < 0;
    case '^': return cmp(v, lo) >= 0 && v[0] === lo[0];
    case '~': return cmp(v, lo) >= 0 && v[0] === lo[0] && (want[1] === null || v[1] === lo[1]);
    default: return want.every((x, i) => x === null || x === v[i]);
  }
}

export function satisfies(v, range) {
  if (range.trim() === '*' || range.trim() === '') return true;
  return range.split('||').some((alt) => {
    const comparators = alt.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return comparators.every((c) => satisfiesOne(v, c));
  });
}

test('the range reader agrees with npm on the ranges in our lock file', () => {
  const v20 = floor(version('20.19.0'));
  assert.equal(satisfies(v20, '>=22'), false);
  assert.equal(satisfies(v20, '^20.19.0 || >=22.12.0'), true);
  assert.equal(satisfies(floor(version('20.18.1')), '^20.19.0 || >=22.12.0'), false);
  assert.equal(satisfies(v20, '20.x || 22.x || 23.x'), true);
  assert.equal(satisfies(v20, '>= 10.x'), true);
  assert.equal(satisfies(v20, '^10 || ^12 || >=14'), true);
  assert.equal(satisfies(v20, '^8.16.0 || ^10.6.0 || >=11.0.0'), true);
  assert.equal(satisfies(v20, '*'), true);
});

test('every dependency runs on the oldest Node.js the README names', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const named = readme.match(/Node\.js (\d+\.\d+) or newer/);
  assert.ok(named, 'the README names the oldest Node.js it supports ("Node.js X.Y or newer")');
  const oldest = floor(version(named[1]));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const refused = Object.entries(lock.packages)
    .filter(([, p]) => p.engines?.node && !satisfies(oldest, p.engines.node))
    .map(([path, p]) => `${path.replace(/^.*node_modules\//, '')}@${p.version}: node ${p.engines.node}`);
  assert.deepEqual(refused, [], `these need a newer Node.js than ${named[1]}`);
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.ok(satisfies(oldest, root.engines.node), `package.json engines.node ${root.engines.node} admits ${named[1]}`);
});
