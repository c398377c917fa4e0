import { call } from '../../api/client';

/** A Plotly figure as the SDK serialises it into a plot event's `plot_str`. */
export interface Figure {
  data: Trace[];
  layout: Record<string, unknown>;
}

export interface Trace {
  type?: string;
  name?: string;
  header?: { values?: unknown[] };
  cells?: { values?: unknown[] };
  [k: string]: unknown;
}

export interface PlotEvent {
  metric: string;
  variant: string;
  iter: number;
  timestamp: number;
  plot_str?: string;
}

export interface Plot {
  metric: string;
  variant: string;
  iter: number;
  figure: Figure | null;
  /** the figure as reported: unchanged text means an unchanged figure */
  source: string;
  /** why the figure could not be read, when it could not */
  problem?: string;
}

export function parseFigure(e: PlotEvent): Plot {
  const base = { metric: e.metric, variant: e.variant, iter: e.iter, figure: null, source: e.plot_str ?? '' };
  if (!e.plot_str) return { ...base, problem: 'the event holds no figure' };
  try {
    const raw = JSON.parse(e.plot_str) as Partial<Figure>;
    return { ...base, figure: { data: Array.isArray(raw.data) ? raw.data : [], layout: raw.layout ?? {} } };
  } catch (err) {
    return { ...base, problem: `the figure is not valid JSON (${(err as Error).message})` };
  }
}

/** Tables are drawn as HTML: no need to load Plotly for them. */
export const isTable = (f: Figure): boolean => f.data.length > 0 && f.data.every((t) => t.type === 'table');

/** The newest plot of every metric and variant, grouped by metric in name order. */
export async function fetchPlots(task: string): Promise<[string, Plot[]][]> {
  const { plots } = await call<{ plots: PlotEvent[] }>('events.get_task_plots', { task, iters: 1, no_scroll: true });
  const groups = new Map<string, Plot[]>();
  for (const e of plots) {
    const list = groups.get(e.metric) ?? [];
    list.push(parseFigure(e));
    groups.set(e.metric, list);
  }
  for (const list of groups.values()) list.sort((a, b) => a.variant.localeCompare(b.variant));
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}
