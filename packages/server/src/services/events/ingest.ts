import { Errors, type Task } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { CallContext } from '../../http/endpoints.js';
import type { Store } from '../../store/store.js';
import { nowIso, type ServiceModule } from '../deps.js';
import { BatchBuilder, type EntityChange } from './batch.js';
import { applyLastMetrics, summarize } from './last-metrics.js';
import { parseEventLines, parseSingleEvent, type EventDefaults, type ParsedEvents } from './parse.js';

function countError(errors: Map<string, number>, reason: string): void {
  errors.set(reason, (errors.get(reason) ?? 0) + 1);
}

const defaultsOf = (ctx: CallContext): EventDefaults => ({ now: Date.now(), worker: ctx.worker });

/** Holds a batch until its tasks may take it (code-recording.ts), given the task documents it read. */
type Hold = (tasks: readonly Task[]) => Promise<void>;

/** Keeps the events whose task (or model) exists and accepts events; counts the rest as errors. */
async function accept(store: Store, parsed: ParsedEvents, hold?: Hold): Promise<BatchBuilder> {
  const taskIds = new Set<string>();
  const modelIds = new Set<string>();
  for (const e of parsed.events) (e.model_event ? modelIds : taskIds).add(e.task);
  const tasks = await store.tasks.getMany([...taskIds]);
  await hold?.(tasks);
  const statuses = new Map(tasks.map((t) => [t.id, t.status]));
  const models = new Set((await store.models.getMany([...modelIds])).map((m) => m.id));
  const builder = new BatchBuilder();
  for (const e of parsed.events) {
    if (e.model_event) {
      if (models.has(e.task)) builder.add(e);
      else countError(parsed.errors, `unknown model id ${e.task}`);
      continue;
    }
    const status = statuses.get(e.task);
    if (status === undefined) countError(parsed.errors, `unknown task id ${e.task}`);
    else if (status === 'published' && !e.allow_locked) countError(parsed.errors, `task ${e.task} is published; events need allow_locked`);
    else builder.add(e);
  }
  return builder;
}

/** One read-modify-write per task or model: last_update, last_iteration and last_metrics. */
async function updateEntity(store: Store, builder: BatchBuilder, change: EntityChange, newPoints: readonly number[]): Promise<void> {
  const now = nowIso();
  const raise = (current: number | undefined) => (change.maxIter === null ? current : Math.max(current ?? 0, change.maxIter));
  if (change.model) {
    await store.models.update(change.id, (m) => ({ ...m, last_update: now, last_iteration: raise(m.last_iteration) }));
    return;
  }
  const updates = change.series.map((i) => {
    const s = builder.batch.scalars[i];
    return { summary: summarize(s.metric, s.variant, s.iters, s.values, s.timestamps), newPoints: newPoints[i] };
  });
  await store.tasks.update(change.id, (t) => {
    t.last_update = now;
    t.last_iteration = raise(t.last_iteration) ?? 0;
    t.last_metrics ??= {};
    applyLastMetrics(t.last_metrics, updates);
    return t;
  });
}

async function ingest(store: Store, parsed: ParsedEvents, hold?: Hold): Promise<Record<string, unknown>> {
  const builder = await accept(store, parsed, hold);
  const errorCount = [...parsed.errors.values()].reduce((a, b) => a + b, 0);
  const errorsInfo = Object.fromEntries(parsed.errors);
  if (builder.added === 0) {
    const reasons = [...parsed.errors.keys()].slice(0, 5).join('; ');
    throw new ApiError(Errors.eventsNotAdded, `no events added (${errorCount} refused: ${reasons})`, { errors: errorCount, errors_info: errorsInfo });
  }
  const { newScalarPoints } = await store.events.add(builder.batch);
  for (const change of builder.entities.values()) await updateEntity(store, builder, change, newScalarPoints);
  return { added: builder.added, errors: errorCount, errors_info: errorsInfo };
}

export const registerIngest: ServiceModule = (registry, { store, codeRecording }) => {
  registry.add({
    name: 'events.add_batch',
    body: 'json-lines',
    handler: async (_body, ctx) => {
      return ingest(store, parseEventLines(ctx.rawBody, defaultsOf(ctx)), (tasks) => codeRecording.settled(tasks));
    },
  });
  registry.add({
    name: 'events.add',
    handler: (body, ctx) => ingest(store, parseSingleEvent(body, defaultsOf(ctx))),
  });
};
