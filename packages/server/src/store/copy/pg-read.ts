import type pg from 'pg';
import { unescapeText } from '../postgres/event-table.js';
import { BATCH_ROWS, orderBy, pgName, quote, type CopyTable, type Row } from './tables.js';

/**
 * The rows of one table in batches, through a cursor: the caller's transaction (a
 * REPEATABLE READ one for a snapshot) must stay open until the last batch.
 */
export async function* readPgRows(c: pg.ClientBase, table: CopyTable): AsyncGenerator<Row[]> {
  const cursor = `copy_${table.name}`;
  const columns = table.columns.map((col) => (col.kind === 'json' ? `${quote(pgName(col))}::text` : quote(pgName(col))));
  const logText = table.columns.flatMap((col, i) => (col.kind === 'logtext' ? [i] : []));
  await c.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${columns.join(', ')} FROM ${table.name} ORDER BY ${orderBy(table, 'pg')}`);
  for (;;) {
    const { rows } = await c.query<Row>({ text: `FETCH ${BATCH_ROWS} FROM ${cursor}`, rowMode: 'array' });
    if (rows.length === 0) break;
    for (const row of rows) for (const i of logText) if (row[i] !== null) row[i] = unescapeText(row[i] as string);
    yield rows;
  }
  await c.query(`CLOSE ${cursor}`);
}
