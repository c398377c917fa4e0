import { Errors, type Task } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { EndpointRegistry } from '../../http/endpoints.js';
import type { Store } from '../../store/store.js';
import { nowIso, type ServiceDeps } from '../deps.js';
import { optBool, optInt, optObject, optString, optStringList, reqIdList, reqString } from '../validate.js';
import { deleteHyperParams, editConfiguration, editHyperParams, flattenHyperParams, type ReplaceMode } from './params.js';
import { checkArtifact, checkRequirements, mergeArtifacts } from './task-document.js';

/** One atomic change of a task's content; `last_update` and `last_change` move with it. */
async function mutateTask(store: Store, id: string, mutate: (doc: Task) => void): Promise<Task> {
  const t = await store.tasks.update(id, (doc) => {
    mutate(doc);
    const now = nowIso();
    doc.last_update = now;
    doc.last_change = now;
    return doc;
  });
  if (!t) throw new ApiError(Errors.invalidTaskId, `invalid task id: ${id}`, { id });
  return t;
}

export function registerTaskContent(registry: EndpointRegistry, { store, codeRecording }: ServiceDeps): void {
  registry.add({
    name: 'tasks.set_requirements',
    handler: async (body) => {
      const requirements = checkRequirements(optObject(body, 'requirements') ?? {}, 'requirements');
      await mutateTask(store, reqString(body, 'task'), (doc) => {
        doc.script = { ...doc.script, requirements };
      });
      await codeRecording.recorded(reqString(body, 'task'));
      return { updated: 1, fields: { 'script.requirements': requirements } };
    },
  });

  registry.add({
    name: 'tasks.add_or_update_artifacts',
    handler: async (body) => {
      if (!Array.isArray(body.artifacts)) throw new ApiError(Errors.validationError, 'artifacts must be a list');
      const incoming = body.artifacts.map(checkArtifact);
      await mutateTask(store, reqString(body, 'task'), (doc) => {
        doc.execution = { ...doc.execution, artifacts: mergeArtifacts(doc.execution.artifacts ?? [], incoming) };
      });
      return { updated: incoming.length };
    },
  });

  registry.add({
    name: 'tasks.delete_artifacts',
    handler: async (body) => {
      if (!Array.isArray(body.artifacts)) throw new ApiError(Errors.validationError, 'artifacts must be a list of {key, mode}');
      const ids = new Set(body.artifacts.map((a: { key?: unknown; mode?: unknown }) => `${a?.mode === 'input' ? 'input' : 'output'}\u0000${String(a?.key)}`));
      let deleted = 0;
      await mutateTask(store, reqString(body, 'task'), (doc) => {
        const before = doc.execution.artifacts ?? [];
        const after = before.filter((a) => !ids.has(`${a.mode}\u0000${a.key}`));
        deleted = before.length - after.length;
        doc.execution = { ...doc.execution, artifacts: after };
      });
      return { deleted };
    },
  });

  registry.add({
    name: 'tasks.add_or_update_model',
    handler: async (body) => {
      const name = optString(body, 'name') ?? '';
      const model = reqString(body, 'model');
      const type = reqString(body, 'type');
      if (type !== 'input' && type !== 'output') throw new ApiError(Errors.validationError, 'type must be input or output');
      const iteration = optInt(body, 'iteration');
      await mutateTask(store, reqString(body, 'task'), (doc) => {
        const list = doc.models[type].filter((m) => m.name !== name);
        list.push({ name, model, updated: nowIso() });
        doc.models = { ...doc.models, [type]: list };
        if (iteration !== undefined && iteration > doc.last_iteration) doc.last_iteration = iteration;
      });
      return { updated: 1 };
    },
  });

  registry.add({
    name: 'tasks.delete_models',
    handler: async (body) => {
      if (!Array.isArray(body.models)) throw new ApiError(Errors.validationError, 'models must be a list of {name, type}');
      const drop = body.models as { name?: string; type?: string }[];
      await mutateTask(store, reqString(body, 'task'), (doc) => {
        for (const type of ['input', 'output'] as const) {
          doc.models[type] = doc.models[type].filter((m) => !drop.some((d) => d.type === type && d.name === m.name));
        }
      });
      return { updated: 1 };
    },
  });

  registry.add({
    name: 'tasks.edit_hyper_params',
    handler: async (body) => {
      const mode = (optString(body, 'replace_hyperparams') ?? 'none') as ReplaceMode;
      if (!['none', 'section', 'all'].includes(mode)) throw new ApiError(Errors.validationError, 'replace_hyperparams must be none, section or all');
      let n = 0;
      await mutateTask(store, reqString(body, 'task'), (doc) => {
        n = editHyperParams(doc, body.hyperparams, mode);
      });
      return { updated: n ? 1 : 0 };
    },
  });

  registry.add({
    name: 'tasks.get_hyper_params',
    handler: async (body) => {
      const tasks = await store.tasks.getMany(reqIdList(body, 'tasks'));
      return { params: tasks.map((t) => ({ task: t.id, hyperparams: flattenHyperParams(t) })) };
    },
  });

  registry.add({
    name: 'tasks.delete_hyper_params',
    handler: async (body) => {
      let deleted = 0;
      await mutateTask(store, reqString(body, 'task'), (doc) => {
        deleted = deleteHyperParams(doc, body.hyperparams);
      });
      return { deleted };
    },
  });

  registry.add({
    name: 'tasks.edit_configuration',
    handler: async (body) => {
      let n = 0;
      await mutateTask(store, reqString(body, 'task'), (doc) => {
        n = editConfiguration(doc, body.configuration, optBool(body, 'replace_configuration') ?? false);
      });
      return { updated: n ? 1 : 0 };
    },
  });

  registry.add({
    name: 'tasks.get_configurations',
    handler: async (body) => {
      const names = optStringList(body, 'names');
      const tasks = await store.tasks.getMany(reqIdList(body, 'tasks'));
      return {
        configurations: tasks.map((t) => ({
          task: t.id,
          configuration: Object.values(t.configuration).filter((c) => !names || names.includes(c.name)),
        })),
      };
    },
  });

  registry.add({
    name: 'tasks.get_configuration_names',
    handler: async (body) => {
      const tasks = await store.tasks.getMany(reqIdList(body, 'tasks'));
      return { configurations: tasks.map((t) => ({ task: t.id, names: Object.keys(t.configuration).sort() })) };
    },
  });

  registry.add({
    name: 'tasks.delete_configuration',
    handler: async (body) => {
      const names = optStringList(body, 'configuration') ?? [];
      let deleted = 0;
      await mutateTask(store, reqString(body, 'task'), (doc) => {
        for (const n of names) {
          if (n in doc.configuration) {
            delete doc.configuration[n];
            deleted++;
          }
        }
      });
      return { deleted };
    },
  });
}

