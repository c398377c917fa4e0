import { Errors } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { QueueMove } from '../../store/store.js';
import type { ServiceModule } from '../deps.js';
import { deleteMetadataKeys, mergeMetadata, parseMetadataList } from '../models/metadata.js';
import { optBool, optInt, optName, optString, optStringList, reqName, reqString } from '../validate.js';
import { queryQueuesEx } from './get-all-ex.js';
import { maxTaskEntries, queryQueues } from './get-all.js';
import { takeNextTask } from './next-task.js';
import { queueMetrics } from './queue-metrics.js';
import {
  addTaskToQueue, clearQueue, countEntries, createQueue, deleteQueue, getDefaultQueue, getQueueOrThrow, getQueueRecordOrThrow, moveTask, peekTask,
  removeTaskFromQueue, updateQueue, type QueueChange,
} from './queue-ops.js';
import { releaseQueuedTask } from './task-release.js';
import { readTimeRange } from './time-buckets.js';

/** Longest `wait_sec` a long-polling `get_next_task` (a Cairn extension) is held for. */
const MAX_WAIT_SEC = 30;

export const registerQueues: ServiceModule = (registry, { store }) => {
  registry.add({
    name: 'queues.create',
    handler: async (body, ctx) => {
      if (!ctx.identity) throw new ApiError(Errors.missingCredentials);
      const queue = await createQueue(store, ctx.identity, {
        name: reqName(body),
        tags: optStringList(body, 'tags'),
        system_tags: optStringList(body, 'system_tags'),
        metadata: body.metadata === undefined || body.metadata === null ? undefined : parseMetadataList(body.metadata),
      });
      return { id: queue.id };
    },
  });

  // The SDK first tries a queue *name* here and falls back to a name search on error,
  // so only a real id may answer with a queue.
  registry.add({
    name: 'queues.get_by_id',
    handler: async (body) => ({ queue: await getQueueOrThrow(store, body.queue, maxTaskEntries(body)) }),
  });

  registry.add({ name: 'queues.get_all', handler: async (body) => ({ queues: await queryQueues(store, body) }) });
  registry.add({ name: 'queues.get_all_ex', handler: async (body) => ({ queues: await queryQueuesEx(store, body) }) });

  registry.add({
    name: 'queues.get_default',
    handler: async () => {
      const q = await getDefaultQueue(store);
      return { id: q.id, name: q.name };
    },
  });

  registry.add({
    name: 'queues.get_num_entries',
    handler: async (body) => ({ num: await countEntries(store, reqString(body, 'queue')) }),
  });

  registry.add({
    name: 'queues.update',
    handler: async (body) => {
      const id = reqString(body, 'queue');
      const metadata = body.metadata === undefined || body.metadata === null ? undefined : parseMetadataList(body.metadata);
      const change: QueueChange = {
        name: optName(body),
        tags: optStringList(body, 'tags'),
        system_tags: optStringList(body, 'system_tags'),
        metadata: metadata && (() => metadata),
      };
      const q = await updateQueue(store, id, change);
      const fields: Record<string, unknown> = { last_update: q.last_update };
      for (const f of ['name', 'tags', 'system_tags', 'metadata'] as const) if (change[f] !== undefined) fields[f] = q[f];
      return { updated: 1, fields };
    },
  });

  registry.add({
    name: 'queues.delete',
    handler: async (body) => {
      const id = reqString(body, 'queue');
      const tasks = await deleteQueue(store, id, optBool(body, 'force') ?? false);
      for (const t of tasks) await releaseQueuedTask(store, t, id);
      return { deleted: 1 };
    },
  });

  registry.add({
    name: 'queues.add_task',
    handler: async (body) => {
      const queueId = reqString(body, 'queue');
      const taskId = reqString(body, 'task');
      if (!(await store.tasks.get(taskId))) throw new ApiError(Errors.invalidTaskId, `invalid task id: ${taskId}`, { id: taskId });
      if (!(await addTaskToQueue(store, queueId, taskId))) {
        throw new ApiError(Errors.taskAlreadyQueued, `task ${taskId} is already in queue ${queueId}`, { queue: queueId, task: taskId });
      }
      // As in ClearML, adding records the queue on the task but leaves its status alone.
      if (optBool(body, 'update_execution_queue') ?? true) {
        await store.tasks.update(taskId, (doc) => ({ ...doc, execution: { ...doc.execution, queue: queueId } }));
      }
      return { added: 1 };
    },
  });

  registry.add({
    name: 'queues.remove_task',
    handler: async (body) => {
      const queueId = reqString(body, 'queue');
      const taskId = reqString(body, 'task');
      await removeTaskFromQueue(store, queueId, taskId);
      if (optBool(body, 'update_task_status') ?? false) await releaseQueuedTask(store, taskId, queueId);
      return { removed: 1 };
    },
  });

  registry.add({
    name: 'queues.clear_queue',
    handler: async (body) => {
      const id = reqString(body, 'queue');
      const tasks = await clearQueue(store, id);
      for (const t of tasks) await releaseQueuedTask(store, t, id);
      return { removed_tasks: tasks };
    },
  });

  registry.add({
    name: 'queues.get_next_task',
    handler: async (body, ctx) => {
      const queueId = reqString(body, 'queue');
      await getQueueRecordOrThrow(store, queueId);
      const waitSec = optInt(body, 'wait_sec') ?? 0;
      if (waitSec < 0) throw new ApiError(Errors.validationError, 'wait_sec must not be negative', { field: 'wait_sec' });
      const next = await takeNextTask(store, queueId, {
        onlyTask: optString(body, 'task'),
        waitMs: Math.min(waitSec, MAX_WAIT_SEC) * 1000,
        signal: ctx.signal,
      });
      if (!next) return {};
      return {
        entry: next.entry,
        ...(optBool(body, 'get_task_info') ? { task_info: { company: next.task.company, user: next.task.user } } : {}),
      };
    },
  });

  registry.add({
    name: 'queues.get_queue_metrics',
    handler: async (body) => {
      const ids = optStringList(body, 'queue_ids');
      return { queues: await queueMetrics(store, ids && ids.length > 0 ? ids : null, readTimeRange(body)) };
    },
  });

  const moves: [string, (count: number) => QueueMove][] = [
    ['queues.move_task_forward', (n) => ({ by: n })],
    ['queues.move_task_backward', (n) => ({ by: -n })],
    ['queues.move_task_to_front', () => 'front'],
    ['queues.move_task_to_back', () => 'back'],
  ];
  for (const [name, move] of moves) {
    registry.add({
      name,
      handler: async (body) => {
        const count = optInt(body, 'count') ?? 1;
        if (count < 1) throw new ApiError(Errors.validationError, 'count must be at least 1', { field: 'count' });
        return { position: await moveTask(store, reqString(body, 'queue'), reqString(body, 'task'), move(count)) };
      },
    });
  }

  registry.add({
    name: 'queues.peek_task',
    handler: async (body) => {
      const head = await peekTask(store, reqString(body, 'queue'));
      return head ? { task: head.task } : {};
    },
  });

  registry.add({
    name: 'queues.add_or_update_metadata',
    handler: async (body) => {
      const items = parseMetadataList(body.metadata);
      const replace = optBool(body, 'replace_metadata') ?? false;
      await updateQueue(store, reqString(body, 'queue'), { metadata: (current) => mergeMetadata(current, items, replace) });
      return { updated: 1 };
    },
  });

  registry.add({
    name: 'queues.delete_metadata',
    handler: async (body) => {
      const keys = optStringList(body, 'keys');
      if (!keys) throw new ApiError(Errors.missingRequiredFields, 'missing required field: keys', { field: 'keys' });
      await updateQueue(store, reqString(body, 'queue'), { metadata: (current) => deleteMetadataKeys(current, keys) });
      return { updated: 1 };
    },
  });
};
