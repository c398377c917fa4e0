import { compileGetAll, Errors, newId, project, runQuery, type Identity, type Project } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Store } from '../../store/store.js';
import { nowIso, type ServiceModule } from '../deps.js';
import { removeModel } from '../models/model-removal.js';
import { Leftovers, readCleanupRequest } from '../storage-cleanup/leftovers.js';
import { removeTask } from '../tasks/task-removal.js';
import { optBool, optString, optStringList, reqName, reqString } from '../validate.js';
import { ancestors, basename, splitProjectPath } from './project-names.js';
import { projectStats } from './stats.js';
import { tasksInScope } from './subtree.js';
import { registerTaskFacets } from './task-facets.js';

const LIST_FIELDS = ['tags', 'system_tags', 'user'] as const;

export async function getProjectOrThrow(store: Store, id: string): Promise<Project> {
  const p = await store.projects.get(id);
  if (!p) throw new ApiError(Errors.invalidProjectId, `invalid project id: ${id}`, { id });
  return p;
}

async function findByName(store: Store, name: string): Promise<Project | undefined> {
  return (await store.projects.find()).find((p) => p.name === name);
}

function newProject(name: string, who: Identity, fields: Partial<Project> = {}): Project {
  const now = nowIso();
  return {
    id: newId(),
    name,
    basename: basename(name),
    description: '',
    user: who.user,
    company: who.company,
    created: now,
    last_update: now,
    tags: [],
    system_tags: [],
    ...fields,
  };
}

/** Creates the parents of a sub-project that do not exist yet, as ClearML does. */
async function ensureAncestors(store: Store, name: string, who: Identity): Promise<void> {
  for (const parent of ancestors(name)) {
    if (!(await findByName(store, parent))) await store.projects.insert(newProject(parent, who));
  }
}

export const registerProjects: ServiceModule = (registry, deps) => {
  const { store } = deps;
  registry.add({
    name: 'projects.create',
    handler: async (body, ctx) => {
      const raw = reqName(body);
      const name = splitProjectPath(raw).join('/');
      if (name === '') throw new ApiError(Errors.validationError, 'project name must not be empty');
      if (await findByName(store, name)) throw new ApiError(Errors.projectExists, `project ${JSON.stringify(name)} already exists`, { name });
      await ensureAncestors(store, name, ctx.identity!);
      const doc = newProject(name, ctx.identity!, {
        description: optString(body, 'description') ?? '',
        tags: optStringList(body, 'tags') ?? [],
        system_tags: optStringList(body, 'system_tags') ?? [],
        ...(optString(body, 'default_output_destination') ? { default_output_destination: optString(body, 'default_output_destination') } : {}),
      });
      await store.projects.insert(doc);
      return { id: doc.id };
    },
  });

  registry.add({
    name: 'projects.get_by_id',
    handler: async (body) => ({ project: await getProjectOrThrow(store, reqString(body, 'project')) }),
  });

  const getAll = async (body: Record<string, unknown>) => {
    const q = compileGetAll(body, LIST_FIELDS);
    const docs = await store.projects.find({ ids: q.ids });
    const onlyFields = optStringList(body, 'only_fields');
    return { projects: runQuery(docs, q).map((p) => project(p, onlyFields)) };
  };
  registry.add({ name: 'projects.get_all', handler: getAll });
  registry.add({
    name: 'projects.get_all_ex',
    handler: async (body) => {
      const result = await getAll(body);
      if (!optBool(body, 'include_stats') || result.projects.length === 0) return result;
      const all = await store.projects.find();
      const wanted = new Set(result.projects.map((p) => p.id));
      const listed = all.filter((p) => wanted.has(p.id));
      const withChildren = optBool(body, 'stats_with_children') ?? true;
      const tasks = await tasksInScope(store, listed.map((p) => p.id), withChildren);
      const stats = projectStats(listed, all, tasks, withChildren);
      return { projects: result.projects.map((p) => ({ ...p, stats: stats.get(p.id) })) };
    },
  });
  registerTaskFacets(registry, deps);

  registry.add({
    name: 'projects.update',
    handler: async (body) => {
      const id = reqString(body, 'project');
      const rename = optString(body, 'name');
      const newName = rename === undefined ? undefined : splitProjectPath(rename).join('/');
      if (newName !== undefined) {
        const clash = await findByName(store, newName);
        if (clash && clash.id !== id) throw new ApiError(Errors.projectExists, `project ${JSON.stringify(newName)} already exists`);
      }
      const fields: Partial<Project> = {};
      if (newName !== undefined) Object.assign(fields, { name: newName, basename: basename(newName) });
      const description = optString(body, 'description');
      if (description !== undefined) fields.description = description;
      const tags = optStringList(body, 'tags');
      if (tags) fields.tags = tags;
      const systemTags = optStringList(body, 'system_tags');
      if (systemTags) fields.system_tags = systemTags;
      const dest = optString(body, 'default_output_destination');
      if (dest !== undefined) fields.default_output_destination = dest;
      const old = await getProjectOrThrow(store, id);
      const updated = await store.projects.update(id, (p) => ({ ...p, ...fields, last_update: nowIso() }));
      if (newName !== undefined && newName !== old.name) {
        // Sub-projects follow their parent's new path.
        for (const child of await store.projects.find()) {
          if (child.name.startsWith(`${old.name}/`)) {
            await store.projects.update(child.id, (c) => ({ ...c, name: newName + c.name.slice(old.name.length), last_update: nowIso() }));
          }
        }
      }
      return { updated: updated ? 1 : 0, fields };
    },
  });

  registry.add({
    name: 'projects.delete',
    handler: async (body) => {
      const id = reqString(body, 'project');
      const force = optBool(body, 'force') ?? false;
      const p = await getProjectOrThrow(store, id);
      const all = await store.projects.find();
      const subtree = [p, ...all.filter((c) => c.name.startsWith(`${p.name}/`))];
      const ids = subtree.map((x) => x.id);
      const tasks = await store.tasks.find({ projects: ids });
      const models = await store.models.find({ projects: ids });
      if ((tasks.length || models.length) && !force) {
        throw new ApiError(Errors.validationError, `project has ${tasks.length} tasks and ${models.length} models; use force to delete it anyway`);
      }
      if (optBool(body, 'delete_contents')) {
        const cleanup = readCleanupRequest(body);
        const leftovers = new Leftovers();
        let deletedModels = 0;
        for (const m of models) if (await removeModel(store, m, leftovers)) deletedModels++;
        // the tasks' output models in other projects stay, as in ClearML: only the project's contents go
        for (const t of tasks) await removeTask(store, t, false, leftovers);
        for (const x of subtree) await store.projects.delete(x.id);
        await leftovers.settle(store, cleanup);
        return { deleted: subtree.length, disassociated_tasks: 0, deleted_tasks: tasks.length, deleted_models: deletedModels, urls: leftovers.urls() };
      }
      for (const t of tasks) await store.tasks.update(t.id, (d) => ({ ...d, project: undefined }));
      for (const m of models) await store.models.update(m.id, (d) => ({ ...d, project: undefined }));
      for (const x of subtree) await store.projects.delete(x.id);
      return { deleted: subtree.length, disassociated_tasks: tasks.length };
    },
  });
};
