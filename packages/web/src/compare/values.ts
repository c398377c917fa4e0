import type { LastMetric, Task } from '../api/types';

/** One row of a side-by-side table: a name and each experiment's value, in experiment order. */
export interface ValueRow {
  key: string;
  group: string;
  name: string;
  values: (string | undefined)[];
  /** not every experiment has the same value (a missing value counts as a value) */
  differs: boolean;
}

const differs = (values: readonly (string | undefined)[]) => new Set(values).size > 1;
const byName = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

export function paramValue(task: Task, section: string, name: string): string | undefined {
  return task.hyperparams?.[section]?.[name]?.value;
}

/** Every hyperparameter any experiment has, by section then name. */
export function paramRows(tasks: readonly Task[]): ValueRow[] {
  const keys = new Map<string, { section: string; name: string }>();
  for (const t of tasks) {
    for (const [section, params] of Object.entries(t.hyperparams ?? {})) {
      for (const name of Object.keys(params)) keys.set(`${section}\u0000${name}`, { section, name });
    }
  }
  return [...keys.values()]
    .sort((a, b) => byName(a.section, b.section) || byName(a.name, b.name))
    .map(({ section, name }) => {
      const values = tasks.map((t) => paramValue(t, section, name));
      return { key: `p:${section}/${name}`, group: section, name, values, differs: differs(values) };
    });
}

/** Which number of a metric the metrics table shows. */
export type MetricStat = 'value' | 'min_value' | 'max_value';

export const METRIC_STATS: readonly { stat: MetricStat; label: string }[] = [
  { stat: 'value', label: 'Last' },
  { stat: 'min_value', label: 'Min' },
  { stat: 'max_value', label: 'Max' },
];

function metricEntries(task: Task): LastMetric[] {
  return Object.values(task.last_metrics ?? {}).flatMap((variants) => Object.values(variants));
}

export function metricValue(task: Task, metric: string, variant: string, stat: MetricStat): number | undefined {
  const m = metricEntries(task).find((e) => e.metric === metric && e.variant === variant);
  const v = m?.[stat];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Every metric/variant any experiment reported, with the chosen number of each. */
export function metricKeys(tasks: readonly Task[]): { metric: string; variant: string }[] {
  const keys = new Map<string, { metric: string; variant: string }>();
  for (const t of tasks) for (const e of metricEntries(t)) keys.set(`${e.metric}\u0000${e.variant}`, { metric: e.metric, variant: e.variant });
  return [...keys.values()].sort((a, b) => byName(a.metric, b.metric) || byName(a.variant, b.variant));
}

export function metricRows(tasks: readonly Task[], stat: MetricStat, format: (v: number) => string): ValueRow[] {
  return metricKeys(tasks).map(({ metric, variant }) => {
    const values = tasks.map((t) => {
      const v = metricValue(t, metric, variant, stat);
      return v === undefined ? undefined : format(v);
    });
    return { key: `m:${metric}/${variant}`, group: metric, name: variant, values, differs: differs(values) };
  });
}
