import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testDatabase } from '../../testing/postgres.js';
import { openPgDatabase } from '../postgres/database.js';
import { openDatabase } from '../sqlite/database.js';
import { COPY_TABLES, UNCOPIED_TABLES, pgName, type Kind } from './tables.js';

/** The declared types each kind may have in either schema. */
const SQLITE_TYPES: Record<Kind, string[]> = {
  text: ['TEXT'], int: ['INTEGER'], real: ['REAL'], bool: ['INTEGER'], json: ['TEXT'], bytes: ['BLOB'], logtext: ['TEXT'],
};
const PG_TYPES: Record<Kind, string[]> = {
  text: ['text'], int: ['bigint', 'integer'], real: ['double precision'], bool: ['boolean'], json: ['jsonb'], bytes: ['bytea'], logtext: ['text'],
};

const byName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => (a.name < b.name ? -1 : 1));

test('COPY_TABLES names every table and column the SQLite schema creates, with matching types', () => {
  const db = openDatabase(':memory:');
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    assert.deepEqual(tables.filter((n) => !UNCOPIED_TABLES.includes(n)), COPY_TABLES.map((t) => t.name).sort());
    for (const t of COPY_TABLES) {
      const actual = (db.pragma(`table_info(${t.name})`) as { name: string; type: string }[]).map((c) => ({ name: c.name, type: c.type }));
      assert.deepEqual(byName(actual).map((c) => c.name), byName([...t.columns]).map((c) => c.name), t.name);
      for (const c of t.columns) assert.ok(SQLITE_TYPES[c.kind].includes(actual.find((a) => a.name === c.name)!.type), `${t.name}.${c.name}`);
    }
  } finally {
    db.close();
  }
});

test('COPY_TABLES names every table and column the PostgreSQL schema creates, with matching types', async () => {
  const database = await testDatabase();
  const db = await openPgDatabase(database.url, 1);
  try {
    // schema_version is the migrations' own bookkeeping (SQLite: user_version).
    const { rows: tables } = await db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name COLLATE "C"`);
    assert.deepEqual(tables.map((t) => t.name).filter((n) => !UNCOPIED_TABLES.includes(n)), COPY_TABLES.map((t) => t.name).sort());
    for (const t of COPY_TABLES) {
      const { rows } = await db.query<{ name: string; type: string }>(`SELECT column_name AS name, data_type AS type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = $1`, [t.name]);
      // `seq` numbers documents in creation order: copying in that order fills it again.
      const actual = rows.filter((c) => !(t.order === 'creation' && c.name === 'seq'));
      assert.deepEqual(actual.map((c) => c.name).sort(), t.columns.map(pgName).sort(), t.name);
      for (const c of t.columns) assert.ok(PG_TYPES[c.kind].includes(actual.find((a) => a.name === pgName(c))!.type), `${t.name}.${pgName(c)}`);
    }
  } finally {
    await db.close();
    await database.drop();
  }
});
