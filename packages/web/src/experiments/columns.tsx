import type { ReactNode } from 'react';
import type { Task } from '../api/types';
import { Link } from '../app/router';
import { formatDate, formatDuration, formatNumber } from '../ui/format';
import { StatusBadge } from '../ui/StatusBadge';
import { metricKey, paramKey, parseAdded } from './column-keys';
import { md5Hex } from './md5';
import type { RangeUnit } from './range-filter';

/** Where a checklist filter finds the values it offers. */
export type ListSource =
  | { kind: 'status' | 'type' | 'user' | 'tags' }
  | { kind: 'param'; section: string; name: string };

/** A column's filter: a checklist of values, or a min / max range for ordered values. */
export type FilterSource = ListSource | { kind: 'range'; unit: RangeUnit };

export interface Column {
  key: string;
  label: string;
  /** a longer description for the header's tooltip */
  title: string;
  width: number;
  /** the task field that `order_by` names for this column */
  orderBy: string;
  /** the task fields the column reads (`only_fields`) */
  fields: string[];
  filter?: FilterSource;
  /** the request field its filter values (or `[min, max]`) go to */
  filterField?: string;
  added?: boolean;
  numeric?: boolean;
  render: (t: Task, ctx: RenderContext) => ReactNode;
}

export interface RenderContext {
  userName: (id: string) => string;
  projectName: (id: string) => string;
}

/** Seconds the task ran: as the server counted it, or from its start to its end (or now). */
function duration(t: Task): number | undefined {
  if (typeof t.active_duration === 'number' && t.active_duration > 0) return t.active_duration;
  if (!t.started) return undefined;
  const end = t.completed ?? (t.status === 'in_progress' ? new Date().toISOString() : t.last_update);
  return end ? (new Date(end).getTime() - new Date(t.started).getTime()) / 1000 : undefined;
}

export const BASE_COLUMNS: readonly Column[] = [
  { key: 'status', label: 'Status', title: 'Status', width: 110, orderBy: 'status', fields: ['status'], filter: { kind: 'status' }, filterField: 'status', render: (t) => <StatusBadge status={t.status} /> },
  { key: 'name', label: 'Name', title: 'Name', width: 240, orderBy: 'name', fields: ['name'], render: (t) => <Link to={`/experiments/${t.id}`} className="cell-name" title={t.name}>{t.name}</Link> },
  { key: 'type', label: 'Type', title: 'Type', width: 110, orderBy: 'type', fields: ['type'], filter: { kind: 'type' }, filterField: 'type', render: (t) => t.type },
  { key: 'user', label: 'User', title: 'User', width: 110, orderBy: 'user', fields: ['user'], filter: { kind: 'user' }, filterField: 'user', render: (t, c) => c.userName(t.user) },
  {
    key: 'tags', label: 'Tags', title: 'Tags', width: 150, orderBy: 'tags', fields: ['tags'], filter: { kind: 'tags' }, filterField: 'tags',
    render: (t) => <span className="tags">{(t.tags ?? []).map((g) => <span key={g} className="tag">{g}</span>)}</span>,
  },
  {
    key: 'started', label: 'Started', title: 'Started', width: 130, orderBy: 'started', fields: ['started'],
    filter: { kind: 'range', unit: 'date' }, filterField: 'started', render: (t) => <span title={t.started}>{formatDate(t.started)}</span>,
  },
  {
    // The server filters on the run time it recorded, which a task gets when it stops running.
    key: 'duration', label: 'Duration', title: 'Run time', width: 100, orderBy: 'active_duration', numeric: true,
    filter: { kind: 'range', unit: 'duration' }, filterField: 'active_duration',
    fields: ['active_duration', 'started', 'completed', 'last_update'], render: (t) => formatDuration(duration(t)),
  },
  {
    key: 'iteration', label: 'Iterations', title: 'Last iteration', width: 110, orderBy: 'last_iteration', numeric: true, fields: ['last_iteration'],
    filter: { kind: 'range', unit: 'number' }, filterField: 'last_iteration', render: (t) => t.last_iteration ?? '',
  },
];

/** Shown in the table of all experiments, where rows come from many projects. */
const PROJECT_COLUMN: Column = {
  key: 'project', label: 'Project', title: 'Project', width: 150, orderBy: 'project', fields: ['project'],
  render: (t, c) => (t.project ? <Link to={`/experiments?project=${t.project}`} title={c.projectName(t.project)}>{c.projectName(t.project)}</Link> : ''),
};

/**
 * A hyperparameter filters by its values even when they are all numbers: the server's
 * range filters cover dates, iterations, run time and metrics, not hyperparameters.
 */
function paramColumn(key: string, section: string, name: string): Column {
  const field = `hyperparams.${section}.${name}.value`;
  return {
    key, label: name, title: `Hyperparameter ${section}/${name}`, width: 120, orderBy: field, fields: [field], added: true,
    filter: { kind: 'param', section, name }, filterField: field,
    render: (t) => t.hyperparams?.[section]?.[name]?.value ?? '',
  };
}

function metricColumn(key: string, metric: string, variant: string): Column {
  const [mh, vh] = [md5Hex(metric), md5Hex(variant)];
  const field = `last_metrics.${mh}.${vh}.value`;
  return {
    key, label: `${metric} › ${variant}`, title: `Last value of ${metric} / ${variant}`, width: 150, numeric: true, added: true,
    orderBy: field, fields: [field], filter: { kind: 'range', unit: 'number' }, filterField: field,
    render: (t) => formatNumber(t.last_metrics?.[mh]?.[vh]?.value),
  };
}

/** The columns for the ids in the URL: the fixed ones (with Project across projects), then those the user added. */
export function tableColumns(added: readonly string[], acrossProjects = false): Column[] {
  const cols = [...BASE_COLUMNS];
  if (acrossProjects) cols.splice(cols.findIndex((c) => c.key === 'name') + 1, 0, PROJECT_COLUMN);
  for (const key of added) {
    const a = parseAdded(key);
    if (!a) continue;
    cols.push(a.kind === 'param' ? paramColumn(key, a.section, a.name) : metricColumn(key, a.metric, a.variant));
  }
  return cols;
}

export { metricKey, paramKey };
