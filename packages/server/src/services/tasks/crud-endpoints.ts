import { compileGetAll, Errors, project, runQuery, storePages, type Task } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { EndpointRegistry } from '../../http/endpoints.js';
import { nowIso, type ServiceDeps } from '../deps.js';
import { getProjectOrThrow } from '../projects/index.js';
import { Leftovers, readCleanupRequest, type CleanupRequest } from '../storage-cleanup/leftovers.js';
import { optBool, optName, optObject, optString, optStringList, reqIdList, reqName, reqString } from '../validate.js';
import { applyEditFields } from './edit-fields.js';
import { checkConfiguration, checkHyperparams, checkModelItems, checkContainer, getTaskOrThrow, newTask } from './task-document.js';
import { removeTask } from './task-removal.js';

const LIST_FIELDS = ['project', 'status', 'type', 'user', 'parent', 'tags', 'system_tags'] as const;

/** The `project` filter narrows the SQL scan only when it is a plain list of ids (no operators). */
function plainIds(v: unknown): string[] | null {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) return null;
  return list.every((x) => typeof x === 'string' && !x.startsWith('__$') && !x.startsWith('-')) ? (list as string[]) : null;
}

export function registerTaskCrud(registry: EndpointRegistry, { store }: ServiceDeps): void {
  /** A parent must be a task that exists (and not the task itself). */
  const checkParent = async (body: Record<string, unknown>, self?: string) => {
    const parent = optString(body, 'parent');
    if (!parent) return;
    if (parent === self) throw new ApiError(Errors.validationError, 'a task cannot be its own parent', { field: 'parent' });
    if (!(await store.tasks.get(parent))) throw new ApiError(Errors.invalidTaskId, `invalid parent task id: ${parent}`, { id: parent });
  };

  registry.add({
    name: 'tasks.create',
    handler: async (body, ctx) => {
      const name = reqName(body);
      const doc = newTask(ctx.identity!, name, 'training');
      const projectId = optString(body, 'project');
      if (projectId) await getProjectOrThrow(store, projectId);
      await checkParent(body);
      applyEditFields(doc, body);
      await store.tasks.insert(doc);
      return { id: doc.id };
    },
  });

  registry.add({
    name: 'tasks.get_by_id',
    handler: async (body) => ({ task: await getTaskOrThrow(store, body.task) }),
  });

  const getAll = async (body: Record<string, unknown>) => {
    const q = compileGetAll(body, LIST_FIELDS);
    const onlyFields = optStringList(body, 'only_fields');
    // The store's page is checked once more here: its conditions are never looser than
    // the query's, and a document they let through by a corner case is left out.
    const tasks = storePages(q)
      ? (await store.tasks.select({ conditions: q.plan.conditions, order: q.plan.order!, offset: q.offset, limit: q.limit })).filter(q.predicate)
      : runQuery(await store.tasks.find({ ids: q.ids, projects: plainIds(body.project), conditions: q.plan.conditions }), q);
    return { tasks: tasks.map((t) => project(t, onlyFields)) };
  };
  registry.add({ name: 'tasks.get_all', handler: getAll });
  registry.add({ name: 'tasks.get_all_ex', handler: getAll });

  registry.add({
    name: 'tasks.get_types',
    handler: async (body) => {
      const projects = plainIds(body.projects);
      const tasks = await store.tasks.find({ projects });
      return { types: [...new Set(tasks.map((t) => t.type))].sort() };
    },
  });

  const edit = (restrictToDraft: boolean) => async (body: Record<string, unknown>) => {
    const id = reqString(body, 'task');
    const force = optBool(body, 'force') ?? false;
    const projectId = optString(body, 'project');
    if (projectId) await getProjectOrThrow(store, projectId);
    await checkParent(body, id);
    let fields: Record<string, unknown> = {};
    const updated = await store.tasks.update(id, (doc) => {
      if (restrictToDraft && !force && doc.status !== 'created') {
        throw new ApiError(Errors.invalidTaskStatus, `task ${id} is ${doc.status}; only draft (created) tasks can be edited without force`);
      }
      fields = applyEditFields(doc, body);
      const now = nowIso();
      doc.last_update = now;
      doc.last_change = now;
      return doc;
    });
    if (!updated) throw new ApiError(Errors.invalidTaskId, `invalid task id: ${id}`, { id });
    return { updated: 1, fields };
  };
  registry.add({ name: 'tasks.edit', handler: edit(true) });
  // `tasks.update` changes only descriptive fields, allowed in any status; Kubernetes glues
  // (ClearML's and Cairn's) also put what the cluster says of a pending task in its
  // status message this way.
  registry.add({
    name: 'tasks.update',
    handler: async (body) => {
      const allowed = Object.fromEntries(['task', 'name', 'comment', 'tags', 'system_tags', 'project', 'parent'].filter((k) => k in body).map((k) => [k, body[k]]));
      const message = optString(body, 'status_message');
      const answer = await edit(false)(allowed);
      if (message !== undefined) {
        await store.tasks.update(reqString(body, 'task'), (doc) => ({ ...doc, status_message: message.slice(0, 1000) }));
        (answer.fields as Record<string, unknown>).status_message = message;
      }
      return answer;
    },
  });

  registry.add({
    name: 'tasks.clone',
    handler: async (body, ctx) => {
      const src = await getTaskOrThrow(store, body.task);
      const name = optName(body, 'new_task_name') ?? src.name;
      const clone: Task = newTask(ctx.identity!, name, src.type);
      const projectId = optString(body, 'new_task_project') ?? src.project;
      if (projectId) {
        await getProjectOrThrow(store, projectId);
        clone.project = projectId;
      }
      clone.parent = optString(body, 'new_task_parent') ?? src.id;
      clone.comment = optString(body, 'new_task_comment') ?? src.comment;
      clone.tags = optStringList(body, 'new_task_tags') ?? [...src.tags];
      clone.system_tags = optStringList(body, 'new_task_system_tags') ?? src.system_tags.filter((t) => t !== 'archived');
      clone.script = structuredClone(src.script);
      const { queue: _q, ...execution } = src.execution;
      clone.execution = { ...structuredClone(execution), artifacts: (src.execution.artifacts ?? []).filter((a) => a.mode === 'input') };
      const overrides = optObject(body, 'execution_overrides');
      if (overrides) applyEditFields(clone, { execution: overrides });
      clone.hyperparams = body.new_task_hyperparams ? checkHyperparams(body.new_task_hyperparams) : structuredClone(src.hyperparams);
      clone.configuration = body.new_task_configuration ? checkConfiguration(body.new_task_configuration) : structuredClone(src.configuration);
      clone.container = body.new_task_container ? checkContainer(body.new_task_container, 'new_task_container') : { ...src.container };
      clone.models = {
        input: body.new_task_input_models ? checkModelItems(body.new_task_input_models, 'new_task_input_models') : [...src.models.input],
        output: [],
      };
      clone.output = src.output.destination ? { destination: src.output.destination } : {};
      await store.tasks.insert(clone);
      return { id: clone.id };
    },
  });

  const deleteOne = async (id: string, force: boolean, cleanup: CleanupRequest) => {
    const task = await getTaskOrThrow(store, id);
    if (task.status === 'in_progress' && !force) {
      throw new ApiError(Errors.invalidTaskStatus, `task ${id} is in progress; use force to delete it`);
    }
    const leftovers = new Leftovers();
    const deletedModels = await removeTask(store, task, cleanup.deleteOutputModels, leftovers);
    // a boolean, as the SDK's response class checks
    return { deleted: true, updated_children: 0, updated_models: 0, deleted_models: deletedModels, ...(await leftovers.settle(store, cleanup)) };
  };
  registry.add({ name: 'tasks.delete', handler: async (body) => deleteOne(reqString(body, 'task'), optBool(body, 'force') ?? false, readCleanupRequest(body)) });
  registry.add({
    name: 'tasks.delete_many',
    handler: async (body) => {
      const succeeded: Record<string, unknown>[] = [];
      const failed: Record<string, unknown>[] = [];
      const cleanup = readCleanupRequest(body);
      for (const id of reqIdList(body, 'ids')) {
        try {
          succeeded.push({ id, ...(await deleteOne(id, optBool(body, 'force') ?? false, cleanup)) });
        } catch (err) {
          failed.push({ id, error: { codes: [(err as ApiError).error?.code ?? 500, (err as ApiError).error?.subcode ?? 0], msg: (err as Error).message } });
        }
      }
      return { succeeded, failed };
    },
  });

  const archive = (on: boolean) => async (body: Record<string, unknown>) => {
    const succeeded: Record<string, unknown>[] = [];
    const failed: Record<string, unknown>[] = [];
    for (const id of reqIdList(body, body.ids !== undefined ? 'ids' : 'tasks')) {
      const t = await store.tasks.update(id, (doc) => {
        const tags = doc.system_tags.filter((x) => x !== 'archived');
        doc.system_tags = on ? [...tags, 'archived'] : tags;
        doc.last_update = nowIso();
        return doc;
      });
      if (t) succeeded.push({ id, [on ? 'archived' : 'unarchived']: true });
      else failed.push({ id, error: { codes: [400, 101], msg: `invalid task id: ${id}` } });
    }
    return { succeeded, failed, archived: on ? succeeded.length : undefined };
  };
  registry.add({ name: 'tasks.archive', handler: archive(true) });
  registry.add({ name: 'tasks.archive_many', handler: archive(true) });
  registry.add({ name: 'tasks.unarchive_many', handler: archive(false) });
}
