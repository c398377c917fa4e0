import type pg from 'pg';
import { escapeText } from '../postgres/event-table.js';
import { COPY_TABLES, pgName, quote, type CopyTable, type Kind, type Row } from './tables.js';

const ARRAY_TYPES: Record<Exclude<Kind, 'bytes'>, string> = {
  text: 'text[]', int: 'bigint[]', real: 'float8[]', bool: 'boolean[]', json: 'text[]', logtext: 'text[]',
};

/** One INSERT per batch, each column one array parameter (unnest), in batch order so that `seq` follows it. */
export async function writePgRows(c: pg.ClientBase, table: CopyTable, batches: Iterable<Row[]> | AsyncIterable<Row[]>): Promise<void> {
  const names = table.columns.map((_, i) => `c${i}`);
  const select = table.columns.map((col, i) => (col.kind === 'json' ? `c${i}::jsonb` : `c${i}`));
  for await (const rows of batches) {
    const params: unknown[] = [];
    const arrays = table.columns.map((col, i) => {
      if (col.kind === 'bytes') {
        // One binary parameter per value: inside an array parameter, bytes travel as hex text.
        const first = params.length + 1;
        for (const r of rows) params.push(r[i]);
        return `ARRAY[${rows.map((_, k) => `$${first + k}::bytea`).join(', ')}]`;
      }
      params.push(col.kind === 'logtext' ? rows.map((r) => (r[i] === null ? null : escapeText(r[i] as string))) : rows.map((r) => r[i]));
      return `$${params.length}::${ARRAY_TYPES[col.kind]}`;
    });
    await c.query(`INSERT INTO ${table.name} (${table.columns.map((col) => quote(pgName(col))).join(', ')})
      SELECT ${select.join(', ')} FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS r(${names.join(', ')}, i) ORDER BY i`, params);
  }
}

/** Ids were copied as they were: each id sequence must continue past the largest. */
export async function resetPgSequences(c: pg.ClientBase): Promise<void> {
  for (const t of COPY_TABLES.filter((t) => t.serialId)) {
    await c.query(`SELECT setval(pg_get_serial_sequence('${t.name}', 'id'), coalesce(max(id), 0) + 1, false) FROM ${t.name}`);
  }
}
