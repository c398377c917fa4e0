import { Errors, newId, TASK_STATUSES, type Artifact, type ConfigurationItem, type Identity, type ModelItem, type ParamsItem, type Task, type TaskStatus } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Store } from '../../store/store.js';
import { nowIso } from '../deps.js';

/**
 * Building and checking task documents. The SDK drops a whole `tasks.get_by_id`
 * answer when one nested value has the wrong type, so every nested part is checked
 * (or coerced where ClearML itself coerces) on the way in.
 */
export function newTask(who: Identity, name: string, type: string): Task {
  const now = nowIso();
  return {
    id: newId(),
    name,
    type,
    status: 'created',
    status_reason: '',
    status_message: '',
    status_changed: now,
    comment: '',
    user: who.user,
    company: who.company,
    created: now,
    last_update: now,
    last_change: now,
    tags: [],
    system_tags: [],
    script: {},
    execution: { artifacts: [] },
    output: {},
    models: { input: [], output: [] },
    hyperparams: {},
    configuration: {},
    runtime: {},
    container: {},
    last_iteration: 0,
    last_metrics: {},
  };
}

export async function getTaskOrThrow(store: Store, id: unknown): Promise<Task> {
  if (typeof id !== 'string' || id === '') throw new ApiError(Errors.missingRequiredFields, 'missing required field: task');
  const t = await store.tasks.get(id);
  if (!t) throw new ApiError(Errors.invalidTaskId, `invalid task id: ${id}`, { id });
  return t;
}

const invalid = (field: string, why: string) => new ApiError(Errors.validationError, `invalid ${field}: ${why}`, { field });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parameter and configuration values are strings on the wire; numbers and booleans are stringified. */
function asValueString(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalid(field, 'value must be a string');
}

/** `type` and `description` of parameters and configuration items are plain strings. */
function optionalText(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(field, 'must be a string');
  return v;
}

export function checkParamsItem(raw: unknown, field: string, section?: string, name?: string): ParamsItem {
  if (!isObject(raw)) throw invalid(field, 'each parameter must be an object');
  const item: ParamsItem = {
    section: typeof raw.section === 'string' ? raw.section : section ?? '',
    name: typeof raw.name === 'string' ? raw.name : name ?? '',
    value: asValueString(raw.value, field),
  };
  const type = optionalText(raw.type, `${field}.type`);
  if (type !== undefined) item.type = type;
  const description = optionalText(raw.description, `${field}.description`);
  if (description !== undefined) item.description = description;
  if (item.name === '') throw invalid(field, 'parameter name missing');
  return item;
}

export function checkHyperparams(raw: unknown): Task['hyperparams'] {
  if (!isObject(raw)) throw invalid('hyperparams', 'must be an object of sections');
  const out: Task['hyperparams'] = {};
  for (const [section, params] of Object.entries(raw)) {
    if (!isObject(params)) throw invalid('hyperparams', `section ${section} must be an object`);
    out[section] = {};
    for (const [name, item] of Object.entries(params)) out[section][name] = checkParamsItem(item, 'hyperparams', section, name);
  }
  return out;
}

export function checkConfigurationItem(raw: unknown, name?: string): ConfigurationItem {
  if (!isObject(raw)) throw invalid('configuration', 'each item must be an object');
  const item: ConfigurationItem = { name: typeof raw.name === 'string' ? raw.name : name ?? '', value: asValueString(raw.value, 'configuration') };
  const type = optionalText(raw.type, 'configuration.type');
  if (type !== undefined) item.type = type;
  const description = optionalText(raw.description, 'configuration.description');
  if (description !== undefined) item.description = description;
  if (item.name === '') throw invalid('configuration', 'item name missing');
  return item;
}

export function checkConfiguration(raw: unknown): Task['configuration'] {
  if (!isObject(raw)) throw invalid('configuration', 'must be an object');
  const out: Task['configuration'] = {};
  for (const [name, item] of Object.entries(raw)) out[name] = checkConfigurationItem(item, name);
  return out;
}

export function checkArtifact(raw: unknown): Artifact {
  if (!isObject(raw)) throw invalid('artifacts', 'each artifact must be an object');
  if (typeof raw.key !== 'string' || raw.key === '') throw invalid('artifacts', 'artifact key missing');
  if (raw.type !== undefined && typeof raw.type !== 'string') throw invalid('artifacts', 'artifact type must be a string');
  const a: Artifact = { ...(raw as unknown as Artifact), key: raw.key, type: (raw.type as string) ?? '', mode: raw.mode === 'input' ? 'input' : 'output' };
  for (const f of ['content_size', 'timestamp'] as const) {
    if (a[f] !== undefined && a[f] !== null) {
      if (typeof a[f] !== 'number') throw invalid('artifacts', `${f} must be a number`);
      a[f] = Math.trunc(a[f] as number);
    }
  }
  return a;
}

/** Upserts artifacts by (key, mode) and keeps the list sorted by key, as the SDK expects. */
export function mergeArtifacts(current: readonly Artifact[], incoming: readonly Artifact[]): Artifact[] {
  const byId = new Map(current.map((a) => [`${a.mode}\u0000${a.key}`, a]));
  for (const a of incoming) byId.set(`${a.mode}\u0000${a.key}`, a);
  return [...byId.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.mode < b.mode ? -1 : 1));
}

export function checkModelItems(raw: unknown, field: string): ModelItem[] {
  if (!Array.isArray(raw)) throw invalid(field, 'must be a list');
  return raw.map((m) => {
    if (!isObject(m) || typeof m.model !== 'string') throw invalid(field, 'each item needs a model id');
    const item: ModelItem = { name: typeof m.name === 'string' ? m.name : '', model: m.model };
    if (typeof m.updated === 'string') item.updated = m.updated;
    return item;
  });
}

/**
 * `container` holds strings only (image, arguments, setup_shell_script); a null value
 * means "not set" and is left out. Anything else would come back to the SDK as a type it
 * cannot use, so it is refused rather than coerced.
 */
export function checkContainer(raw: unknown, field: string): Record<string, string> {
  if (!isObject(raw)) throw invalid(field, 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') throw invalid(`${field}.${k}`, `must be a string, got ${Array.isArray(v) ? 'a list' : typeof v}`);
    out[k] = v;
  }
  return out;
}

/**
 * `script.requirements` is an object of requirement sets by kind. The SDK writes text
 * (`pip`, `conda`, `org_pip`); clearml-agent writes back its freeze as lists of lines.
 * Each is stored exactly as sent, so a clone hands the agent what the agent wrote.
 */
export function checkRequirements(raw: unknown, field: string): Record<string, unknown> {
  if (!isObject(raw)) throw invalid(field, 'must be an object');
  return structuredClone(raw);
}

export function checkStatus(v: unknown): TaskStatus {
  if (typeof v !== 'string' || !(TASK_STATUSES as readonly string[]).includes(v)) throw invalid('status', `unknown status ${JSON.stringify(v)}`);
  return v as TaskStatus;
}

export { isObject };
