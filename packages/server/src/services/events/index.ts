import { Errors } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Store } from '../../store/store.js';
import type { ServiceModule } from '../deps.js';
import { optBool, reqString } from '../validate.js';
import { registerIngest } from './ingest.js';
import { registerDocReads } from './read-docs.js';
import { registerEventReads } from './read-events.js';
import { registerLogReads } from './read-log.js';
import { registerScalarReads } from './read-scalars.js';

/** Removes every event of a task (tasks.reset, tasks.delete); answers how many were removed. */
export const deleteTaskEvents = (store: Store, taskId: string): Promise<number> => store.events.deleteTask(taskId);

const registerMaintenance: ServiceModule = (registry, { store }) => {
  registry.add({
    name: 'events.delete_for_task',
    handler: async (body) => {
      const id = reqString(body, 'task');
      const task = await store.tasks.get(id);
      if (!task) throw new ApiError(Errors.invalidTaskId, `task ${id} not found`, { id });
      if (task.status === 'published' && !optBool(body, 'allow_locked')) {
        throw new ApiError(Errors.invalidTaskStatus, `task ${id} is published; pass allow_locked to delete its events`);
      }
      return { deleted: await deleteTaskEvents(store, id) };
    },
  });
};

const PARTS: readonly ServiceModule[] = [registerIngest, registerLogReads, registerEventReads, registerScalarReads, registerDocReads, registerMaintenance];

export const registerEvents: ServiceModule = (registry, deps) => {
  for (const register of PARTS) register(registry, deps);
};
