import type { IdName, Model, PlanCondition, PlanOrder, Project, Queue, QueueEntry, Task, User } from '@cairn/protocol';
import type { EventStore } from './event-store.js';

/**
 * The metadata store, async and dialect-neutral: SQLite implements it today and a
 * PostgreSQL adapter implements the same interface. Documents go in and out whole;
 * the query language (packages/protocol) filters what `find` narrows.
 */
export interface Narrowing {
  ids?: readonly string[] | null;
  projects?: readonly string[] | null;
  /**
   * Conditions every wanted document meets. A store may apply them or not: callers
   * filter what `find` answers themselves.
   */
  conditions?: readonly PlanCondition[];
}

/** A page a store answers alone: exactly the documents meeting `conditions`, in `order`. */
export interface Selection {
  conditions: readonly PlanCondition[];
  order: readonly PlanOrder[];
  offset: number;
  limit: number | null;
}

export interface DocumentStore<T extends { id: string }> {
  insert(doc: T): Promise<void>;
  get(id: string): Promise<T | undefined>;
  getMany(ids: readonly string[]): Promise<T[]>;
  find(narrow?: Narrowing): Promise<T[]>;
  select(selection: Selection): Promise<T[]>;
  /**
   * Atomic read-modify-write: `mutate` sees the current document and returns the new
   * one (or throws to abort). No other write to the document can interleave.
   */
  update(id: string, mutate: (doc: T) => T): Promise<T | undefined>;
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
}

export interface Credential {
  access_key: string;
  secret_hash: string;
  user: string;
  label: string;
  created: string;
  revoked: boolean;
  last_used?: string;
}

export interface CredentialStore {
  insert(c: Credential): Promise<void>;
  get(accessKey: string): Promise<Credential | undefined>;
  list(): Promise<Credential[]>;
  upsert(c: Credential): Promise<void>;
  revoke(accessKey: string): Promise<boolean>;
  /** Records when the key was last used (login or a call with a token it issued). */
  touch(accessKey: string, at: string): Promise<void>;
}

/** A password sign-in (the web UI); keys need none, their revocation ends their tokens. */
export interface SessionRecord {
  id: string;
  user: string;
  created: string;
  /** epoch ms */
  expires: number;
  revoked: boolean;
}

export interface SessionStore {
  create(s: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  revoke(id: string): Promise<boolean>;
  /** Ends every session of the user (password change, user disabled); answers how many. */
  revokeAllOf(userId: string): Promise<number>;
  /** Forgets sessions that expired before `beforeMs`. */
  prune(beforeMs: number): Promise<void>;
}

export interface UserStore extends DocumentStore<User> {
  findByName(name: string): Promise<User | undefined>;
  setPassword(userId: string, passwordHash: string): Promise<void>;
  getPasswordHash(userId: string): Promise<string | undefined>;
}

/** A queue document as stored: its entries live in the `QueueEntryStore`. */
export type QueueRecord = Omit<Queue, 'entries'>;

/** `{by: n}` moves n places toward the head (negative: toward the tail), clamped to the ends. */
export type QueueMove = { by: number } | 'front' | 'back';

/** One point of a queue's history: its length and the mean age of its entries (seconds). */
export interface QueueMetricSample {
  queue: string;
  /** epoch ms */
  ts: number;
  length: number;
  avg_wait: number;
}

/**
 * The ordered entries of every queue, position 0 being the head. Each call is atomic,
 * and every call that changes a queue also records a `QueueMetricSample` of it and
 * bumps the queue's `last_update` in the same transaction. Calls on a queue that does
 * not exist change nothing and answer `undefined` (or `'no-queue'`).
 */
export interface QueueEntryStore {
  list(queue: string, limit?: number): Promise<QueueEntry[]>;
  listMany(queues: readonly string[], limit?: number): Promise<Map<string, QueueEntry[]>>;
  count(queue: string): Promise<number>;
  /** Appends at the tail; `exclusive`: the task leaves every other queue in the same step. */
  add(queue: string, task: string, exclusive?: boolean): Promise<'added' | 'duplicate' | 'no-queue'>;
  remove(queue: string, task: string): Promise<boolean>;
  /** Takes the task out of every queue; answers those queues. */
  removeEverywhere(task: string): Promise<string[]>;
  /**
   * Removes and returns the head in one atomic step (PostgreSQL: `FOR UPDATE SKIP
   * LOCKED`), so that two callers can never take the same entry. With `onlyTask`, only
   * when that task is the head.
   */
  pop(queue: string, onlyTask?: string): Promise<QueueEntry | undefined>;
  /** Repositions a task; answers its new position, or undefined when it is not in the queue. */
  move(queue: string, task: string, move: QueueMove): Promise<number | undefined>;
  /** Empties the queue; answers the tasks that were in it, head first. */
  clear(queue: string): Promise<string[] | undefined>;
  /** Forgets everything about a deleted queue: entries and metric samples. */
  drop(queue: string): Promise<void>;
  /**
   * Resolves true when an entry is added to the queue (by any server sharing this
   * store), false when `ms` pass or `signal` aborts first.
   */
  waitForAdd(queue: string, ms: number, signal?: AbortSignal): Promise<boolean>;
  /** Samples in [fromMs, toMs) plus, per queue, the latest one before fromMs; `null` = every queue. */
  metricSamples(queues: readonly string[] | null, fromMs: number, toMs: number): Promise<QueueMetricSample[]>;
  /** Drops samples older than `beforeMs`, keeping each queue's latest one. */
  pruneMetrics(beforeMs: number): Promise<void>;
}

export interface RuntimeProperty {
  key: string;
  value: string;
}

/** A worker (agent) as stored; the wire shape is assembled from it (services/workers). */
export interface WorkerRecord {
  id: string;
  user: IdName;
  company: IdName;
  ip: string;
  register_time: string;
  /** seconds without a report after which the worker is gone */
  register_timeout: number;
  last_activity_time: string;
  last_report_time?: string;
  /** server time (epoch ms) of the last register or report: expiry counts from it */
  last_seen: number;
  queues: string[];
  queue?: string;
  task?: IdName;
  project?: IdName;
  tags: string[];
  system_tags: string[];
  runtime_properties: RuntimeProperty[];
}

/** An in_progress task with what the liveness watchdog looks at. */
export interface InProgressTask {
  id: string;
  last_worker?: string;
  last_worker_report?: string;
  started?: string;
  last_update: string;
}

/** Workers, shared by every server replica; a worker expires `register_timeout` s after `last_seen`. */
export interface WorkerStore {
  get(id: string): Promise<WorkerRecord | undefined>;
  list(): Promise<WorkerRecord[]>;
  /** Atomic create-or-change: `mutate` sees the stored record (or undefined) and returns the one to store. */
  upsert(id: string, mutate: (current: WorkerRecord | undefined) => WorkerRecord): Promise<WorkerRecord>;
  /** Atomic change of an existing worker; undefined when there is none. */
  update(id: string, mutate: (current: WorkerRecord) => WorkerRecord): Promise<WorkerRecord | undefined>;
  delete(id: string): Promise<boolean>;
  /** Deletes the workers expired at `nowMs` and answers them, each exactly once across replicas. */
  removeExpired(nowMs: number): Promise<WorkerRecord[]>;
  inProgressTasks(): Promise<InProgressTask[]>;
}

/** One status report, for the activity report; `ts` in epoch ms. */
export interface WorkerReportRow {
  worker: string;
  ts: number;
  task?: string;
}

export interface WorkerStatPoint {
  metric: string;
  /** GPU index (`"0"`, `"1"`, …) for per-device values, `"total"` for one value */
  variant: string;
  value: number;
}

export interface WorkerStatsQuery {
  metric: string;
  workers: readonly string[] | null;
  fromMs: number;
  toMs: number;
  intervalMs: number;
}

/** Aggregates of one (worker, variant) in one bucket; the bucket starts at `bucket * intervalMs`. */
export interface WorkerStatsBucket {
  worker: string;
  variant: string;
  bucket: number;
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface ActivityBucket {
  bucket: number;
  /** distinct workers that reported */
  total: number;
  /** distinct workers that reported while running a task */
  active: number;
}

/** The time series of machine statistics the workers report. */
export interface WorkerStatsStore {
  add(report: WorkerReportRow, points: readonly WorkerStatPoint[]): Promise<void>;
  /** Metric names reported by these workers (all when null). */
  metricKeys(workers: readonly string[] | null): Promise<string[]>;
  buckets(q: WorkerStatsQuery): Promise<WorkerStatsBucket[]>;
  activity(fromMs: number, toMs: number, intervalMs: number): Promise<ActivityBucket[]>;
  prune(beforeMs: number): Promise<void>;
}

/** What a queued file belonged to: the task or model whose deletion left it behind. */
export interface FileOwner {
  owner_type: 'task' | 'model';
  owner: string;
}

export interface NewStorageDeletion extends FileOwner {
  url: string;
}

/**
 * `pending`: to be tried at `next_attempt`; `done`: deleted, already gone, or kept on
 * purpose (still in use, written again); `failed`: left in storage (attempts used up, or
 * an address the server cannot delete).
 */
export type StorageDeletionStatus = 'pending' | 'done' | 'failed';

/** A stored file to delete in the background (services/storage-cleanup). Times in epoch ms. */
export interface StorageDeletion extends NewStorageDeletion {
  id: number;
  created: number;
  attempts: number;
  next_attempt: number;
  last_error: string | null;
  status: StorageDeletionStatus;
  /** when it became done or failed */
  finished: number | null;
}

export type StorageDeletionOutcome =
  | { status: 'done' }
  | { status: 'pending'; error: string; retryAt: number }
  | { status: 'failed'; error: string };

/**
 * The queue of files to delete, shared by every server replica. A URL is queued once:
 * queueing it again (in any state) starts it over as pending with the new owner.
 */
export interface StorageDeletionStore {
  /** Queues the URLs as pending and due at once (`created` and `next_attempt` = `nowMs`). */
  add(items: readonly NewStorageDeletion[], nowMs: number): Promise<void>;
  /**
   * Hands out up to `limit` pending rows due at `nowMs` and queued no later than
   * `queuedBefore`, oldest due first, each to one caller: they are not due again for
   * `leaseMs`, so that a replica that dies midway leaves them to another.
   */
  claim(q: { nowMs: number; queuedBefore: number; limit: number; leaseMs: number }): Promise<StorageDeletion[]>;
  /** Records one attempt: `attempts` goes up by one. */
  record(id: number, outcome: StorageDeletionOutcome, nowMs: number): Promise<void>;
  /** Which remaining task (an artifact's `uri`) or model (its `uri`) still names each URL; URLs none names are absent. */
  holders(urls: readonly string[]): Promise<Map<string, FileOwner>>;
  /** Every row, in the order queued. */
  list(): Promise<StorageDeletion[]>;
  /** Forgets `done` rows finished before `beforeMs`; failed ones stay for the operator. */
  prune(beforeMs: number): Promise<void>;
}

/**
 * Development tasks whose code the SDK is still recording (services/tasks/code-recording.ts).
 * Kept in the store, not in a process, because the SDK's calls of one run reach
 * whichever replica the load balancer picks.
 */
export interface CodeRecordingStore {
  /** The task started at `since` (epoch ms) and its code comes next; marks set before `staleBefore` are forgotten. */
  expect(task: string, since: number, staleBefore: number): Promise<void>;
  /** The task's code came, or it is waited for no longer. */
  done(task: string): Promise<void>;
  /** Of `tasks`, those whose code is still expected, with when each started. */
  expected(tasks: readonly string[]): Promise<Map<string, number>>;
}

export interface Store {
  users: UserStore;
  credentials: CredentialStore;
  sessions: SessionStore;
  projects: DocumentStore<Project>;
  tasks: DocumentStore<Task>;
  models: DocumentStore<Model>;
  queues: DocumentStore<QueueRecord>;
  queueEntries: QueueEntryStore;
  workers: WorkerStore;
  workerStats: WorkerStatsStore;
  events: EventStore;
  storageDeletions: StorageDeletionStore;
  codeRecordings: CodeRecordingStore;
  /** Server-wide settings (e.g. the token signing secret). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  /**
   * Runs `fn` holding the lock `name`, which every server on this store shares
   * (PostgreSQL: an advisory lock; SQLite: this process). With `wait` false it answers
   * false at once, without running `fn`, while another holds the lock.
   */
  exclusive(name: string, fn: () => Promise<void>, wait?: boolean): Promise<boolean>;
  close(): Promise<void>;
}
