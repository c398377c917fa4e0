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
  // 2: events
  `
  CREATE TABLE series (id INTEGER PRIMARY KEY, task TEXT NOT NULL, metric TEXT NOT NULL, variant TEXT NOT NULL,
    UNIQUE (task, metric, variant));
  CREATE TABLE scalars (series INTEGER NOT NULL, iter INTEGER NOT NULL, value REAL NOT NULL, ts INTEGER NOT NULL,
    PRIMARY KEY (series, iter)) WITHOUT ROWID;
  CREATE TABLE logs (id INTEGER PRIMARY KEY, task TEXT NOT NULL, ts INTEGER NOT NULL, level TEXT NOT NULL,
    worker TEXT NOT NULL, msg TEXT NOT NULL);
  CREATE INDEX logs_task_ts ON logs(task, ts, id);
  CREATE TABLE doc_events (task TEXT NOT NULL, type TEXT NOT NULL, metric TEXT NOT NULL, variant TEXT NOT NULL,
    iter INTEGER NOT NULL, key TEXT NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (task, type, metric, variant, iter, key)) WITHOUT ROWID;
  `,
];
