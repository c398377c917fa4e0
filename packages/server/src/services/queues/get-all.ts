import { compileGetAll, project, runQuery, type Queue } from '@cairn/protocol';
import type { QueueRecord, Store } from '../../store/store.js';
import { optInt, optStringList } from '../validate.js';
import { queueRecords, withEntries } from './queue-ops.js';

/**
 * `queues.get_all`: the query language over queues. Queues tagged for the Kubernetes
 * glue are hidden from plain listings like `hidden` ones, but a lookup by id or name
 * always finds them: agents look their own queues up by name after a restart.
 */
export const QUEUE_LIST_FIELDS = ['tags', 'system_tags', 'user'] as const;
const HIDDEN_QUEUE_TAGS = ['hidden', 'k8s-glue'];

/** `max_task_entries`: how many entries each returned queue shows, from the head. */
export function maxTaskEntries(body: Record<string, unknown>): number | undefined {
  const max = optInt(body, 'max_task_entries');
  return max === undefined ? undefined : Math.max(0, max);
}

/** The queue documents the request selects, in order, without entries. */
export async function selectQueues(store: Store, body: Record<string, unknown>): Promise<QueueRecord[]> {
  const lookup = body.search_hidden === true || (body.id !== undefined && body.id !== null) || (typeof body.name === 'string' && body.name !== '');
  const compiled = compileGetAll({ ...body, search_hidden: true, order_by: (body.order_by as string[] | string | undefined) ?? ['created'] }, QUEUE_LIST_FIELDS);
  const q = lookup ? compiled : {
    ...compiled,
    predicate: (doc: object) => compiled.predicate(doc) && !(doc as QueueRecord).system_tags.some((t) => HIDDEN_QUEUE_TAGS.includes(t)),
  };
  return runQuery(await queueRecords(store, q.ids ?? undefined), q);
}

export async function queryQueues(store: Store, body: Record<string, unknown>): Promise<Partial<Queue>[]> {
  const records = await selectQueues(store, body);
  const onlyFields = optStringList(body, 'only_fields');
  // Agents poll with `only_fields: [id, tags]` every few seconds: skip the entries then.
  const wantEntries = !onlyFields || onlyFields.length === 0 || onlyFields.some((f) => f === 'entries' || f.startsWith('entries.'));
  const docs = wantEntries ? await withEntries(store, records, maxTaskEntries(body)) : records;
  return docs.map((doc) => project(doc, onlyFields));
}
