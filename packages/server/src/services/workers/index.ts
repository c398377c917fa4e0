import { Errors } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { CallContext } from '../../http/endpoints.js';
import type { RuntimeProperty } from '../../store/store.js';
import type { ServiceModule } from '../deps.js';
import { readTimeRange } from '../queues/time-buckets.js';
import { optBool, optInt, optObject, optString, optStringList, reqString } from '../validate.js';
import { describeWorkers } from './describe.js';
import { registerWorker, reportStatus, type Caller } from './reports.js';
import { activityReport, metricKeys, readStatsItems, workerStats } from './stats.js';
import { workerFilter } from './worker-filter.js';

/** The finest statistics the ClearML server gives (seconds per bucket); finer requests get this. */
const MIN_STATS_INTERVAL_SEC = 40;

const caller = (ctx: CallContext): Caller => {
  if (!ctx.identity) throw new ApiError(Errors.missingCredentials);
  return { identity: ctx.identity, ip: ctx.ip ?? '' };
};

function readRuntimeProperties(raw: unknown): RuntimeProperty[] {
  if (!Array.isArray(raw)) throw new ApiError(Errors.missingRequiredFields, 'missing required field: runtime_properties', { field: 'runtime_properties' });
  return raw.map((p) => {
    const item = p as Record<string, unknown> | null;
    if (!item || typeof item.key !== 'string' || item.key === '') throw new ApiError(Errors.validationError, 'each runtime property needs a key', { field: 'runtime_properties' });
    return { key: item.key, value: item.value === undefined || item.value === null ? '' : String(item.value) };
  });
}

const idList = (body: Record<string, unknown>, field: string) => {
  const ids = optStringList(body, field);
  return ids && ids.length > 0 ? ids : null;
};

export const registerWorkers: ServiceModule = (registry, { store, config }) => {
  registry.add({
    name: 'workers.register',
    handler: async (body, ctx) => {
      // The server's --worker-timeout bounds what an agent asks for, so that an operator's
      // choice of how soon a dead agent's tasks end holds for every agent.
      const asked = optInt(body, 'timeout') ?? config.workerTimeoutSeconds;
      if (asked < 1) throw new ApiError(Errors.validationError, 'timeout must be at least 1 second', { field: 'timeout' });
      const timeoutSec = Math.min(asked, config.workerTimeoutSeconds);
      await registerWorker(store, caller(ctx), {
        worker: reqString(body, 'worker'),
        timeoutSec,
        queues: optStringList(body, 'queues') ?? [],
        tags: optStringList(body, 'tags'),
        systemTags: optStringList(body, 'system_tags'),
      });
      return {};
    },
  });

  // Unknown workers are fine: an agent unregisters after the server forgot it.
  registry.add({
    name: 'workers.unregister',
    handler: async (body) => {
      await store.workers.delete(reqString(body, 'worker'));
      return {};
    },
  });

  registry.add({
    name: 'workers.status_report',
    handler: async (body, ctx) => {
      await reportStatus(store, caller(ctx), {
        worker: reqString(body, 'worker'),
        timestamp: optInt(body, 'timestamp'),
        task: optString(body, 'task') || undefined,
        queue: optString(body, 'queue') || undefined,
        queues: optStringList(body, 'queues'),
        tags: optStringList(body, 'tags'),
        systemTags: optStringList(body, 'system_tags'),
        machineStats: optObject(body, 'machine_stats'),
      }, config.workerTimeoutSeconds);
      return {};
    },
  });

  registry.add({
    name: 'workers.get_all',
    handler: async (body) => {
      const keep = workerFilter(body, 3600);
      return { workers: await describeWorkers(store, (await store.workers.list()).filter(keep)) };
    },
  });

  registry.add({
    name: 'workers.get_count',
    handler: async (body) => ({ count: (await store.workers.list()).filter(workerFilter(body, 0)).length }),
  });

  registry.add({
    name: 'workers.get_metric_keys',
    handler: async (body) => metricKeys(store, idList(body, 'worker_ids')),
  });

  registry.add({
    name: 'workers.get_stats',
    handler: async (body) => {
      const range = readTimeRange(body, MIN_STATS_INTERVAL_SEC);
      return workerStats(store, readStatsItems(body.items), idList(body, 'worker_ids'), range, optBool(body, 'split_by_resource') ?? false);
    },
  });

  registry.add({
    name: 'workers.get_activity_report',
    handler: async (body) => activityReport(store, readTimeRange(body)),
  });

  // Not in the open-source ClearML server; the agent uses them for `force` on/off and
  // its services-mode instance limit when they answer.
  registry.add({
    name: 'workers.get_runtime_properties',
    handler: async (body) => ({ runtime_properties: (await store.workers.get(reqString(body, 'worker')))?.runtime_properties ?? [] }),
  });

  registry.add({
    name: 'workers.set_runtime_properties',
    handler: async (body) => {
      const id = reqString(body, 'worker');
      const props = readRuntimeProperties(body.runtime_properties);
      const updated = await store.workers.update(id, (w) => {
        const byKey = new Map(w.runtime_properties.map((p) => [p.key, p]));
        for (const p of props) byKey.set(p.key, p);
        return { ...w, runtime_properties: [...byKey.values()] };
      });
      if (!updated) throw new ApiError(Errors.invalidWorkerId, `invalid worker id: ${id}`, { worker: id });
      return { runtime_properties: updated.runtime_properties };
    },
  });
};
