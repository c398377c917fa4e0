import assert from 'node:assert/strict';
import { test } from 'node:test';
import { project } from './projection.js';
import { compileGetAll, runQuery, storePages } from './query.js';
import { compileGlob, compilePythonRegex, RegexError } from './regex.js';

const docs = [
  { id: 'a1', name: 'Proj Alpha', status: 'completed', tags: ['best'], system_tags: [], created: '2026-01-02T00:00:00Z', script: { repository: 'r1' } },
  { id: 'b2', name: 'Proj Beta', status: 'created', tags: ['debug'], system_tags: ['archived'], created: '2026-01-01T00:00:00Z', script: { repository: 'r2' } },
  { id: 'c3', name: 'Other-#1', status: 'failed', tags: [], system_tags: ['hidden'], created: '2026-01-03T00:00:00Z', comment: 'Needle here' },
];
const LIST = ['status', 'tags', 'system_tags'];
const ids = (req: Record<string, unknown>) => runQuery(docs, compileGetAll(req, LIST)).map((d) => d.id);

test('Python re.escape patterns from the SDK match exactly', () => {
  assert.deepEqual(ids({ name: '^Proj\\ Alpha$' }), ['a1']);
  assert.deepEqual(ids({ name: '^Other\\-\\#1$', search_hidden: true }), ['c3']);
  assert.deepEqual(ids({ name: 'Proj' }), ['a1', 'b2']);
});

test('name search is case-sensitive and unanchored', () => {
  assert.deepEqual(ids({ name: 'proj' }), []);
  assert.deepEqual(ids({ name: 'Beta' }), ['b2']);
});

test('hidden entities are excluded unless asked for or named by id', () => {
  assert.deepEqual(ids({}), ['a1', 'b2']);
  assert.deepEqual(ids({ search_hidden: true }), ['a1', 'b2', 'c3']);
  assert.deepEqual(ids({ id: ['c3'] }), ['c3']);
});

test('list filters on scalar and list fields', () => {
  assert.deepEqual(ids({ status: ['completed', 'created'] }), ['a1', 'b2']);
  assert.deepEqual(ids({ system_tags: ['-archived'] }), ['a1']);
  assert.deepEqual(ids({ tags: ['__$all', 'best'] }), ['a1']);
});

test('order_by with descending prefix and paging', () => {
  assert.deepEqual(ids({ order_by: ['-created'], search_hidden: true }), ['c3', 'a1', 'b2']);
  assert.deepEqual(ids({ order_by: ['created'], page: 1, page_size: 2, search_hidden: true }), ['c3']);
  assert.deepEqual(ids({ order_by: ['created'], page: 0, page_size: 2, search_hidden: true }), ['b2', 'a1']);
});

test('search_text looks at name, id and comment, case-insensitively', () => {
  assert.deepEqual(ids({ search_text: 'needle', search_hidden: true }), ['c3']);
});

test('_any_ and _all_ match regexes over fields', () => {
  assert.deepEqual(ids({ _any_: { pattern: 'r2', fields: ['script.repository', 'name'] } }), ['b2']);
  assert.deepEqual(ids({ _all_: { pattern: 'proj', fields: ['name'] } }), ['a1', 'b2']);
});

test('dotted keys match nested values exactly', () => {
  assert.deepEqual(ids({ 'script.repository': 'r1' }), ['a1']);
});

test('only_fields nests dotted paths and keeps id', () => {
  assert.deepEqual(project(docs[0], ['script.repository', 'status']), { id: 'a1', script: { repository: 'r1' }, status: 'completed' });
});

test('only_fields keeps the objects on the way to a missing path, as MongoDB does', () => {
  const doc = { id: 't1', runtime: {} as Record<string, unknown>, script: { repository: 'r' }, tags: ['x'] };
  assert.deepEqual(project(doc, ['id', 'runtime.version']), { id: 't1', runtime: {} });
  assert.deepEqual(project(doc, ['runtime.a.b', 'nothing.here', 'tags.0']), { id: 't1', runtime: {} });
  doc.runtime.version = '1.0.1';
  assert.deepEqual(project(doc, ['runtime', 'runtime.version']), { id: 't1', runtime: { version: '1.0.1' } });
  assert.deepEqual(project(doc, ['runtime.version', 'script']), { id: 't1', runtime: { version: '1.0.1' }, script: { repository: 'r' } });
  assert.deepEqual(doc.runtime, { version: '1.0.1' }, 'the source document is left as it was');
});

test('invalid regex is a RegexError; the Python syntax the SDK sends is taken', () => {
  assert.throws(() => compilePythonRegex('(unclosed'), RegexError);
  assert.equal(compilePythonRegex('(?P<x>a)b').test('zab'), true);
  assert.equal(compilePythonRegex('(?i)abc').test('xABCx'), true);
  // re.escape("my run-1 #2 (a&b)") as Python 3.11 writes it
  assert.equal(compilePythonRegex('^my\\ run\\-1\\ \\#2\\ \\(a\\&b\\)$').test('my run-1 #2 (a&b)'), true);
  assert.equal(compilePythonRegex('\\Arun\\Z').test('run'), true);
  assert.equal(compilePythonRegex('\\Arun\\Z').test('run 2'), false);
  assert.equal(compilePythonRegex('a\\\\Z').test('a\\Z'), true, 'an escaped backslash before Z stays a backslash');
  assert.equal(compilePythonRegex('(?s)a.b').test('a\nb'), true);
});

test('patterns run in linear time: what backtracking engines need exponential time for is instant, and what needs backtracking is refused', () => {
  // With a backtracking engine this pattern took 31.8 s on a 31-character name; on 5,000
  // characters it would not return at all.
  const evil = compilePythonRegex('^(a+)+$');
  assert.equal(evil.test(`${'a'.repeat(5000)}b`), false);
  assert.equal(evil.test('a'.repeat(5000)), true);
  assert.throws(() => compilePythonRegex('(?P<x>a)(?P=x)'), (e: unknown) => e instanceof RegexError && /invalid regular expression/.test(e.message));
  assert.throws(() => compilePythonRegex('a(?=b)'), RegexError);
  assert.throws(() => compilePythonRegex('a'.repeat(1001)), /at most 1000/);
});

test('worker globs match the whole id in linear time', () => {
  const g = compileGlob('gpu-*:?');
  assert.equal(g.test('gpu-box-01:0'), true);
  assert.equal(g.test('gpu-box-01:10'), false);
  assert.equal(compileGlob('a.b').test('axb'), false);
  assert.equal(compileGlob('*a*a*a*a*a*a*b').test('a'.repeat(10_000)), false);
});

test('numeric strings sort as numbers, other strings as text', () => {
  const rows = [{ id: '1', v: '10' }, { id: '2', v: '9' }, { id: '3', v: '0.5' }, { id: '4', v: 'abc' }];
  const sorted = runQuery(rows, compileGetAll({ order_by: ['v'] }, [])).map((r) => r.v);
  assert.deepEqual(sorted, ['0.5', '9', '10', 'abc']);
});

test('range filters take [min, max] with open ends', () => {
  const rows = [
    { id: '1', last_iteration: 5, started: '2026-01-01T00:00:00Z', last_metrics: { m: { v: { value: 0.2 } } } },
    { id: '2', last_iteration: 50, started: '2026-02-01T00:00:00Z', last_metrics: { m: { v: { value: 0.9 } } } },
    { id: '3', last_iteration: 500 },
  ];
  const q = (req: Record<string, unknown>) => runQuery(rows, compileGetAll(req, [])).map((r) => r.id);
  assert.deepEqual(q({ last_iteration: [10, null] }), ['2', '3']);
  assert.deepEqual(q({ last_iteration: [null, 50] }), ['1', '2']);
  assert.deepEqual(q({ started: ['2026-01-15T00:00:00Z', null] }), ['2']);
  assert.deepEqual(q({ 'last_metrics.m.v.value': [0.5, 1] }), ['2']);
  assert.throws(() => compileGetAll({ last_iteration: 5 }, []), /range/);
});

test('a numeric range without a minimum also matches documents lacking the field, as the trigger scheduler expects', () => {
  const rows = [{ id: '1', last_metrics: { m: { v: { min_value: 0.2 } } } }, { id: '2', last_metrics: { m: { v: { min_value: 0.9 } } } }, { id: '3' }];
  const q = (req: Record<string, unknown>) => runQuery(rows, compileGetAll(req, [])).map((r) => r.id);
  assert.deepEqual(q({ 'last_metrics.m.v.min_value': [null, 0.5] }), ['1', '3']);
  assert.deepEqual(q({ 'last_metrics.m.v.min_value': [0.5, null] }), ['2']);
});

test('datetime filters take >, >=, <, <= conditions on moments, in any ISO form the SDK sends', () => {
  const rows = [
    { id: 'z', last_update: '2026-01-01T10:00:00.000Z' },
    { id: 'p', last_update: '2026-01-01T10:00:00.500000+00:00' },
    { id: 'o', last_update: '2026-01-01T12:00:01+02:00' },
    { id: 'n' },
  ];
  const q = (req: Record<string, unknown>) => runQuery(rows, compileGetAll({ ...req, order_by: ['id'] }, [])).map((r) => r.id);
  assert.deepEqual(q({ last_update: '>2026-01-01T10:00:00+00:00' }), ['o', 'p']);
  assert.deepEqual(q({ last_update: '>=2026-01-01T10:00:00' }), ['o', 'p', 'z']);
  assert.deepEqual(q({ last_update: '>2026-01-01 10:00:00.500000' }), ['o']);
  assert.deepEqual(q({ last_update: ['>2026-01-01T09:00:00Z', '<2026-01-01T10:00:00.5Z'] }), ['z']);
  assert.deepEqual(q({ last_update: '2026-01-01T10:00:01Z' }), ['o']);
  assert.deepEqual(q({ last_update: ['2026-01-01T10:00:00.5Z', null] }), ['o', 'p']);
  assert.throws(() => compileGetAll({ last_update: '>yesterday' }, []), /not a datetime/);
});

test('_or_ and _and_ apply datetime conditions over several fields', () => {
  const rows = [
    { id: 'u', last_update: '2026-01-02T00:00:00Z', last_change: '2026-01-01T00:00:00Z' },
    { id: 'c', last_update: '2026-01-01T00:00:00Z', last_change: '2026-01-02T00:00:00Z' },
    { id: 'b', last_update: '2026-01-02T00:00:00Z', last_change: '2026-01-02T00:00:00Z' },
    { id: 'old', last_update: '2025-01-01T00:00:00Z', last_change: '2025-01-01T00:00:00Z' },
  ];
  const q = (req: Record<string, unknown>) => runQuery(rows, compileGetAll({ ...req, order_by: ['id'] }, [])).map((r) => r.id);
  const after = { fields: ['last_update', 'last_change'], datetime: ['>2026-01-01T12:00:00+00:00'] };
  assert.deepEqual(q({ _or_: after }), ['b', 'c', 'u']);
  assert.deepEqual(q({ _and_: after }), ['b']);
  assert.deepEqual(q({ _or_: { fields: ['name', 'id'], pattern: '^O' } }), ['old']);
  assert.throws(() => compileGetAll({ _or_: 'last_update' } as unknown as Record<string, unknown>, []), /_or_ takes/);
});

test('the plan: what a SQL store may answer alone, and what stays in memory', () => {
  const plan = (req: Record<string, unknown>) => compileGetAll({ page: 0, page_size: 15, ...req }, LIST);
  // the experiments table's request: project, not archived, newest first
  const table = plan({ status: ['completed'], system_tags: ['-archived'], order_by: ['-last_metrics.a.b.value', '-created'] });
  assert.equal(storePages(table), true);
  assert.deepEqual(table.plan.conditions, [
    { op: 'in', path: ['status'], values: ['completed'], scalar: true },
    { op: 'lacks', path: ['system_tags'], value: 'archived' },
    { op: 'lacks', path: ['system_tags'], value: 'hidden' },
  ]);
  assert.deepEqual(table.plan.order, [
    { path: ['last_metrics', 'a', 'b', 'value'], descending: true, kind: 'number' },
    { path: ['created'], descending: true, kind: 'text' },
    { path: ['id'], descending: false, kind: 'text' },
  ]);
  assert.deepEqual(plan({ 'hyperparams.Args.lr.value': '0.1', 'last_metrics.a.b.value': [0.1, null] }).plan.conditions.slice(1), [
    { op: 'in', path: ['hyperparams', 'Args', 'lr', 'value'], values: ['0.1'], scalar: false },
    { op: 'range', path: ['last_metrics', 'a', 'b', 'value'], lo: 0.1, hi: null },
  ]);
  // names and hyper-parameters may read as numbers ("9" < "10"), which SQL text order does not follow
  assert.equal(plan({ order_by: ['name'] }).plan.order, null);
  assert.equal(plan({ order_by: ['hyperparams.Args.lr.value'] }).plan.order, null);
  for (const residual of [{ name: 'x' }, { search_text: 'x' }, { tags: ['__$not', 'x'] }, { tags: [null] }, { created: '>2026-01-01' }, { 'last_metrics.a.b.value': ['1', '2'] }]) {
    assert.equal(storePages(plan(residual)), false, JSON.stringify(residual));
  }
  assert.equal(storePages(compileGetAll({ status: ['completed'] }, LIST)), false, 'no page: the caller filters the scan');
  assert.equal(storePages(plan({ id: ['a1'] })), false);
});
