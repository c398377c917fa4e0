/**
 * Storage of task events (scalars, console log, plots, debug images, vectors). Events
 * arrive in large batches and are written in one transaction; non-log events are keyed
 * so that a re-report of the same (task, metric, variant, iter[, key]) replaces the old one.
 */
export interface ScalarRow {
  task: string;
  metric: string;
  variant: string;
  iter: number;
  value: number;
  timestamp: number;
}

export interface LogRow {
  task: string;
  timestamp: number;
  level: string;
  worker: string;
  msg: string;
}

export type DocEventType = 'plot' | 'training_debug_image' | 'training_stats_vector';

export interface DocEventRow {
  task: string;
  type: DocEventType;
  metric: string;
  variant: string;
  iter: number;
  key: string;
  timestamp: number;
  /** The event as JSON text, returned as-is on read. */
  body: string;
}

export interface EventBatch {
  scalars: ScalarRow[];
  logs: LogRow[];
  docs: DocEventRow[];
}

export interface SeriesKey {
  metric: string;
  variant: string;
}

/** A whole series in columns, ordered by iteration. */
export interface SeriesPoints {
  iters: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
}

export interface LogQuery {
  limit: number;
  /** Only events strictly older (newestFirst) or newer (oldest first) than this timestamp. */
  fromTimestamp?: number;
  newestFirst: boolean;
}

export interface EventStore {
  add(batch: EventBatch): Promise<void>;
  series(task: string): Promise<SeriesKey[]>;
  scalarPoints(task: string, metric: string, variant: string): Promise<SeriesPoints>;
  /** Scalar events ordered by (metric, variant, iter), after the given position. */
  scalarPage(task: string, after: { metric: string; variant: string; iter: number } | null, limit: number): Promise<ScalarRow[]>;
  scalarCount(task: string): Promise<number>;
  singleValues(tasks: readonly string[], singleValueIter: number): Promise<ScalarRow[]>;
  logs(task: string, q: LogQuery): Promise<LogRow[]>;
  logCount(task: string): Promise<number>;
  docEvents(task: string, type: DocEventType): Promise<DocEventRow[]>;
  deleteTask(task: string): Promise<void>;
}
