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
  // get_all in SQL (selection-sql.ts, task-table.ts). Equality filters are containment
  // (doc @> ...), which the GIN index answers. The date indexes give the experiments
  // table's orders (newest first, within a project too) without sorting every task of a project; NULLS FIRST
  // so that one index serves ascending (missing first) and descending (missing last).
  // Each task's last metric values are rows of task_metrics, kept by a trigger from the
  // document, so that a page sorted by a metric walks an index in metric order. It is
  // derived: copies (migrate, backup, restore) leave it out and the trigger fills it again.
  `
  CREATE INDEX tasks_doc ON tasks USING gin (doc jsonb_path_ops);
  CREATE INDEX tasks_created ON tasks (((doc->>'created') COLLATE "C") NULLS FIRST);
  CREATE INDEX tasks_project_created ON tasks (project, ((doc->>'created') COLLATE "C") NULLS FIRST);
  CREATE INDEX tasks_last_update ON tasks (((doc->>'last_update') COLLATE "C") NULLS FIRST);
  CREATE INDEX tasks_started ON tasks (((doc->>'started') COLLATE "C") NULLS FIRST);
  CREATE FUNCTION cairn_number(v jsonb) RETURNS double precision LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN jsonb_typeof(v) = 'number' THEN v::double precision END $$;
  CREATE TABLE task_metrics (task text NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    metric text COLLATE "C" NOT NULL, variant text COLLATE "C" NOT NULL,
    value double precision, min_value double precision, max_value double precision,
    PRIMARY KEY (task, metric, variant));
  CREATE INDEX task_metrics_value ON task_metrics(metric, variant, value);
  CREATE INDEX task_metrics_min_value ON task_metrics(metric, variant, min_value);
  CREATE INDEX task_metrics_max_value ON task_metrics(metric, variant, max_value);
  CREATE FUNCTION task_metrics_rows(id text, doc jsonb)
    RETURNS TABLE (task text, metric text, variant text, value double precision, min_value double precision, max_value double precision)
    LANGUAGE sql STABLE AS $$
      SELECT id, m.key, v.key, cairn_number(v.value->'value'), cairn_number(v.value->'min_value'), cairn_number(v.value->'max_value')
      FROM jsonb_each(CASE WHEN jsonb_typeof(doc->'last_metrics') = 'object' THEN doc->'last_metrics' ELSE '{}' END) m,
           jsonb_each(CASE WHEN jsonb_typeof(m.value) = 'object' THEN m.value ELSE '{}' END) v
      WHERE jsonb_typeof(v.value) = 'object' $$;
  CREATE FUNCTION task_metrics_sync() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'UPDATE' THEN
      IF NEW.doc->'last_metrics' IS NOT DISTINCT FROM OLD.doc->'last_metrics' THEN RETURN NULL; END IF;
      DELETE FROM task_metrics WHERE task = OLD.id;
    END IF;
    INSERT INTO task_metrics SELECT * FROM task_metrics_rows(NEW.id, NEW.doc);
    RETURN NULL;
  END $$;
  CREATE TRIGGER tasks_metrics AFTER INSERT OR UPDATE OF doc ON tasks FOR EACH ROW EXECUTE FUNCTION task_metrics_sync();
  INSERT INTO task_metrics SELECT r.* FROM tasks t, task_metrics_rows(t.id, t.doc) r;
  `,
  `
  CREATE TABLE code_recordings (task text PRIMARY KEY, since bigint NOT NULL);
  `,
];
