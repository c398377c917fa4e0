/**
 * Failures of the storage layer that a user can act on, told apart whichever driver gave
 * them, so that the API layer maps them to ClearML errors without knowing SQLite's codes,
 * PostgreSQL's SQLSTATEs or the file system's errno names.
 */
export type StoreFailure = 'disk-full' | 'nul-in-text';

const CODES: Readonly<Record<string, StoreFailure>> = {
  SQLITE_FULL: 'disk-full',
  ENOSPC: 'disk-full',
  // PostgreSQL: disk full
  '53100': 'disk-full',
  // PostgreSQL cannot hold a NUL character in text or JSON (SQLite can): untranslatable
  // character, character not in repertoire
  '22P05': 'nul-in-text',
  '22021': 'nul-in-text',
};

/** The failure behind a driver's error, or null for any other error. */
export function storeFailure(err: unknown): StoreFailure | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (CODES[code] ?? null) : null;
}
