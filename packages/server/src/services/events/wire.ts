import type { DocEventRow, LogRow, ScalarRow } from '../../store/event-store.js';

/** Stored events as the ClearML clients read them. */

export const scalarEvent = (r: ScalarRow) => ({
  timestamp: r.timestamp, type: 'training_stats_scalar', task: r.task, iter: r.iter, metric: r.metric, variant: r.variant, value: r.value,
});

export function logEvent(r: LogRow): Record<string, unknown> {
  const e: Record<string, unknown> = { timestamp: r.timestamp, type: 'log', task: r.task, level: r.level, worker: r.worker, msg: r.msg };
  if (r.iter !== null) e.iter = r.iter;
  return e;
}

export const docEvent = (r: DocEventRow): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;
