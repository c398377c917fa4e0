import { call } from '../api/client';
import type { Task } from '../api/types';

/** How many experiments one comparison holds. */
export const MIN_COMPARED = 2;
export const MAX_COMPARED = 20;

/** The experiment ids of `/compare?ids=a,b,c`, without blanks and repeats, in the given order. */
export function parseIds(raw: string | null): string[] {
  return [...new Set((raw ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
}

export const compareUrl = (ids: readonly string[], tab?: string): string =>
  `/compare?ids=${ids.join(',')}${tab ? `&tab=${tab}` : ''}`;

const FIELDS = ['id', 'name', 'status', 'project', 'hyperparams', 'last_metrics', 'last_iteration', 'tags'];

/** The experiments, in the order of `ids`; ids the server does not know are left out. */
export async function loadTasks(ids: readonly string[]): Promise<Task[]> {
  const { tasks } = await call<{ tasks: Task[] }>('tasks.get_all_ex', { id: ids, only_fields: FIELDS });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export interface SeriesKey {
  metric: string;
  variant: string;
}

/** Every metric with its variants that any of the experiments reported as scalars, sorted by name. */
export async function loadScalarNames(taskIds: readonly string[]): Promise<Map<string, string[]>> {
  const answers = await Promise.all(taskIds.map((task) =>
    call<{ metrics: Record<string, Record<string, unknown>> }>('events.get_scalar_metrics_and_variants', { task })));
  const names = new Map<string, Set<string>>();
  for (const { metrics } of answers) {
    for (const [metric, variants] of Object.entries(metrics)) {
      const set = names.get(metric) ?? new Set<string>();
      Object.keys(variants).forEach((v) => set.add(v));
      names.set(metric, set);
    }
  }
  const byName = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
  return new Map([...names].sort(([a], [b]) => byName(a, b)).map(([m, vs]) => [m, [...vs].sort(byName)]));
}

export interface ScalarSeries {
  task: string;
  metric: string;
  variant: string;
  x: number[];
  last: number[];
  min: number[];
  max: number[];
  total_points: number;
}

/** The server takes at most this many series per `events.get_multi_scalar_series` call. */
const SERIES_PER_CALL = 1000;

/** Series downsampled on the server to `buckets` min/max/last points each. */
export async function loadSeries(wanted: readonly { task: string; metric: string; variant: string }[], axis: 'iter' | 'timestamp', buckets: number): Promise<ScalarSeries[]> {
  const chunks: (typeof wanted)[] = [];
  for (let i = 0; i < wanted.length; i += SERIES_PER_CALL) chunks.push(wanted.slice(i, i + SERIES_PER_CALL));
  const answers = await Promise.all(chunks.map((series) =>
    call<{ series: ScalarSeries[] }>('events.get_multi_scalar_series', { series, x_axis: axis, buckets })));
  return answers.flatMap((a) => a.series);
}

/** What to call each experiment in legends and headers: its name, with a short id where two share a name. */
export function experimentLabels(tasks: readonly Task[]): string[] {
  const count = new Map<string, number>();
  tasks.forEach((t) => count.set(t.name, (count.get(t.name) ?? 0) + 1));
  return tasks.map((t) => ((count.get(t.name) ?? 0) > 1 ? `${t.name} (${t.id.slice(0, 6)})` : t.name));
}
