import type { Model, Project, Queue, Task, User } from '@cairn/protocol';
import type { EventStore } from './event-store.js';

/**
 * The metadata store, async and dialect-neutral: SQLite implements it today and a
 * PostgreSQL adapter implements the same interface. Documents go in and out whole;
 * the query language (packages/protocol) filters what `find` narrows.
 */
export interface Narrowing {
  ids?: readonly string[] | null;
  projects?: readonly string[] | null;
}

export interface DocumentStore<T extends { id: string }> {
  insert(doc: T): Promise<void>;
  get(id: string): Promise<T | undefined>;
  getMany(ids: readonly string[]): Promise<T[]>;
  find(narrow?: Narrowing): Promise<T[]>;
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
}

export interface UserStore extends DocumentStore<User> {
  findByName(name: string): Promise<User | undefined>;
  setPassword(userId: string, passwordHash: string): Promise<void>;
  getPasswordHash(userId: string): Promise<string | undefined>;
}

export interface Store {
  users: UserStore;
  credentials: CredentialStore;
  projects: DocumentStore<Project>;
  tasks: DocumentStore<Task>;
  models: DocumentStore<Model>;
  queues: DocumentStore<Queue>;
  events: EventStore;
  /** Server-wide settings (e.g. the token signing secret). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}
