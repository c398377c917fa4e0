import { Errors } from '@cairn/protocol';
import { ApiError, badRequest, missingField } from '../../http/api-error.js';
import type { MetricVariants } from '../../store/event-store.js';
import type { Store } from '../../store/store.js';
import { optBool, optInt, optString, reqString } from '../validate.js';

/** Request fields specific to the events service. */
type Body = Record<string, unknown>;

/** A name that may legitimately be empty (metric and variant default to ''). */
export function nameField(body: Body, field: string): string {
  const v = body[field];
  if (v === undefined || v === null) throw missingField(field);
  if (typeof v !== 'string') throw badRequest(`field ${field} must be a string`);
  return v;
}

/** An integer clamped to [min, max], `fallback` when absent. */
export function boundedInt(body: Body, field: string, fallback: number, min: number, max: number): number {
  const v = optInt(body, field);
  return v === undefined ? fallback : Math.min(max, Math.max(min, v));
}

export function optNumber(body: Body, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`field ${field} must be a number`);
  return v;
}

export function oneOf<T extends string>(body: Body, field: string, allowed: readonly T[], fallback: T): T {
  const v = optString(body, field);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw badRequest(`field ${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** `[{metric, variants}]`, as several read endpoints accept to narrow their answer. */
export function metricFilter(body: Body, field = 'metrics'): MetricVariants[] {
  const v = body[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`field ${field} must be a list of {metric, variants}`);
  return v.map((item, i) => {
    if (typeof item !== 'object' || item === null) throw badRequest(`${field}[${i}] must be an object`);
    const m = item as Body;
    const variants = m.variants ?? [];
    if (typeof m.metric !== 'string') throw badRequest(`${field}[${i}].metric must be a string`);
    if (!Array.isArray(variants) || variants.some((x) => typeof x !== 'string')) throw badRequest(`${field}[${i}].variants must be a list of strings`);
    return { metric: m.metric, variants: variants as string[] };
  });
}

/** Whether the ids name models (`model_events: true`) rather than tasks. */
export const modelEvents = (body: Body): boolean => optBool(body, 'model_events') ?? false;

/** Fails with the ClearML "invalid task id" (or model id) error unless every id exists; answers names by id. */
export async function requireEntities(store: Store, ids: readonly string[], models: boolean): Promise<Map<string, string>> {
  const docs = await (models ? store.models.getMany(ids) : store.tasks.getMany(ids));
  const names = new Map(docs.map((d) => [d.id, d.name]));
  const missing = ids.find((id) => !names.has(id));
  if (missing !== undefined) {
    throw new ApiError(models ? Errors.invalidModelId : Errors.invalidTaskId, `${models ? 'model' : 'task'} ${missing} not found`, { id: missing });
  }
  return names;
}

/** The `task` field of a read request, checked to exist. */
export async function requireTask(store: Store, body: Body): Promise<string> {
  const id = reqString(body, 'task');
  await requireEntities(store, [id], modelEvents(body));
  return id;
}
