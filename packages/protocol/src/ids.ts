import { randomBytes } from 'node:crypto';

/** ClearML ids are 32 lowercase hex characters. */
export const newId = (): string => randomBytes(16).toString('hex');

export const isId = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{32}$/.test(s);
