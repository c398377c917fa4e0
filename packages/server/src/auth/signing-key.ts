import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store.js';

/**
 * The key that signs login tokens. It lives in the store (so every replica on one
 * database signs alike) and never leaves the server. Rotating it ends every token handed
 * out before: the SDK and agents sign in again by themselves, web users are asked to.
 */
const SETTING = 'token_secret';

/** The stored key; undefined before the first start made one. */
export async function readSigningKey(store: Store): Promise<Buffer | undefined> {
  const existing = await store.getSetting(SETTING);
  return existing ? Buffer.from(existing, 'base64') : undefined;
}

export async function loadSigningKey(store: Store): Promise<Buffer> {
  const existing = await readSigningKey(store);
  if (existing) return existing;
  const key = randomBytes(32);
  await store.setSetting(SETTING, key.toString('base64'));
  return key;
}

export async function rotateSigningKey(store: Store): Promise<void> {
  await store.setSetting(SETTING, randomBytes(32).toString('base64'));
}
