import { compileGetAll, project, runQuery, type Model } from '@cairn/protocol';
import type { Store } from '../../store/store.js';
import { optStringList } from '../validate.js';

/**
 * `models.get_all`: the query language over models. `ready` and `metadata.<key>.value`
 * need no listing here: booleans and dotted keys are generic filters of compileGetAll.
 */
export const MODEL_LIST_FIELDS = ['project', 'task', 'user', 'tags', 'system_tags', 'framework', 'uri', 'parent'] as const;

/** The `project` filter narrows the SQL scan only when it is a plain list of ids (no operators, no nulls). */
function plainIds(v: unknown): string[] | null {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) return null;
  return list.every((x) => typeof x === 'string' && !x.startsWith('__$') && !x.startsWith('-')) ? (list as string[]) : null;
}

export async function queryModels(store: Store, body: Record<string, unknown>): Promise<Partial<Model>[]> {
  // Without an order the answer follows creation, as ClearML's natural order does.
  const q = compileGetAll(body.order_by === undefined ? { ...body, order_by: ['created'] } : body, MODEL_LIST_FIELDS);
  // Models stored before `last_change` existed read it as their last update: the trigger
  // scheduler takes the max of both and fails on a missing one.
  const docs = (await store.models.find({ ids: q.ids, projects: plainIds(body.project) })).map((m) => (m.last_change ? m : { ...m, last_change: m.last_update }));
  const onlyFields = optStringList(body, 'only_fields');
  return runQuery(docs, q).map((m) => project(m, onlyFields));
}
