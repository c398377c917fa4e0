import { badRequest, missingField } from '../../http/api-error.js';
import type { ServiceModule } from '../deps.js';
import { optBool } from '../validate.js';
import { boundedInt, metricFilter, modelEvents, requireEntities, requireTask } from './fields.js';
import { ScrollIds } from './scroll.js';
import { docEvent } from './wire.js';

const MAX_ITERS = 10_000;

interface ImageCursor {
  /** Last iteration returned, or null before the first page. */
  i: number | null;
  /** Nothing is left beyond `i`. */
  done: boolean;
}

function imageRequests(body: Record<string, unknown>) {
  const list = body.metrics;
  if (list === undefined || list === null) throw missingField('metrics');
  if (!Array.isArray(list) || list.length === 0) throw badRequest('field metrics must be a non-empty list of {task, metric, variants}');
  return list.map((item, i) => {
    if (typeof item !== 'object' || item === null) throw badRequest(`metrics[${i}] must be an object`);
    const m = item as Record<string, unknown>;
    const variants = m.variants ?? [];
    if (typeof m.task !== 'string' || m.task === '') throw badRequest(`metrics[${i}].task must be a task id`);
    if (m.metric !== undefined && m.metric !== null && typeof m.metric !== 'string') throw badRequest(`metrics[${i}].metric must be a string`);
    if (!Array.isArray(variants) || variants.some((v) => typeof v !== 'string')) throw badRequest(`metrics[${i}].variants must be a list of strings`);
    return { task: m.task, metric: (m.metric ?? undefined) as string | undefined, variants: variants as string[] };
  });
}

export const registerDocReads: ServiceModule = (registry, { store, auth }) => {
  const scroll = new ScrollIds(() => auth.signingKey);
  /** The plots of the latest `iters` iterations of every plot series; the scroll moves to earlier ones. */
  registry.add({
    name: 'events.get_task_plots',
    handler: async (body) => {
      const task = await requireTask(store, body);
      const iters = boundedInt(body, 'iters', 1, 1, MAX_ITERS);
      const metrics = metricFilter(body);
      const bind = JSON.stringify([task, iters, metrics, modelEvents(body)]);
      const done = scroll.decode<{ r?: unknown }>(body.scroll_id, 'plots', bind);
      const fromRank = (typeof done?.r === 'number' ? done.r : 0) + 1;
      const toRank = fromRank + iters - 1;
      const rows = await store.events.latestDocs(task, 'plot', { fromRank, toRank, metrics });
      return {
        plots: rows.map(docEvent),
        returned: rows.length,
        total: await store.events.docCount(task, 'plot'),
        scroll_id: optBool(body, 'no_scroll') ? null : scroll.encode('plots', bind, { r: toRank }),
      };
    },
  });

  /**
   * Debug images of the requested metrics grouped by iteration, `iters` iterations per call,
   * newest first unless `navigate_earlier: false`. Each call with the returned scroll id
   * continues where the last one stopped and, once nothing is left, answers empty
   * `iterations` (the SDK pages until then).
   */
  registry.add({
    name: 'events.debug_images',
    handler: async (body) => {
      const requests = imageRequests(body);
      const models = modelEvents(body);
      await requireEntities(store, [...new Set(requests.map((r) => r.task))], models);
      const iters = boundedInt(body, 'iters', 1, 1, MAX_ITERS);
      const newestFirst = optBool(body, 'navigate_earlier') ?? true;
      const bind = JSON.stringify([requests, iters, newestFirst, models]);
      const previous = optBool(body, 'refresh') ? null : scroll.decode<ImageCursor[]>(body.scroll_id, 'debug_images', bind);
      const cursors: ImageCursor[] = requests.map((_, i) => {
        const c = Array.isArray(previous) ? previous[i] : undefined;
        return { i: typeof c?.i === 'number' ? c.i : null, done: c?.done === true };
      });
      const metrics = [];
      for (const [k, r] of requests.entries()) {
        const cursor = cursors[k];
        const found = cursor.done
          ? []
          : await store.events.docIterations(r.task, 'training_debug_image', { metric: r.metric, variants: r.variants, from: cursor.i, newestFirst, limit: iters });
        if (found.length < iters) cursor.done = true;
        if (found.length > 0) cursor.i = found[found.length - 1].iter;
        metrics.push({
          task: r.task,
          metric: r.metric ?? '',
          iterations: found.map((it) => ({ iter: it.iter, events: it.events.map(docEvent) })),
        });
      }
      return { metrics, scroll_id: scroll.encode('debug_images', bind, cursors) };
    },
  });
};
