import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Project } from '@cairn/protocol';
import { openSqliteStore } from './sqlite-store.js';

const project = (id: string, name: string): Project => ({
  id, name, basename: name, description: '', user: 'u', company: 'c', created: '2026-01-01T00:00:00Z', last_update: '2026-01-01T00:00:00Z', tags: [], system_tags: [],
});

test('scans follow writes made here and by another process on the same file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-doc-'));
  const a = openSqliteStore(join(dir, 'db.sqlite'));
  const b = openSqliteStore(join(dir, 'db.sqlite'));
  try {
    await a.projects.insert(project('p1', 'one'));
    assert.deepEqual((await a.projects.find()).map((p) => p.name), ['one']);
    await a.projects.update('p1', (p) => ({ ...p, name: 'uno' }));
    assert.deepEqual((await a.projects.find()).map((p) => p.name), ['uno']);
    // a second connection stands for another process writing the same database file
    await b.projects.insert(project('p2', 'two'));
    await b.projects.update('p1', (p) => ({ ...p, name: 'eins' }));
    assert.deepEqual((await a.projects.find()).map((p) => p.name).sort(), ['eins', 'two']);
    await b.projects.delete('p2');
    assert.deepEqual((await a.projects.find()).map((p) => p.id), ['p1']);
  } finally {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('documents from a scan are frozen, documents to mutate are fresh copies', async () => {
  const s = openSqliteStore(':memory:');
  await s.projects.insert(project('p1', 'one'));
  const [found] = await s.projects.find();
  assert.throws(() => {
    (found as { name: string }).name = 'changed';
  }, TypeError);
  const updated = await s.projects.update('p1', (p) => {
    p.tags.push('x');
    return p;
  });
  assert.deepEqual(updated?.tags, ['x']);
  assert.deepEqual((await s.projects.find())[0].tags, ['x']);
  await s.close();
});
