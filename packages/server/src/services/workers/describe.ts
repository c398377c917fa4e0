import type { Worker, WorkerQueue } from '@cairn/protocol';
import type { Store, WorkerRecord } from '../../store/store.js';
import { queueSummaries } from '../queues/queue-ops.js';

/**
 * The `workers.get_all` shape: the stored record plus what it points at, looked up now —
 * the running task's run time and iteration, and each queue's name, head and length.
 */
export async function describeWorkers(store: Store, records: readonly WorkerRecord[]): Promise<Worker[]> {
  const queueIds = [...new Set(records.flatMap((w) => [...w.queues, ...(w.queue ? [w.queue] : [])]))];
  const queues = await queueSummaries(store, queueIds);
  const taskIds = new Set(records.flatMap((w) => (w.task ? [w.task.id] : [])));
  for (const q of queues.values()) if (q.next_task) taskIds.add(q.next_task);
  const tasks = new Map((await store.tasks.getMany([...taskIds])).map((t) => [t.id, t]));

  const queue = (id: string): WorkerQueue | undefined => {
    const q = queues.get(id);
    if (!q) return undefined;
    const next = q.next_task ? { next_task: { id: q.next_task, name: tasks.get(q.next_task)?.name ?? '' } } : {};
    return { id: q.id, name: q.name, num_tasks: q.num_tasks, ...next };
  };

  return records.map((w) => {
    const task = w.task ? tasks.get(w.task.id) : undefined;
    const current = w.queue ? queue(w.queue) : undefined;
    return {
      id: w.id,
      key: w.id,
      user: w.user,
      company: w.company,
      ip: w.ip,
      register_time: w.register_time,
      register_timeout: w.register_timeout,
      last_activity_time: w.last_activity_time,
      ...(w.last_report_time ? { last_report_time: w.last_report_time } : {}),
      ...(w.task ? {
        task: {
          id: w.task.id,
          name: task?.name ?? w.task.name,
          running_time: (task?.active_duration ?? 0) * 1000,
          last_iteration: task?.last_iteration ?? 0,
        },
      } : {}),
      ...(w.project ? { project: w.project } : {}),
      ...(current ? { queue: current } : {}),
      queues: w.queues.map(queue).filter((q): q is WorkerQueue => q !== undefined),
      tags: w.tags,
      system_tags: w.system_tags,
    };
  });
}
