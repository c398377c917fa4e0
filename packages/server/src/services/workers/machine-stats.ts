import type { WorkerStatPoint } from '../../store/store.js';

/**
 * `machine_stats` of a status report as time-series points: a list value (one entry per
 * GPU, or the agent's one-element CPU list) gives one point per index, variant `"0"`,
 * `"1"`, …; a single number gives variant `"total"`. Anything else is not a statistic.
 */
export function statPoints(machineStats: Record<string, unknown> | undefined): WorkerStatPoint[] {
  const points: WorkerStatPoint[] = [];
  for (const [metric, value] of Object.entries(machineStats ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value)) {
      points.push({ metric, variant: 'total', value });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (typeof v === 'number' && Number.isFinite(v)) points.push({ metric, variant: String(i), value: v });
      });
    }
  }
  return points;
}

/** Agents send epoch milliseconds although the schema says seconds; accept both. */
export function reportTimeMs(timestamp: number | undefined, now: number): number {
  if (timestamp === undefined || timestamp <= 0) return now;
  return timestamp < 1e11 ? Math.round(timestamp * 1000) : Math.round(timestamp);
}
