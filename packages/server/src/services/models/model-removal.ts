import type { Model } from '@cairn/protocol';
import type { Store } from '../../store/store.js';
import { eventFileUrls } from '../storage-cleanup/event-urls.js';
import type { Leftovers } from '../storage-cleanup/leftovers.js';

/**
 * Deletes a model with its events (reported through the model, keyed by its id); its
 * file and the files its events name join `leftovers`. False when it was already gone.
 */
export async function removeModel(store: Store, model: Model, leftovers: Leftovers): Promise<boolean> {
  const eventUrls = await eventFileUrls(store, model.id);
  await store.events.deleteTask(model.id);
  if (!(await store.models.delete(model.id))) return false;
  const owner = { owner_type: 'model', owner: model.id } as const;
  leftovers.add('model', [model.uri], owner);
  leftovers.add('event', eventUrls, owner);
  return true;
}
