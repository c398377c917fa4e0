import { Errors, type MetadataItem } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';

/**
 * Metadata of models and queues: sent as a list of `{key, type, value}`, stored and
 * returned as an object keyed by `key`. Values travel as strings; the SDK stringifies
 * numbers itself, and other clients' numbers and booleans are stringified the same way.
 */
const invalid = (field: string, why: string) => new ApiError(Errors.validationError, `invalid ${field}: ${why}`, { field });

function asText(v: unknown, field: string, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalid(field, `${what} must be a string`);
}

export function parseMetadataList(raw: unknown, field = 'metadata'): Record<string, MetadataItem> {
  if (!Array.isArray(raw)) throw invalid(field, 'must be a list of {key, type, value}');
  const out: Record<string, MetadataItem> = {};
  for (const item of raw) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(field, 'each item must be an object');
    const { key, type, value } = item as Record<string, unknown>;
    if (typeof key !== 'string' || key === '') throw invalid(field, 'each item needs a non-empty string key');
    out[key] = { key, type: asText(type, field, 'type'), value: asText(value, field, 'value') };
  }
  return out;
}

/** `add_or_update_metadata`: the given items win; `replace` drops every other key. */
export function mergeMetadata(
  current: Record<string, MetadataItem>,
  items: Record<string, MetadataItem>,
  replace: boolean,
): Record<string, MetadataItem> {
  return replace ? { ...items } : { ...current, ...items };
}

export function deleteMetadataKeys(current: Record<string, MetadataItem>, keys: readonly string[]): Record<string, MetadataItem> {
  const out = { ...current };
  for (const k of keys) delete out[k];
  return out;
}
