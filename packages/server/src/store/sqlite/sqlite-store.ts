import type { Model, Project, User } from '@cairn/protocol';
import type { CodeRecordingStore, Credential, CredentialStore, QueueRecord, SessionRecord, SessionStore, Store, UserStore } from '../store.js';
import { ProcessLocks } from '../process-locks.js';
import { openDatabase, type Db } from './database.js';
import { SqliteDocumentTable } from './document-table.js';
import { SqliteTaskTable } from './task-table.js';
import { SqliteEventStore } from './event-table.js';
import { SqliteQueueEntries } from './queue-entry-table.js';
import { SqliteStorageDeletions } from './storage-deletion-table.js';
import { SqliteWorkerStats } from './worker-stats-table.js';
import { SqliteWorkers } from './worker-table.js';

class SqliteCredentials implements CredentialStore {
  constructor(private readonly db: Db) {}

  private static toCredential(r: Record<string, unknown> | undefined): Credential | undefined {
    if (!r) return undefined;
    return {
      access_key: r.access_key as string,
      secret_hash: r.secret_hash as string,
      user: r.user as string,
      label: r.label as string,
      created: r.created as string,
      revoked: Boolean(r.revoked),
      last_used: (r.last_used as string | null) ?? undefined,
    };
  }

  async insert(c: Credential): Promise<void> {
    this.db.prepare('INSERT INTO credentials (access_key, secret_hash, user, label, created, revoked) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.access_key, c.secret_hash, c.user, c.label, c.created, c.revoked ? 1 : 0);
  }

  async upsert(c: Credential): Promise<void> {
    this.db.prepare(`INSERT INTO credentials (access_key, secret_hash, user, label, created, revoked) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (access_key) DO UPDATE SET secret_hash = excluded.secret_hash, user = excluded.user, revoked = excluded.revoked`)
      .run(c.access_key, c.secret_hash, c.user, c.label, c.created, c.revoked ? 1 : 0);
  }

  async get(accessKey: string): Promise<Credential | undefined> {
    return SqliteCredentials.toCredential(this.db.prepare('SELECT * FROM credentials WHERE access_key = ?').get(accessKey) as Record<string, unknown> | undefined);
  }

  async list(): Promise<Credential[]> {
    return (this.db.prepare('SELECT * FROM credentials ORDER BY created').all() as Record<string, unknown>[]).map((r) => SqliteCredentials.toCredential(r)!);
  }

  async revoke(accessKey: string): Promise<boolean> {
    return this.db.prepare('UPDATE credentials SET revoked = 1 WHERE access_key = ? AND revoked = 0').run(accessKey).changes > 0;
  }

  async touch(accessKey: string, at: string): Promise<void> {
    this.db.prepare('UPDATE credentials SET last_used = ? WHERE access_key = ?').run(at, accessKey);
  }
}

class SqliteSessions implements SessionStore {
  constructor(private readonly db: Db) {}

  async create(s: SessionRecord): Promise<void> {
    this.db.prepare('INSERT INTO sessions (id, user, created, expires, revoked) VALUES (?, ?, ?, ?, ?)').run(s.id, s.user, s.created, s.expires, s.revoked ? 1 : 0);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return { id: r.id as string, user: r.user as string, created: r.created as string, expires: r.expires as number, revoked: Boolean(r.revoked) };
  }

  async revoke(id: string): Promise<boolean> {
    return this.db.prepare('UPDATE sessions SET revoked = 1 WHERE id = ? AND revoked = 0').run(id).changes > 0;
  }

  async revokeAllOf(userId: string): Promise<number> {
    return this.db.prepare('UPDATE sessions SET revoked = 1 WHERE user = ? AND revoked = 0').run(userId).changes;
  }

  async prune(beforeMs: number): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE expires < ?').run(beforeMs);
  }
}

class SqliteCodeRecordings implements CodeRecordingStore {
  constructor(private readonly db: Db) {}

  async expect(task: string, since: number, staleBefore: number): Promise<void> {
    this.db.prepare('DELETE FROM code_recordings WHERE since < ?').run(staleBefore);
    this.db.prepare('INSERT INTO code_recordings (task, since) VALUES (?, ?) ON CONFLICT (task) DO UPDATE SET since = excluded.since').run(task, since);
  }

  async done(task: string): Promise<void> {
    this.db.prepare('DELETE FROM code_recordings WHERE task = ?').run(task);
  }

  async expected(tasks: readonly string[]): Promise<Map<string, number>> {
    if (tasks.length === 0) return new Map();
    const rows = this.db.prepare(`SELECT task, since FROM code_recordings WHERE task IN (${tasks.map(() => '?').join(', ')})`).all(...tasks) as { task: string; since: number }[];
    return new Map(rows.map((r) => [r.task, r.since]));
  }
}

class SqliteUsers extends SqliteDocumentTable<User> implements UserStore {
  constructor(private readonly udb: Db) {
    super(udb, 'users', false);
  }

  override async insert(doc: User): Promise<void> {
    const text = JSON.stringify(doc);
    this.udb.prepare('INSERT INTO users (id, name, doc) VALUES (?, ?, ?)').run(doc.id, doc.name, text);
    this.remember(doc.id, text);
  }

  async findByName(name: string): Promise<User | undefined> {
    const text = this.udb.prepare('SELECT doc FROM users WHERE name = ?').pluck().get(name) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as User);
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    this.udb.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, userId);
  }

  async getPasswordHash(userId: string): Promise<string | undefined> {
    return (this.udb.prepare('SELECT password_hash FROM users WHERE id = ?').pluck().get(userId) as string | null) ?? undefined;
  }
}

/** The default store: one SQLite file in the data folder. */
export function openSqliteStore(file: string): Store {
  const db = openDatabase(file);
  const locks = new ProcessLocks();
  return {
    users: new SqliteUsers(db),
    credentials: new SqliteCredentials(db),
    sessions: new SqliteSessions(db),
    projects: new SqliteDocumentTable<Project>(db, 'projects', false),
    tasks: new SqliteTaskTable(db),
    models: new SqliteDocumentTable<Model>(db, 'models', true),
    queues: new SqliteDocumentTable<QueueRecord>(db, 'queues', false),
    queueEntries: new SqliteQueueEntries(db),
    workers: new SqliteWorkers(db),
    workerStats: new SqliteWorkerStats(db),
    events: new SqliteEventStore(db),
    storageDeletions: new SqliteStorageDeletions(db),
    codeRecordings: new SqliteCodeRecordings(db),
    async getSetting(key) {
      return (db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined;
    },
    async setSetting(key, value) {
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    },
    exclusive: (name, fn, wait) => locks.exclusive(name, fn, wait),
    async close() {
      db.close();
    },
  };
}
