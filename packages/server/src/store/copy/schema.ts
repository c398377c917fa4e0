import type { Queryable } from '../postgres/database.js';
import { redactDatabaseUrl } from '../postgres/database.js';
import { PG_MIGRATIONS } from '../postgres/migrations.js';
import type { Db } from '../sqlite/database.js';
import { MIGRATIONS } from '../sqlite/migrations.js';
import { CopyError } from './copy-error.js';

/**
 * The column mappings (tables.ts) hold between the two current schemas only, so a
 * copy between stores needs a SQLite file at this version of Cairn; a plain file copy
 * also takes an older one, which the server upgrades at start-up.
 */
export function requireSqliteSchema(db: Db, file: string, accept: 'current' | 'current-or-older'): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const hasTasks = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tasks'").get() !== undefined;
  if (version === 0 || !hasTasks) throw new CopyError(`${file} is not a Cairn database`);
  if (version > MIGRATIONS.length) {
    throw new CopyError(`${file} was written by a newer Cairn (schema version ${version}, this one knows ${MIGRATIONS.length}): use that version`);
  }
  if (version < MIGRATIONS.length && accept === 'current') {
    throw new CopyError(`${file} has an older schema (version ${version}, this Cairn's is ${MIGRATIONS.length}): `
      + 'start `cairn server` of this version on it once (it upgrades the file), then copy it');
  }
}

/** openPgDatabase has brought an older schema up to date; a newer one would not match the mappings. */
export async function requirePgSchema(db: Queryable, url: string): Promise<void> {
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_version');
  const version = rows[0]?.version;
  if (version !== PG_MIGRATIONS.length) {
    throw new CopyError(`${redactDatabaseUrl(url)} was written by a newer Cairn (schema version ${version}, this one knows ${PG_MIGRATIONS.length}): use that version`);
  }
}
