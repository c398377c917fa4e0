import type { Db } from '../sqlite/database.js';
import { quote, type CopyTable, type Row } from './tables.js';

/** Inserts the batches, one SQLite transaction each, in the order given (which rowids follow). */
export async function writeSqliteRows(db: Db, table: CopyTable, batches: Iterable<Row[]> | AsyncIterable<Row[]>): Promise<void> {
  const insert = db.prepare(`INSERT INTO ${table.name} (${table.columns.map((c) => quote(c.name)).join(', ')})
    VALUES (${table.columns.map(() => '?').join(', ')})`);
  const bools = table.columns.flatMap((c, i) => (c.kind === 'bool' ? [i] : []));
  const write = db.transaction((rows: Row[]) => {
    for (const row of rows) {
      for (const i of bools) if (row[i] !== null) row[i] = row[i] ? 1 : 0;
      insert.run(row);
    }
  });
  for await (const rows of batches) write(rows);
}
