/**
 * Numbered PostgreSQL schema migrations, applied in order at start-up by the first
 * replica that takes the migration lock (database.ts). Never edit a migration that has
 * shipped: add the next one.
 *
 * Same tables as the SQLite store (store/sqlite/migrations.ts) with PostgreSQL types:
 * documents are `jsonb` (so that queries can reach into them), times in epoch ms are
 * `bigint`, and `user` (a reserved word) is `user_id`. Document tables number their rows
 * (`seq`): scans answer in the order documents were made, as SQLite's rowid order does.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE users (seq bigserial UNIQUE, id text PRIMARY KEY, name text NOT NULL UNIQUE, password_hash text, doc jsonb NOT NULL);
  CREATE TABLE credentials (
    access_key text PRIMARY KEY, secret_hash text NOT NULL, user_id text NOT NULL, label text NOT NULL,
    created text NOT NULL, revoked boolean NOT NULL DEFAULT false, last_used text);
  CREATE TABLE sessions (id text PRIMARY KEY, user_id text NOT NULL, created text NOT NULL, expires bigint NOT NULL,
    revoked boolean NOT NULL DEFAULT false);
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE projects (seq bigserial UNIQUE, id text PRIMARY KEY, doc jsonb NOT NULL);
  CREATE TABLE tasks (seq bigserial UNIQUE, id text PRIMARY KEY, project text, doc jsonb NOT NULL);
  CREATE INDEX tasks_project ON tasks(project);
  CREATE INDEX tasks_status ON tasks((doc->>'status'));
  CREATE TABLE models (seq bigserial UNIQUE, id text PRIMARY KEY, project text, doc jsonb NOT NULL);
  CREATE INDEX models_project ON models(project);
  CREATE TABLE queues (seq bigserial UNIQUE, id text PRIMARY KEY, doc jsonb NOT NULL);

  -- Event names sort bytewise (COLLATE "C"), as in SQLite, whatever the database's locale.
  CREATE TABLE series (id bigserial PRIMARY KEY, task text COLLATE "C" NOT NULL, metric text COLLATE "C" NOT NULL,
    variant text COLLATE "C" NOT NULL, UNIQUE (task, metric, variant));
  CREATE TABLE scalar_chunks (series bigint NOT NULL, first_iter bigint NOT NULL, last_iter bigint NOT NULL,
    n integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (series, first_iter));
  -- Chunks are packed float64: compressing them (pglz) took most of an ingest batch's time for a modest saving.
  ALTER TABLE scalar_chunks ALTER data SET STORAGE EXTERNAL;
  CREATE TABLE logs (id bigserial PRIMARY KEY, task text COLLATE "C" NOT NULL, ts bigint NOT NULL, iter bigint, level text NOT NULL,
    worker text NOT NULL, msg text NOT NULL);
  CREATE INDEX logs_task_ts ON logs(task, ts, id);
  CREATE TABLE doc_events (id bigserial PRIMARY KEY, task text COLLATE "C" NOT NULL, type text COLLATE "C" NOT NULL,
    iter bigint NOT NULL, metric text COLLATE "C" NOT NULL, variant text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL,
    ts bigint NOT NULL, body text NOT NULL);
  CREATE UNIQUE INDEX doc_events_identity ON doc_events(task, type, iter, metric, variant, key);
  CREATE INDEX doc_events_series ON doc_events(task, type, metric, variant, iter);

  CREATE TABLE queue_entries (queue text NOT NULL, task text NOT NULL, position bigint NOT NULL, added bigint NOT NULL,
    PRIMARY KEY (queue, task),
    CONSTRAINT queue_entries_order UNIQUE (queue, position) DEFERRABLE INITIALLY DEFERRED);
  CREATE INDEX queue_entries_task ON queue_entries(task);
  CREATE TABLE queue_metrics (id bigserial PRIMARY KEY, queue text NOT NULL, ts bigint NOT NULL, length integer NOT NULL,
    avg_wait double precision NOT NULL);
  CREATE INDEX queue_metrics_queue_ts ON queue_metrics(queue, ts);
  CREATE TABLE workers (id text PRIMARY KEY, expires bigint NOT NULL, doc jsonb NOT NULL);
  CREATE INDEX workers_expires ON workers(expires);
  CREATE TABLE worker_reports (id bigserial PRIMARY KEY, worker text NOT NULL, ts bigint NOT NULL, task text);
  CREATE INDEX worker_reports_ts ON worker_reports(ts);
  CREATE TABLE worker_stats (metric text NOT NULL, ts bigint NOT NULL, worker text NOT NULL, variant text NOT NULL,
    value double precision NOT NULL, PRIMARY KEY (metric, ts, worker, variant));
  CREATE TABLE worker_metric_keys (worker text NOT NULL, metric text NOT NULL, PRIMARY KEY (worker, metric));

  CREATE TABLE storage_deletions (id bigserial PRIMARY KEY, url text NOT NULL UNIQUE, owner_type text NOT NULL,
    owner text NOT NULL, created bigint NOT NULL, attempts integer NOT NULL, next_attempt bigint NOT NULL,
    last_error text, status text NOT NULL, finished bigint);
  CREATE INDEX storage_deletions_due ON storage_deletions(status, next_attempt);
  `,
];
