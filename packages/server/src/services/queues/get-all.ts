import { compileGetAll, project, runQuery, type Queue } from '@cairn/protocol';
import type { Store } from '../../store/store.js';
import { optInt, optStringList } from '../validate.js';

/**
 * `queues.get_all`: the query language over queues. Queues tagged for the Kubernetes
 * glue are hidden from plain listings like `hidden` ones, but a lookup by id or name
 * always finds them: agents look their own queues up by name after a restart.
 */
export const QUEUE_LIST_FIELDS = ['tags', 'system_tags', 'user'] as const;
const HIDDEN_QUEUE_TAGS = ['hidden', 'k8s-glue'];

/** `max_task_entries`: how many entries each returned queue shows, from the head. */
export function limitEntries(q: Queue, body: Record<string, unknown>): Queue {
  const max = optInt(body, 'max_task_entries');
  return max === undefined ? q : { ...q, entries: q.entries.slice(0, Math.max(0, max)) };
}

export async function queryQueues(store: Store, body: Record<string, unknown>): Promise<Partial<Queue>[]> {
  const lookup = body.search_hidden === true || (body.id !== undefined && body.id !== null) || (typeof body.name === 'string' && body.name !== '');
  const compiled = compileGetAll({ ...body, search_hidden: true, order_by: (body.order_by as string[] | string | undefined) ?? ['created'] }, QUEUE_LIST_FIELDS);
  const q = lookup ? compiled : {
    ...compiled,
    predicate: (doc: object) => compiled.predicate(doc) && !(doc as Queue).system_tags.some((t) => HIDDEN_QUEUE_TAGS.includes(t)),
  };
  const onlyFields = optStringList(body, 'only_fields');
  return runQuery(await store.queues.find({ ids: q.ids }), q).map((doc) => project(limitEntries(doc, body), onlyFields));
}
