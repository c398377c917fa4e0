import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileListFilter } from './list-filter.js';

const match = (filter: unknown, values: string[]) => compileListFilter(filter)!(values);

test('plain values are OR-ed', () => {
  assert.equal(match(['a', 'b'], ['b']), true);
  assert.equal(match(['a', 'b'], ['c']), false);
});

test('legacy leading minus excludes, combined with includes', () => {
  assert.equal(match(['-archived'], ['x']), true);
  assert.equal(match(['-archived'], ['archived', 'x']), false);
  assert.equal(match(['best', '-debug'], ['best']), true);
  assert.equal(match(['best', '-debug'], ['best', 'debug']), false);
  assert.equal(match(['best', '-debug'], ['other']), false);
});

test('__$all requires every value', () => {
  assert.equal(match(['__$all', 'a', 'b'], ['a', 'b', 'c']), true);
  assert.equal(match(['__$all', 'a', 'b'], ['a']), false);
});

test('after an operator a leading minus is a literal tag', () => {
  assert.equal(match(['__$all', '-b'], ['-b']), true);
  assert.equal(match(['__$all', '-b'], ['b']), false);
});

test('__$not negates the next value only', () => {
  assert.equal(match(['__$and', '__$not', 'a', 'b'], ['b']), true);
  assert.equal(match(['__$and', '__$not', 'a', 'b'], ['a', 'b']), false);
});

test('first operator decides how groups combine', () => {
  // OR-combined: (any of x) OR (all of a, b)
  const f = ['__$or', 'x', '__$and', 'a', 'b'];
  assert.equal(match(f, ['x']), true);
  assert.equal(match(f, ['a', 'b']), true);
  assert.equal(match(f, ['a']), false);
  // AND-combined: (all of a, b) AND (any of x, y)
  const g = ['__$and', 'a', 'b', '__$or', 'x', 'y'];
  assert.equal(match(g, ['a', 'b', 'y']), true);
  assert.equal(match(g, ['a', 'b']), false);
});

test('null matches an empty list', () => {
  assert.equal(match([null], []), true);
  assert.equal(match([null], ['a']), false);
  assert.equal(match([null, 'a'], ['a']), true);
});

test('a single string is a one-value filter; empty list means no filter', () => {
  assert.equal(match('queued', ['queued']), true);
  assert.equal(compileListFilter([]), null);
});
