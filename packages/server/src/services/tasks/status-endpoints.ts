import type { TaskStatus } from '@cairn/protocol';
import type { EndpointRegistry } from '../../http/endpoints.js';
import { nowIso, type ServiceDeps } from '../deps.js';
import { optBool, optString, reqString } from '../validate.js';
import { changeStatus, dequeueTask, enqueueTask, requestStop, resetTask } from './lifecycle.js';
import { getTaskOrThrow } from './task-document.js';

const common = (body: Record<string, unknown>) => ({
  force: optBool(body, 'force') ?? false,
  reason: optString(body, 'status_reason'),
  message: optString(body, 'status_message'),
});

export function registerTaskStatus(registry: EndpointRegistry, { store }: ServiceDeps): void {
  const simple = (name: string, to: TaskStatus, counter?: string) =>
    registry.add({
      name,
      handler: async (body) => {
        const r = await changeStatus(store, reqString(body, 'task'), to, common(body));
        return { updated: r.updated, fields: r.fields, ...(counter ? { [counter]: 1 } : {}) };
      },
    });
  simple('tasks.started', 'in_progress', 'started');
  simple('tasks.stopped', 'stopped');
  simple('tasks.failed', 'failed');
  simple('tasks.close', 'closed');

  registry.add({
    name: 'tasks.completed',
    handler: async (body) => {
      const id = reqString(body, 'task');
      const r = await changeStatus(store, id, 'completed', common(body));
      if (optBool(body, 'publish')) {
        const p = await changeStatus(store, id, 'published', { reason: r.task.status_reason });
        return { updated: 1, fields: p.fields, published: 1 };
      }
      return { updated: r.updated, fields: r.fields };
    },
  });

  registry.add({
    name: 'tasks.publish',
    handler: async (body) => {
      const r = await changeStatus(store, reqString(body, 'task'), 'published', common(body));
      return { updated: r.updated, fields: r.fields, committed_versions_results: [] };
    },
  });

  registry.add({
    name: 'tasks.stop',
    handler: async (body, ctx) => {
      const task = await getTaskOrThrow(store, reqString(body, 'task'));
      const c = common(body);
      const r = await requestStop(store, task, ctx.identity!, c.force, c.reason ?? 'abort request', c.message);
      return { updated: r.updated, fields: r.fields };
    },
  });

  registry.add({
    name: 'tasks.reset',
    handler: async (body) => {
      const r = await resetTask(store, reqString(body, 'task'), optBool(body, 'force') ?? false, optBool(body, 'clear_all') ?? false);
      return { updated: r.updated, fields: r.fields, dequeued: r.dequeued ? { removed: 1 } : {}, deleted_models: 0, urls: {} };
    },
  });

  registry.add({
    name: 'tasks.enqueue',
    handler: async (body) => {
      const c = common(body);
      const r = await enqueueTask(store, reqString(body, 'task'), { id: optString(body, 'queue'), name: optString(body, 'queue_name') }, c);
      return { queued: 1, updated: r.updated, fields: { ...r.fields, 'execution.queue': r.queue } };
    },
  });

  registry.add({
    name: 'tasks.dequeue',
    handler: async (body) => {
      const task = await getTaskOrThrow(store, reqString(body, 'task'));
      const r = await dequeueTask(store, task, optBool(body, 'force') ?? false);
      return { dequeued: 1, updated: r.updated, fields: r.fields };
    },
  });

  registry.add({
    name: 'tasks.ping',
    handler: async (body) => {
      const id = reqString(body, 'task');
      await getTaskOrThrow(store, id);
      await store.tasks.update(id, (doc) => ({ ...doc, last_update: nowIso() }));
      return {};
    },
  });
}
