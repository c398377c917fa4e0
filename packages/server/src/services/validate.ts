import { Errors } from '@cairn/protocol';
import { ApiError, missingField } from '../http/api-error.js';

/** Field readers that answer wrong types with a ClearML validation error naming the field. */
type Body = Record<string, unknown>;

const typeError = (field: string, expected: string, got: unknown) =>
  new ApiError(Errors.validationError, `field ${field} must be ${expected}, got ${Array.isArray(got) ? 'array' : got === null ? 'null' : typeof got}`, { field });

export function reqString(body: Body, field: string): string {
  const v = body[field];
  if (v === undefined || v === null || v === '') throw missingField(field);
  if (typeof v !== 'string') throw typeError(field, 'a string', v);
  return v;
}

export function optString(body: Body, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw typeError(field, 'a string', v);
  return v;
}

export function optBool(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw typeError(field, 'a boolean', v);
  return v;
}

export function optInt(body: Body, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(field, 'a number', v);
  return Math.trunc(v);
}

export function optObject(body: Body, field: string): Record<string, unknown> | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(field, 'an object', v);
  return v as Record<string, unknown>;
}

export function optStringList(body: Body, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw typeError(field, 'a list of strings', v);
  return v as string[];
}

/** A list of ids given as `ids` (or a single id as a string). */
export function reqIdList(body: Body, field: string): string[] {
  const v = body[field];
  if (v === undefined || v === null) throw missingField(field);
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw typeError(field, 'a list of ids', v);
  return list as string[];
}

/** Names of tasks, projects, models and queues: what lists and tables can show and filter. */
export const MAX_NAME_LENGTH = 1024;

export function checkNameLength(v: string, field = 'name'): string {
  if (v.length > MAX_NAME_LENGTH) {
    throw new ApiError(Errors.validationError, `field ${field} is ${v.length} characters long, more than the limit of ${MAX_NAME_LENGTH}`, { field });
  }
  return v;
}

/** A required name, at most MAX_NAME_LENGTH characters. */
export const reqName = (body: Body, field = 'name') => checkNameLength(reqString(body, field), field);

/** An optional name, at most MAX_NAME_LENGTH characters. */
export function optName(body: Body, field = 'name'): string | undefined {
  const v = optString(body, field);
  return v === undefined ? undefined : checkNameLength(v, field);
}
