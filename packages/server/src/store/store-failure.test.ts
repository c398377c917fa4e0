import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { storeFailure } from './store-failure.js';

test("SQLite's error for a database that cannot grow is told as a full disk", () => {
  const db = new Database(':memory:');
  // a database capped at a few pages fails as a full disk does: SQLITE_FULL
  db.pragma('max_page_count = 4');
  db.exec('CREATE TABLE t (x TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  let failure: unknown;
  try {
    for (let i = 0; i < 100; i++) insert.run('x'.repeat(4096));
  } catch (err) {
    failure = err;
  }
  db.close();
  assert.ok(failure, 'the capped database refused a row');
  assert.equal(storeFailure(failure), 'disk-full');
});

test('other errors are left to the caller', () => {
  assert.equal(storeFailure(new Error('boom')), null);
  assert.equal(storeFailure(Object.assign(new Error('unique'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })), null);
  assert.equal(storeFailure(null), null);
  assert.equal(storeFailure(Object.assign(new Error('nul'), { code: '22P05' })), 'nul-in-text');
});
