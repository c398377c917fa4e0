/**
 * Numbered schema migrations, applied in order at start-up. Never edit a migration
 * that has shipped: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: metadata documents, credentials, settings
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_hash TEXT, doc TEXT NOT NULL);
  CREATE TABLE credentials (
    access_key TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, user TEXT NOT NULL, label TEXT NOT NULL,
    created TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, last_used TEXT);
  CREATE TABLE projects (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE tasks (id TEXT PRIMARY KEY, project TEXT, doc TEXT NOT NULL);
  CREATE INDEX tasks_project ON tasks(project);
  CREATE TABLE models (id TEXT PRIMARY KEY, project TEXT, doc TEXT NOT NULL);
  CREATE INDEX models_project ON models(project);
  CREATE TABLE queues (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
  `,
  // 2: events. Scalars are packed in chunks of consecutive points (see store/scalar-chunks.ts);
  // plots, debug images and vectors keep their JSON body, keyed so re-reports replace.
  `
  CREATE TABLE series (id INTEGER PRIMARY KEY, task TEXT NOT NULL, metric TEXT NOT NULL, variant TEXT NOT NULL,
    UNIQUE (task, metric, variant));
  CREATE TABLE scalar_chunks (series INTEGER NOT NULL, first_iter INTEGER NOT NULL, last_iter INTEGER NOT NULL,
    n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series, first_iter)) WITHOUT ROWID;
  CREATE TABLE logs (id INTEGER PRIMARY KEY, task TEXT NOT NULL, ts INTEGER NOT NULL, iter INTEGER, level TEXT NOT NULL,
    worker TEXT NOT NULL, msg TEXT NOT NULL);
  CREATE INDEX logs_task_ts ON logs(task, ts, id);
  CREATE TABLE doc_events (id INTEGER PRIMARY KEY, task TEXT NOT NULL, type TEXT NOT NULL, iter INTEGER NOT NULL,
    metric TEXT NOT NULL, variant TEXT NOT NULL, key TEXT NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL);
  CREATE UNIQUE INDEX doc_events_identity ON doc_events(task, type, iter, metric, variant, key);
  CREATE INDEX doc_events_series ON doc_events(task, type, metric, variant, iter);
  `,
];
