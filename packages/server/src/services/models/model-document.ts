import { Errors, newId, normalizeDate, type Identity, type Model } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Store } from '../../store/store.js';
import { nowIso } from '../deps.js';
import { optBool, optInt, optString, optStringList } from '../validate.js';
import { parseMetadataList } from './metadata.js';

/**
 * Building, checking and changing model documents. Every stored model carries every
 * object and list field (`design`, `labels`, `metadata`, `tags`, `system_tags`), because
 * the SDK drops a whole answer when one of them has the wrong type.
 */
type Body = Record<string, unknown>;

/** A change to a model; `null` removes an optional field. */
export type ModelPatch = { [K in keyof Model]?: Model[K] | null };

/** Request fields each write endpoint accepts (ClearML's schemas). */
export const EDIT_FIELDS = [
  'uri', 'name', 'comment', 'tags', 'system_tags', 'framework', 'design', 'labels', 'project', 'task', 'parent', 'iteration', 'ready', 'metadata',
] as const;
export const UPDATE_FIELDS = ['name', 'comment', 'tags', 'system_tags', 'project', 'task', 'iteration', 'ready', 'created'] as const;
type WriteField = (typeof EDIT_FIELDS)[number] | (typeof UPDATE_FIELDS)[number];

const invalid = (field: string, why: string) => new ApiError(Errors.validationError, `invalid ${field}: ${why}`, { field });

export function newModel(who: Identity, name: string): Model {
  const now = nowIso();
  return {
    id: newId(),
    name,
    user: who.user,
    company: who.company,
    created: now,
    last_update: now,
    last_change: now,
    comment: '',
    tags: [],
    system_tags: [],
    design: {},
    labels: {},
    ready: false,
    metadata: {},
  };
}

export async function getModelOrThrow(store: Store, id: unknown): Promise<Model> {
  if (typeof id !== 'string' || id === '') throw new ApiError(Errors.missingRequiredFields, 'missing required field: model');
  const m = await store.models.get(id);
  if (!m) throw new ApiError(Errors.invalidModelId, `invalid model id: ${id}`, { id });
  return m;
}

function readLabels(body: Body): Record<string, number> | undefined {
  const v = body.labels;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid('labels', 'must be an object of label name to integer id');
  for (const [k, id] of Object.entries(v)) {
    if (typeof id !== 'number' || !Number.isInteger(id)) throw invalid('labels', `label ${k} must map to an integer`);
  }
  return { ...(v as Record<string, number>) };
}

/** The SDK sends `{design: "<text>"}`; a bare string is the same design, wrapped as the SDK would. */
function readDesign(body: Body): Record<string, unknown> | undefined {
  const v = body.design;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return { design: v };
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid('design', 'must be an object');
  return { ...(v as Record<string, unknown>) };
}

function readDate(body: Body, field: string): string | undefined {
  const v = optString(body, field);
  if (v === undefined) return undefined;
  const date = normalizeDate(v);
  if (date === null) throw invalid(field, 'must be an ISO-8601 datetime');
  return date;
}

/** An id reference; an empty string clears it. */
function readRef(body: Body, field: string): string | null | undefined {
  const v = optString(body, field);
  return v === '' ? null : v;
}

/** Reads the allowed fields present in the body; `iteration` lands in `last_iteration`. */
export function readModelPatch(body: Body, allowed: readonly WriteField[]): ModelPatch {
  const patch: ModelPatch = {};
  const has = (f: WriteField) => allowed.includes(f) && body[f] !== undefined && body[f] !== null;
  for (const f of ['name', 'uri', 'comment', 'framework'] as const) if (has(f)) patch[f] = optString(body, f);
  for (const f of ['tags', 'system_tags'] as const) if (has(f)) patch[f] = optStringList(body, f);
  for (const f of ['project', 'task', 'parent'] as const) if (has(f)) patch[f] = readRef(body, f);
  if (has('labels')) patch.labels = readLabels(body);
  if (has('design')) patch.design = readDesign(body);
  if (has('ready')) patch.ready = optBool(body, 'ready');
  if (has('iteration')) patch.last_iteration = optInt(body, 'iteration');
  if (has('metadata')) patch.metadata = parseMetadataList(body.metadata);
  if (has('created')) patch.created = readDate(body, 'created');
  if (patch.name === '') throw invalid('name', 'must not be empty');
  return patch;
}

/** Referenced project, task and parent model must exist; a model with a task but no project joins the task's project. */
export async function checkReferences(store: Store, patch: ModelPatch, self?: string): Promise<void> {
  if (patch.project && !(await store.projects.get(patch.project))) {
    throw new ApiError(Errors.invalidProjectId, `invalid project id: ${patch.project}`, { id: patch.project });
  }
  if (patch.task) {
    const task = await store.tasks.get(patch.task);
    if (!task) throw new ApiError(Errors.invalidTaskId, `invalid task id: ${patch.task}`, { id: patch.task });
    if (patch.project === undefined && self === undefined && task.project) patch.project = task.project;
  }
  if (patch.parent) {
    if (patch.parent === self) throw invalid('parent', 'a model cannot be its own parent');
    if (!(await store.models.get(patch.parent))) throw new ApiError(Errors.invalidModelId, `invalid parent model id: ${patch.parent}`, { id: patch.parent });
  }
}

/**
 * Applies a patch in place, keeping `published` in step with `ready`, and bumps
 * `last_update`. Returns the fields as changed, for the `fields` of the answer.
 */
export function applyModelPatch(doc: Model, patch: ModelPatch, now: string): Record<string, unknown> {
  const target = doc as unknown as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) delete target[k];
    else target[k] = v;
    fields[k] = v;
  }
  if (patch.ready === true && doc.published === undefined) fields.published = doc.published = now;
  if (patch.ready === false) delete doc.published;
  fields.last_update = doc.last_update = now;
  doc.last_change = now;
  return fields;
}
