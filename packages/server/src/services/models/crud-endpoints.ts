import { Errors, type Identity, type Model } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { CallContext, EndpointRegistry } from '../../http/endpoints.js';
import type { Store } from '../../store/store.js';
import { nowIso, type ServiceDeps } from '../deps.js';
import { Leftovers, readCleanupRequest, type CleanupRequest } from '../storage-cleanup/leftovers.js';
import { optBool, reqName, reqString } from '../validate.js';
import { readBatchIds, runBatch } from './batch.js';
import { queryModels } from './get-all.js';
import {
  applyModelPatch, checkReferences, EDIT_FIELDS, getModelOrThrow, newModel, readModelPatch, UPDATE_FIELDS, type ModelPatch,
} from './model-document.js';
import { removeModel } from './model-removal.js';

const CREATE_FIELDS = EDIT_FIELDS.filter((f) => f !== 'iteration');

function caller(ctx: CallContext): Identity {
  if (!ctx.identity) throw new ApiError(Errors.missingCredentials);
  return ctx.identity;
}

/** One atomic write of a checked patch; a model deleted meanwhile answers as unknown. */
async function patchModel(store: Store, id: string, patch: ModelPatch): Promise<Record<string, unknown>> {
  let fields: Record<string, unknown> = {};
  const updated = await store.models.update(id, (doc) => {
    fields = applyModelPatch(doc, patch, nowIso());
    return doc;
  });
  if (!updated) throw new ApiError(Errors.invalidModelId, `invalid model id: ${id}`, { id });
  return fields;
}

/**
 * Deleting a model other tasks load as an input, or one whose creating task is
 * published, takes `force`: those tasks would silently lose their weights.
 */
async function deletionBlocker(store: Store, model: Model): Promise<string | undefined> {
  const users = (await store.tasks.find()).filter(
    (t) => t.id !== model.task && (t.models?.input ?? []).some((m) => m.model === model.id),
  );
  if (users.length > 0) return `model ${model.id} is an input model of tasks ${users.map((t) => t.id).join(', ')}; use force to delete it`;
  if (model.task) {
    const creator = await store.tasks.get(model.task);
    if (creator?.status === 'published') return `model ${model.id} was created by published task ${creator.id}; use force to delete it`;
  }
  return undefined;
}

async function deleteModel(store: Store, id: string, force: boolean, cleanup: CleanupRequest): Promise<{ deleted: true; url: string | null }> {
  const model = await getModelOrThrow(store, id);
  if (!force) {
    const blocker = await deletionBlocker(store, model);
    if (blocker) throw new ApiError(Errors.modelInUse, blocker, { id });
  }
  const leftovers = new Leftovers();
  if (!(await removeModel(store, model, leftovers))) throw new ApiError(Errors.invalidModelId, `invalid model id: ${id}`, { id });
  await leftovers.settle(store, cleanup);
  return { deleted: true, url: model.uri ?? null };
}

export function registerModelCrud(registry: EndpointRegistry, { store }: ServiceDeps): void {
  registry.add({
    name: 'models.create',
    handler: async (body, ctx) => {
      reqString(body, 'uri');
      const doc = newModel(caller(ctx), reqName(body));
      const patch = readModelPatch(body, CREATE_FIELDS);
      await checkReferences(store, patch);
      applyModelPatch(doc, patch, doc.created);
      await store.models.insert(doc);
      return { id: doc.id, created: true };
    },
  });

  registry.add({
    name: 'models.get_by_id',
    handler: async (body) => ({ model: await getModelOrThrow(store, body.model) }),
  });

  const getAll = async (body: Record<string, unknown>) => ({ models: await queryModels(store, body) });
  registry.add({ name: 'models.get_all', handler: getAll });
  registry.add({ name: 'models.get_all_ex', handler: getAll });

  for (const [name, allowed] of [['models.edit', EDIT_FIELDS], ['models.update', UPDATE_FIELDS]] as const) {
    registry.add({
      name,
      handler: async (body) => {
        const id = reqString(body, 'model');
        await getModelOrThrow(store, id);
        const patch = readModelPatch(body, allowed);
        await checkReferences(store, patch, id);
        return { updated: 1, fields: await patchModel(store, id, patch) };
      },
    });
  }

  registry.add({
    name: 'models.delete',
    handler: async (body) => deleteModel(store, reqString(body, 'model'), optBool(body, 'force') ?? false, readCleanupRequest(body)),
  });

  registry.add({
    name: 'models.delete_many',
    handler: async (body) => {
      const force = optBool(body, 'force') ?? false;
      const cleanup = readCleanupRequest(body);
      return { ...(await runBatch(readBatchIds(body), (id) => deleteModel(store, id, force, cleanup))) };
    },
  });
}
