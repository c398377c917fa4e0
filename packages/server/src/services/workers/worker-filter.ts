import { compileGlob, compileListFilter } from '@cairn/protocol';
import type { WorkerRecord } from '../../store/store.js';
import { optInt, optString } from '../validate.js';
import { isAlive } from './presence.js';

/**
 * The filters of `workers.get_all` and `get_count`: live workers only, active within
 * `last_seen` seconds (0: no limit), with matching `tags`/`system_tags` and id pattern.
 */
export function workerFilter(body: Record<string, unknown>, defaultLastSeenSec: number, now = Date.now()): (w: WorkerRecord) => boolean {
  const lastSeenSec = optInt(body, 'last_seen') ?? defaultLastSeenSec;
  const tags = compileListFilter(body.tags ?? undefined);
  const systemTags = compileListFilter(body.system_tags ?? undefined);
  const pattern = optString(body, 'worker_pattern');
  // `worker_pattern`: a glob where `*` is any text and `?` one character, matched against the whole id
  const re = pattern ? compileGlob(pattern) : null;
  return (w) => isAlive(w, now)
    && (lastSeenSec <= 0 || now - Date.parse(w.last_activity_time) <= lastSeenSec * 1000)
    && (!tags || tags(w.tags))
    && (!systemTags || systemTags(w.system_tags))
    && (!re || re.test(w.id));
}
