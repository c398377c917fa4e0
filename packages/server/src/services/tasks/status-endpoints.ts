import type { TaskStatus } from '@cairn/protocol';
import type { EndpointRegistry } from '../../http/endpoints.js';
import type { ServiceDeps } from '../deps.js';
import { runBatch } from '../models/batch.js';
import { Leftovers, readCleanupRequest, type CleanupRequest } from '../storage-cleanup/leftovers.js';
import { optBool, optString, reqIdList, reqString } from '../validate.js';
import { changeStatus, dequeueTask, enqueueTask, pingTask, requestStop, resetTask } from './lifecycle.js';
import { checkStatus, getTaskOrThrow } from './task-document.js';

const common = (body: Record<string, unknown>) => ({
  force: optBool(body, 'force') ?? false,
  reason: optString(body, 'status_reason'),
  message: optString(body, 'status_message'),
});

export function registerTaskStatus(registry: EndpointRegistry, { store, codeRecording }: ServiceDeps): void {
  const simple = (name: string, to: TaskStatus, counter?: string) =>
    registry.add({
      name,
      handler: async (body) => {
        const r = await changeStatus(store, reqString(body, 'task'), to, common(body));
        return { updated: r.updated, fields: r.fields, ...(counter ? { [counter]: 1 } : {}) };
      },
    });
  registry.add({
    name: 'tasks.started',
    handler: async (body) => {
      const r = await changeStatus(store, reqString(body, 'task'), 'in_progress', common(body));
      if (r.updated) await codeRecording.started(r.task);
      return { updated: r.updated, fields: r.fields, started: 1 };
    },
  });
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
      const r = await requestStop(store, task, ctx.identity!, { force: c.force, reason: c.reason ?? 'abort request', message: c.message });
      return { updated: r.updated, fields: r.fields };
    },
  });

  const reset = async (id: string, body: Record<string, unknown>, cleanup: CleanupRequest) => {
    const leftovers = new Leftovers();
    const r = await resetTask(store, id, {
      force: optBool(body, 'force') ?? false,
      clearAll: optBool(body, 'clear_all') ?? false,
      deleteOutputModels: cleanup.deleteOutputModels,
    }, leftovers);
    return { updated: r.updated, fields: r.fields, dequeued: r.dequeued, deleted_models: r.deletedModels, ...(await leftovers.settle(store, cleanup)) };
  };
  registry.add({
    name: 'tasks.reset',
    handler: async (body) => {
      const r = await reset(reqString(body, 'task'), body, readCleanupRequest(body));
      return { ...r, dequeued: r.dequeued ? { removed: 1 } : {} };
    },
  });
  // each item says whether the task was dequeued as a boolean (tasks.reset answers an object)
  registry.add({
    name: 'tasks.reset_many',
    handler: async (body) => {
      const cleanup = readCleanupRequest(body);
      return { ...(await runBatch(reqIdList(body, 'ids'), (id) => reset(id, body, cleanup))) };
    },
  });

  registry.add({
    name: 'tasks.enqueue',
    handler: async (body, ctx) => {
      const r = await enqueueTask(store, ctx.identity!, reqString(body, 'task'), {
        queue: optString(body, 'queue'),
        queueName: optString(body, 'queue_name'),
        updateExecutionQueue: optBool(body, 'update_execution_queue') ?? true,
        verifyWatched: optBool(body, 'verify_watched_queue') ?? false,
      }, common(body));
      return {
        queued: 1,
        updated: r.updated,
        fields: { ...r.fields, 'execution.queue': r.queue },
        ...(r.queueWatched === undefined ? {} : { queue_watched: r.queueWatched }),
      };
    },
  });

  registry.add({
    name: 'tasks.dequeue',
    handler: async (body) => {
      const newStatus = optString(body, 'new_status');
      const r = await dequeueTask(store, reqString(body, 'task'), {
        newStatus: newStatus === undefined ? undefined : checkStatus(newStatus),
        removeFromAllQueues: optBool(body, 'remove_from_all_queues') ?? false,
        reason: optString(body, 'status_reason'),
        message: optString(body, 'status_message'),
      });
      return { dequeued: r.dequeued, updated: r.updated, fields: r.fields };
    },
  });

  registry.add({
    name: 'tasks.ping',
    handler: async (body) => {
      await pingTask(store, reqString(body, 'task'));
      return {};
    },
  });
}
