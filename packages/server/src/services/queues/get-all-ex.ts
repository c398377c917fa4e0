import { project } from '@cairn/protocol';
import type { Store } from '../../store/store.js';
import { optStringList } from '../validate.js';
import { liveWorkers } from '../workers/presence.js';
import { maxTaskEntries, selectQueues } from './get-all.js';
import { withEntries } from './queue-ops.js';

/**
 * `queues.get_all_ex`, the web UI's listing: `get_all` with each entry's task named
 * (`{task: {id, name}, added}`) and the live workers that pull from each queue.
 */
export async function queryQueuesEx(store: Store, body: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const queues = await withEntries(store, await selectQueues(store, body), maxTaskEntries(body));
  const taskIds = [...new Set(queues.flatMap((q) => q.entries.map((e) => e.task)))];
  const names = new Map((await store.tasks.getMany(taskIds)).map((t) => [t.id, t.name]));
  const workers = await liveWorkers(store);
  const onlyFields = optStringList(body, 'only_fields');
  return queues.map((q) => project({
    ...q,
    entries: q.entries.map((e) => ({ task: { id: e.task, name: names.get(e.task) ?? '' }, added: e.added })),
    workers: workers.filter((w) => w.queues.includes(q.id)).map((w) => ({ name: w.id, ip: w.ip, key: w.id, ...(w.task ? { task: w.task } : {}) })),
  }, onlyFields));
}
