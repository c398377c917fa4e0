import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Secrets and passwords are stored as salted scrypt hashes: `scrypt$<salt>$<hash>`.
 * Hashing runs on libuv's thread pool, never on the event loop: a flood of sign-in
 * attempts slows sign-ins, not every other request.
 */
function scryptAsync(secret: string, salt: Buffer, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, length, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, 32);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length);
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/**
 * The same work as checking a real secret, for a name or key that does not exist: an
 * unknown user answers as slowly as a wrong password, so timing tells no one which
 * names exist.
 */
export async function verifyNothing(secret: string): Promise<false> {
  dummy ??= hashSecret(randomBytes(16).toString('hex'));
  await verifySecret(secret, await dummy);
  return false;
}

/** A random key of the given length from an unambiguous upper-case alphabet; every character equally likely. */
export function randomKey(length: number, alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'): string {
  // bytes at or above the largest multiple of the alphabet size would favour its first letters
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length)) if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
  }
  return out;
}
