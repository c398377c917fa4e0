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
  // 3: queue entries in their own table (atomic pops), queue metrics, workers and their
  // statistics. Entries move out of the queue documents; `added` becomes epoch ms.
  // The status index lets the worker watchdog find in_progress tasks without a scan.
  `
  CREATE TABLE queue_entries (queue TEXT NOT NULL, task TEXT NOT NULL, position INTEGER NOT NULL, added INTEGER NOT NULL,
    PRIMARY KEY (queue, task)) WITHOUT ROWID;
  CREATE UNIQUE INDEX queue_entries_order ON queue_entries(queue, position);
  CREATE INDEX queue_entries_task ON queue_entries(task);
  INSERT OR IGNORE INTO queue_entries (queue, task, position, added)
    SELECT q.id, json_extract(e.value, '$.task'), e.key,
      CAST(round((julianday(json_extract(e.value, '$.added')) - 2440587.5) * 86400000.0) AS INTEGER)
    FROM queues q, json_each(q.doc, '$.entries') e;
  UPDATE queues SET doc = json_remove(doc, '$.entries');
  CREATE TABLE queue_metrics (id INTEGER PRIMARY KEY, queue TEXT NOT NULL, ts INTEGER NOT NULL, length INTEGER NOT NULL,
    avg_wait REAL NOT NULL);
  CREATE INDEX queue_metrics_queue_ts ON queue_metrics(queue, ts);
  CREATE TABLE workers (id TEXT PRIMARY KEY, expires INTEGER NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX workers_expires ON workers(expires);
  CREATE TABLE worker_reports (id INTEGER PRIMARY KEY, worker TEXT NOT NULL, ts INTEGER NOT NULL, task TEXT);
  CREATE INDEX worker_reports_ts ON worker_reports(ts);
  CREATE TABLE worker_stats (metric TEXT NOT NULL, ts INTEGER NOT NULL, worker TEXT NOT NULL, variant TEXT NOT NULL,
    value REAL NOT NULL, PRIMARY KEY (metric, ts, worker, variant)) WITHOUT ROWID;
  CREATE TABLE worker_metric_keys (worker TEXT NOT NULL, metric TEXT NOT NULL, PRIMARY KEY (worker, metric)) WITHOUT ROWID;
  CREATE INDEX tasks_status ON tasks(json_extract(doc, '$.status'));
  `,
  // 4: sessions of password sign-ins (the web UI), which sign-out and a password change end
  `
  CREATE TABLE sessions (id TEXT PRIMARY KEY, user TEXT NOT NULL, created TEXT NOT NULL, expires INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX sessions_user ON sessions(user);
  `,
  // 5: files of deleted tasks and models, deleted in the background (services/storage-cleanup)
  `
  CREATE TABLE storage_deletions (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, owner_type TEXT NOT NULL,
    owner TEXT NOT NULL, created INTEGER NOT NULL, attempts INTEGER NOT NULL, next_attempt INTEGER NOT NULL,
    last_error TEXT, status TEXT NOT NULL, finished INTEGER);
  CREATE INDEX storage_deletions_due ON storage_deletions(status, next_attempt);
  `,
  // 6: get_all in SQL (selection-sql.ts, store/metric-pages.ts). The date indexes give the
  // experiments table's orders (newest first, within a project too) in index order. Each task's last metric
  // values are rows of task_metrics, kept by triggers from the document, so that a page
  // sorted by a metric walks an index in metric order. It is derived: copies (backup,
  // restore) leave it out and the triggers fill it again.
  `
  CREATE INDEX tasks_created ON tasks(json_extract(doc, '$.created'));
  CREATE INDEX tasks_project_created ON tasks(project, json_extract(doc, '$.created'));
  CREATE INDEX tasks_last_update ON tasks(json_extract(doc, '$.last_update'));
  CREATE INDEX tasks_started ON tasks(json_extract(doc, '$.started'));
  CREATE TABLE task_metrics (task TEXT NOT NULL, metric TEXT NOT NULL, variant TEXT NOT NULL,
    value REAL, min_value REAL, max_value REAL, PRIMARY KEY (task, metric, variant)) WITHOUT ROWID;
  CREATE INDEX task_metrics_value ON task_metrics(metric, variant, value);
  CREATE INDEX task_metrics_min_value ON task_metrics(metric, variant, min_value);
  CREATE INDEX task_metrics_max_value ON task_metrics(metric, variant, max_value);
  CREATE VIEW task_metric_rows AS
    SELECT t.id AS task, m.key AS metric, v.key AS variant,
      CASE WHEN json_type(v.value, '$.value') IN ('integer', 'real') THEN json_extract(v.value, '$.value') END AS value,
      CASE WHEN json_type(v.value, '$.min_value') IN ('integer', 'real') THEN json_extract(v.value, '$.min_value') END AS min_value,
      CASE WHEN json_type(v.value, '$.max_value') IN ('integer', 'real') THEN json_extract(v.value, '$.max_value') END AS max_value
    FROM tasks t, json_each(t.doc, '$.last_metrics') m, json_each(m.value) v
    WHERE json_type(t.doc, '$.last_metrics') = 'object' AND m.type = 'object' AND v.type = 'object';
  CREATE TRIGGER tasks_metrics_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_metrics SELECT * FROM task_metric_rows WHERE task = NEW.id;
  END;
  CREATE TRIGGER tasks_metrics_update AFTER UPDATE OF doc ON tasks
    WHEN json_extract(OLD.doc, '$.last_metrics') IS NOT json_extract(NEW.doc, '$.last_metrics') BEGIN
    DELETE FROM task_metrics WHERE task = OLD.id;
    INSERT INTO task_metrics SELECT * FROM task_metric_rows WHERE task = NEW.id;
  END;
  CREATE TRIGGER tasks_metrics_delete AFTER DELETE ON tasks BEGIN
    DELETE FROM task_metrics WHERE task = OLD.id;
  END;
  INSERT INTO task_metrics SELECT * FROM task_metric_rows;
  `,
  // 7: development tasks whose code the SDK is still recording (services/tasks/code-recording.ts):
  // a mark lives seconds, so copies leave the table out
  `
  CREATE TABLE code_recordings (task TEXT PRIMARY KEY, since INTEGER NOT NULL);
  `,
];
