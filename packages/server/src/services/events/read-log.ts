import type { ServiceModule } from '../deps.js';
import { optBool, optInt } from '../validate.js';
import { boundedInt, oneOf, requireTask } from './fields.js';
import { logEvent } from './wire.js';

/** Largest page of console output one call returns. */
const MAX_LOG_BATCH = 10_000;

export const registerLogReads: ServiceModule = (registry, { store }) => {
  /**
   * With `navigate_earlier` (the default) the newest `batch_size` events older than
   * `from_timestamp`, newest first unless `order: "asc"`; otherwise the oldest events newer
   * than it, oldest first unless `order: "desc"`. The SDK's get_reported_console_output
   * relies on "the last n, in ascending order".
   */
  registry.add({
    name: 'events.get_task_log',
    handler: async (body) => {
      const task = await requireTask(store, body);
      const earlier = optBool(body, 'navigate_earlier') ?? true;
      const order = oneOf(body, 'order', ['asc', 'desc'], earlier ? 'desc' : 'asc');
      const rows = await store.events.logs(task, {
        limit: boundedInt(body, 'batch_size', 500, 1, MAX_LOG_BATCH),
        fromTimestamp: optInt(body, 'from_timestamp'),
        newestFirst: earlier,
      });
      if ((order === 'asc') === earlier) rows.reverse();
      return { events: rows.map(logEvent), returned: rows.length, total: await store.events.logCount(task) };
    },
  });
};
