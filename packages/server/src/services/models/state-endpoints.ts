import { Errors, type Model } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { EndpointRegistry } from '../../http/endpoints.js';
import type { Store } from '../../store/store.js';
import { nowIso, type ServiceDeps } from '../deps.js';
import { optBool, optStringList, reqString } from '../validate.js';
import { readBatchIds, runBatch } from './batch.js';
import { deleteMetadataKeys, mergeMetadata, parseMetadataList } from './metadata.js';
import { applyModelPatch } from './model-document.js';

const ARCHIVED = 'archived';

/**
 * Atomically changes a model when `change` says so (it returns false to leave the
 * document as it is); answers whether it changed.
 */
async function changeModel(store: Store, id: string, change: (doc: Model, now: string) => boolean): Promise<boolean> {
  let changed = false;
  const doc = await store.models.update(id, (d) => {
    const now = nowIso();
    changed = change(d, now);
    if (changed) d.last_update = d.last_change = now;
    return d;
  });
  if (!doc) throw new ApiError(Errors.invalidModelId, `invalid model id: ${id}`, { id });
  return changed;
}

/**
 * Publishing makes the model ready. Publishing its task as well (`publish_task`, which
 * ClearML defaults to true) is not done here: the SDK always sends false, and task
 * publishing belongs to the tasks service's state machine.
 */
const publish = (store: Store, id: string) =>
  changeModel(store, id, (d, now) => {
    if (d.ready) return false;
    applyModelPatch(d, { ready: true }, now);
    return true;
  });

const setArchived = (store: Store, id: string, archived: boolean) =>
  changeModel(store, id, (d) => {
    if (d.system_tags.includes(ARCHIVED) === archived) return false;
    d.system_tags = archived ? [...d.system_tags, ARCHIVED] : d.system_tags.filter((t) => t !== ARCHIVED);
    return true;
  });

export function registerModelState(registry: EndpointRegistry, { store }: ServiceDeps): void {
  registry.add({
    name: 'models.set_ready',
    handler: async (body) => ({ updated: (await publish(store, reqString(body, 'model'))) ? 1 : 0 }),
  });

  registry.add({
    name: 'models.publish_many',
    handler: async (body) => ({
      ...(await runBatch(readBatchIds(body), async (id) => {
        await publish(store, id);
        return {};
      })),
    }),
  });

  registry.add({
    name: 'models.archive_many',
    handler: async (body) => ({
      ...(await runBatch(readBatchIds(body), async (id) => ({ archived: await setArchived(store, id, true) }))),
    }),
  });

  registry.add({
    name: 'models.unarchive_many',
    handler: async (body) => ({
      ...(await runBatch(readBatchIds(body), async (id) => ({ unarchived: await setArchived(store, id, false) }))),
    }),
  });

  registry.add({
    name: 'models.add_or_update_metadata',
    handler: async (body) => {
      const id = reqString(body, 'model');
      const items = parseMetadataList(body.metadata);
      const replace = optBool(body, 'replace_metadata') ?? false;
      await changeModel(store, id, (d) => {
        d.metadata = mergeMetadata(d.metadata, items, replace);
        return true;
      });
      return { updated: 1 };
    },
  });

  registry.add({
    name: 'models.delete_metadata',
    handler: async (body) => {
      const id = reqString(body, 'model');
      const keys = optStringList(body, 'keys');
      if (!keys) throw new ApiError(Errors.missingRequiredFields, 'missing required field: keys', { field: 'keys' });
      const changed = await changeModel(store, id, (d) => {
        const next = deleteMetadataKeys(d.metadata, keys);
        if (Object.keys(next).length === Object.keys(d.metadata).length) return false;
        d.metadata = next;
        return true;
      });
      return { updated: changed ? 1 : 0 };
    },
  });
}
