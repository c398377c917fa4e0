import { Errors, TASK_TYPES, type Task } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import { checkNameLength } from '../validate.js';
import {
  checkArtifact, checkConfiguration, checkContainer, checkHyperparams, checkModelItems, checkRequirements, isObject, mergeArtifacts,
} from './task-document.js';

/**
 * The fields `tasks.create` and `tasks.edit` accept, and how each lands on the
 * document: `script`, `execution`, `output` and `models` merge one level deep (so an
 * edit of `execution` keeps `execution.queue`); the maps and lists replace whole.
 */
const STRING_FIELDS = ['name', 'type', 'comment', 'parent', 'project'] as const;
const LIST_FIELDS = ['tags', 'system_tags'] as const;
export const EDITABLE_FIELDS = [
  ...STRING_FIELDS, ...LIST_FIELDS, 'output_dest', 'script', 'execution', 'output', 'models', 'hyperparams', 'configuration', 'container', 'runtime',
] as const;

const bad = (field: string, why: string) => new ApiError(Errors.validationError, `invalid ${field}: ${why}`, { field });

/** Returns the changed top-level fields (for the `fields` of the answer) after applying them to `doc`. */
export function applyEditFields(doc: Task, body: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const f of STRING_FIELDS) {
    const v = body[f];
    if (v === undefined) continue;
    if (v !== null && typeof v !== 'string') throw bad(f, 'must be a string');
    if (f === 'name' && (typeof v !== 'string' || v.trim() === '')) throw bad(f, 'must be a non-empty string');
    if (f === 'name') checkNameLength(v as string);
    if (f === 'type' && !(TASK_TYPES as readonly unknown[]).includes(v)) throw bad(f, `must be one of ${TASK_TYPES.join(', ')}`);
    if (v === null || v === '') {
      if (f === 'parent' || f === 'project') delete doc[f];
      else (doc as unknown as Record<string, unknown>)[f] = '';
    } else {
      (doc as unknown as Record<string, unknown>)[f] = v;
    }
    fields[f] = v;
  }
  for (const f of LIST_FIELDS) {
    const v = body[f];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(f, 'must be a list of strings');
    doc[f] = [...new Set(v as string[])];
    fields[f] = doc[f];
  }
  if (body.output_dest !== undefined) {
    if (body.output_dest !== null && typeof body.output_dest !== 'string') throw bad('output_dest', 'must be a string');
    if (body.output_dest) doc.output = { ...doc.output, destination: body.output_dest };
    else {
      const { destination: _dropped, ...rest } = doc.output;
      doc.output = rest;
    }
    fields['output.destination'] = body.output_dest;
  }
  for (const f of ['script', 'output'] as const) {
    const v = body[f];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw bad(f, 'must be an object');
    const next = { ...doc[f], ...v };
    if (f === 'script' && v.requirements !== undefined && v.requirements !== null) next.requirements = checkRequirements(v.requirements, 'script.requirements');
    doc[f] = next;
    fields[f] = doc[f];
  }
  if (body.execution !== undefined && body.execution !== null) {
    const v = body.execution;
    if (!isObject(v)) throw bad('execution', 'must be an object');
    const next: Task['execution'] = { ...doc.execution, ...v } as Task['execution'];
    if (v.artifacts !== undefined) {
      const list = Array.isArray(v.artifacts) ? v.artifacts : isObject(v.artifacts) ? Object.values(v.artifacts) : null;
      if (list === null) throw bad('execution.artifacts', 'must be a list');
      next.artifacts = mergeArtifacts([], list.map(checkArtifact));
    }
    doc.execution = next;
    fields.execution = doc.execution;
  }
  if (body.models !== undefined && body.models !== null) {
    const v = body.models;
    if (!isObject(v)) throw bad('models', 'must be an object with input and output lists');
    doc.models = {
      input: v.input === undefined ? doc.models.input : checkModelItems(v.input, 'models.input'),
      output: v.output === undefined ? doc.models.output : checkModelItems(v.output, 'models.output'),
    };
    fields.models = doc.models;
  }
  if (body.hyperparams !== undefined && body.hyperparams !== null) {
    doc.hyperparams = checkHyperparams(body.hyperparams);
    fields.hyperparams = doc.hyperparams;
  }
  if (body.configuration !== undefined && body.configuration !== null) {
    doc.configuration = checkConfiguration(body.configuration);
    fields.configuration = doc.configuration;
  }
  if (body.container !== undefined && body.container !== null) {
    doc.container = checkContainer(body.container, 'container');
    fields.container = doc.container;
  }
  if (body.runtime !== undefined && body.runtime !== null) {
    if (!isObject(body.runtime)) throw bad('runtime', 'must be an object');
    doc.runtime = body.runtime;
    fields.runtime = doc.runtime;
  }
  return fields;
}
