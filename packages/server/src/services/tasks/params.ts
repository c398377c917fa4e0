import { Errors, type ParamsItem, type Task } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import { checkConfigurationItem, checkParamsItem, isObject } from './task-document.js';

/** Hyper-parameter and configuration edits by item, as `tasks.edit_hyper_params` and friends send them. */
export type ReplaceMode = 'none' | 'section' | 'all';

export function editHyperParams(doc: Task, raw: unknown, mode: ReplaceMode): number {
  if (!Array.isArray(raw)) throw new ApiError(Errors.validationError, 'hyperparams must be a list of parameters');
  const items = raw.map((r) => checkParamsItem(r, 'hyperparams'));
  if (mode === 'all') doc.hyperparams = {};
  if (mode === 'section') for (const s of new Set(items.map((i) => i.section))) doc.hyperparams[s] = {};
  for (const item of items) {
    doc.hyperparams[item.section] ??= {};
    doc.hyperparams[item.section][item.name] = item;
  }
  return items.length;
}

export function flattenHyperParams(doc: Task): ParamsItem[] {
  return Object.values(doc.hyperparams).flatMap((section) => Object.values(section));
}

export function deleteHyperParams(doc: Task, raw: unknown): number {
  if (!Array.isArray(raw)) throw new ApiError(Errors.validationError, 'hyperparams must be a list of {section, name}');
  let deleted = 0;
  for (const r of raw) {
    if (!isObject(r) || typeof r.section !== 'string') throw new ApiError(Errors.validationError, 'each item needs a section');
    const section = doc.hyperparams[r.section];
    if (!section) continue;
    if (typeof r.name === 'string' && r.name !== '') {
      if (r.name in section) {
        delete section[r.name];
        deleted++;
      }
    } else {
      deleted += Object.keys(section).length;
      delete doc.hyperparams[r.section];
    }
  }
  return deleted;
}

export function editConfiguration(doc: Task, raw: unknown, replace: boolean): number {
  if (!Array.isArray(raw)) throw new ApiError(Errors.validationError, 'configuration must be a list of items');
  const items = raw.map((r) => checkConfigurationItem(r));
  if (replace) doc.configuration = {};
  for (const item of items) doc.configuration[item.name] = item;
  return items.length;
}
