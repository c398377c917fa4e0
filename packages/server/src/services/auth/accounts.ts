import { Errors, newId, type User } from '@cairn/protocol';
import { hashSecret, randomKey } from '../../auth/secret-hash.js';
import { ApiError } from '../../http/api-error.js';
import type { Credential, Store } from '../../store/store.js';
import { nowIso } from '../deps.js';

/** Users and their key pairs, as the API, the CLI and the first start make them. */
export interface NewCredentials {
  access_key: string;
  secret_key: string;
}

/** The one company of a Cairn installation (ClearML's clients expect one on every user). */
export const COMPANY = 'd1bd92a3b039400cbafc60a7a5b1e52b';

export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];

export const MIN_PASSWORD_LENGTH = 8;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export const newPassword = () => randomKey(16, 'abcdefghijkmnopqrstuvwxyz23456789');

/** Makes a key pair for a user; only the hash of the secret is kept. */
export async function createCredentials(
  store: Store,
  userId: string,
  label: string,
  fixed?: { accessKey: string; secretKey: string },
): Promise<NewCredentials> {
  const access_key = fixed?.accessKey ?? randomKey(20);
  const secret_key = fixed?.secretKey ?? randomKey(48, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  const cred: Credential = { access_key, secret_hash: await hashSecret(secret_key), user: userId, label, created: nowIso(), revoked: false };
  await (fixed ? store.credentials.upsert(cred) : store.credentials.insert(cred));
  return { access_key, secret_key };
}

export function checkPassword(password: unknown, field = 'password'): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new ApiError(Errors.validationError, `${field} must be at least ${MIN_PASSWORD_LENGTH} characters`, { field });
  }
  if (password.length > 1024) throw new ApiError(Errors.validationError, `${field} must be at most 1024 characters`, { field });
  return password;
}

export function checkRole(role: unknown): Role {
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new ApiError(Errors.validationError, `role must be one of ${ROLES.join(', ')}`, { field: 'role' });
  }
  return role as Role;
}

/** A new user with a password (generated when none is given, and then answered once). */
export async function createUser(store: Store, name: unknown, role: Role, password?: string): Promise<{ user: User; password: string }> {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ApiError(Errors.validationError, 'name must be 1 to 64 letters, digits or . _ @ - (starting with a letter or digit)', { field: 'name' });
  }
  if (await store.users.findByName(name)) throw new ApiError(Errors.validationError, `a user named ${name} exists`, { field: 'name' });
  const pass = password === undefined ? newPassword() : checkPassword(password);
  const user: User = { id: newId(), name, company: COMPANY, role, created: nowIso() };
  await store.users.insert(user);
  await store.users.setPassword(user.id, await hashSecret(pass));
  return { user, password: pass };
}

/** Whether another enabled admin remains besides `userId` (the last one may not be demoted or disabled). */
export async function otherAdminExists(store: Store, userId: string): Promise<boolean> {
  return (await store.users.find()).some((u) => u.id !== userId && u.role === 'admin' && !u.disabled);
}
