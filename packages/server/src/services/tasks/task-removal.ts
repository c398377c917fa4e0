import type { Model, Task } from '@cairn/protocol';
import type { Store } from '../../store/store.js';
import { removeModel } from '../models/model-removal.js';
import { removeTaskFromQueues } from '../queues/queue-ops.js';
import { eventFileUrls } from '../storage-cleanup/event-urls.js';
import type { Leftovers } from '../storage-cleanup/leftovers.js';

/**
 * The output models that go with a task, as in ClearML: those it created or lists as
 * output, still drafts (a published model outlives its task), and loaded as input by no
 * other task.
 */
async function disposableOutputModels(store: Store, task: Task): Promise<Model[]> {
  const listed = new Set(task.models.output.map((m) => m.model));
  const own = (await store.models.find()).filter((m) => (m.task === task.id || listed.has(m.id)) && !m.ready);
  if (own.length === 0) return [];
  const loaded = new Set((await store.tasks.find()).filter((t) => t.id !== task.id).flatMap((t) => (t.models?.input ?? []).map((i) => i.model)));
  return own.filter((m) => !loaded.has(m.id));
}

/**
 * What deleting or resetting a task removes besides its own fields: its events and,
 * with `deleteOutputModels`, its disposable output models. Their files join
 * `leftovers`: the output artifacts, what the events name, the models' files. `task`
 * is the document as it was before (a reset drops its artifacts). Answers how many
 * models were deleted.
 */
export async function clearTaskOutputs(store: Store, task: Task, deleteOutputModels: boolean, leftovers: Leftovers): Promise<number> {
  const owner = { owner_type: 'task', owner: task.id } as const;
  leftovers.add('artifact', (task.execution.artifacts ?? []).filter((a) => a.mode !== 'input').map((a) => a.uri), owner);
  leftovers.add('event', await eventFileUrls(store, task.id), owner);
  await store.events.deleteTask(task.id);
  let deleted = 0;
  if (deleteOutputModels) {
    for (const m of await disposableOutputModels(store, task)) if (await removeModel(store, m, leftovers)) deleted++;
  }
  return deleted;
}

/** Deletes a task: out of every queue, its outputs cleared, its row gone. Answers how many models were deleted with it. */
export async function removeTask(store: Store, task: Task, deleteOutputModels: boolean, leftovers: Leftovers): Promise<number> {
  await removeTaskFromQueues(store, task.id);
  const deleted = await clearTaskOutputs(store, task, deleteOutputModels, leftovers);
  await store.tasks.delete(task.id);
  return deleted;
}
