/**
 * Storage of task events (scalars, console log, plots, debug images, vectors). Events
 * arrive in large batches and are written in one transaction; non-log events are keyed
 * so that a re-report of the same (task, metric, variant, iter[, key]) replaces the old one.
 * Model events use the model id in place of the task id.
 */

/** The points of one scalar series reported in one batch, in arrival order (a later duplicate iteration wins). */
export interface ScalarSeriesInput {
  task: string;
  metric: string;
  variant: string;
  iters: number[];
  values: number[];
  timestamps: number[];
}

export interface ScalarRow {
  task: string;
  metric: string;
  variant: string;
  iter: number;
  value: number;
  timestamp: number;
}

export interface LogInput {
  task: string;
  timestamp: number;
  /** Only when the client gave one. */
  iter: number | null;
  level: string;
  worker: string;
  msg: string;
}

export interface LogRow extends LogInput {
  /** Arrival order among the task's logs: breaks ties between equal timestamps when paging. */
  seq: number;
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
  scalars: ScalarSeriesInput[];
  logs: LogInput[];
  docs: DocEventRow[];
}

export interface AddResult {
  /** Per entry of `batch.scalars`: how many of its points were new rather than replacing a stored one. */
  newScalarPoints: number[];
}

export interface SeriesKey {
  metric: string;
  variant: string;
}

/** A series (or part of one) in columns, ordered by iteration, one point per iteration. */
export interface SeriesPoints {
  iters: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
}

/** Inclusive iteration bounds; a missing bound is open. */
export interface IterRange {
  min?: number;
  max?: number;
}

export interface ScalarPosition {
  metric: string;
  variant: string;
  iter: number;
}

export interface ScalarPageQuery {
  /** Continue strictly after this position; `null` starts at the beginning. */
  after: ScalarPosition | null;
  limit: number;
  /** Order (metric, variant, iter) descending instead of ascending. */
  descending: boolean;
  /** Only this metric. */
  metric?: string;
}

export interface LogQuery {
  limit: number;
  /** Only events strictly older (newestFirst) or newer (oldest first) than this timestamp. */
  fromTimestamp?: number;
  newestFirst: boolean;
}

export interface LogPosition {
  timestamp: number;
  seq: number;
}

export interface LogPageQuery {
  after: LogPosition | null;
  limit: number;
  /** Order (timestamp, seq) descending instead of ascending. */
  descending: boolean;
}

export interface DocPosition {
  iter: number;
  metric: string;
  variant: string;
  key: string;
}

export interface DocPageQuery {
  after: DocPosition | null;
  limit: number;
  /** Order (iter, metric, variant, key) descending instead of ascending. */
  descending: boolean;
}

export interface MetricVariants {
  metric: string;
  /** Empty: every variant of the metric. */
  variants: readonly string[];
}

export interface LatestDocsQuery {
  /**
   * Ranks of iterations to return per (metric, variant), newest = 1: `fromRank` (inclusive)
   * to `toRank` (inclusive). `{1, 1}` returns the newest event of every series.
   */
  fromRank: number;
  toRank: number;
  /** Only these metrics (and variants); empty or missing: all. */
  metrics?: readonly MetricVariants[];
}

export interface DocIteration {
  iter: number;
  events: DocEventRow[];
}

export interface DocIterationsQuery {
  /** Missing: every metric. */
  metric?: string;
  /** Empty: every variant. */
  variants: readonly string[];
  /** Only iterations strictly beyond this one in the direction of travel; `null`: from the start. */
  from: number | null;
  /** Newest iteration first (and `from` is an upper bound) instead of oldest first. */
  newestFirst: boolean;
  /** How many distinct iterations. */
  limit: number;
}

export interface EventStore {
  add(batch: EventBatch): Promise<AddResult>;
  /** The scalar series of a task ordered by metric, variant. */
  series(task: string): Promise<SeriesKey[]>;
  /** Points of one series inside the iteration range, ordered by iteration. */
  scalarPoints(task: string, metric: string, variant: string, range?: IterRange): Promise<SeriesPoints>;
  /** Scalar events ordered by (metric, variant, iter). */
  scalarPage(task: string, q: ScalarPageQuery): Promise<ScalarRow[]>;
  scalarCount(task: string, metric?: string): Promise<number>;
  /** Scalars reported at exactly `iter` (the SDK's single values), ordered by task, metric, variant. */
  scalarsAtIter(tasks: readonly string[], iter: number): Promise<ScalarRow[]>;
  logs(task: string, q: LogQuery): Promise<LogRow[]>;
  /** Logs ordered by (timestamp, seq), strictly after a position. */
  logPage(task: string, q: LogPageQuery): Promise<LogRow[]>;
  logCount(task: string): Promise<number>;
  docPage(task: string, type: DocEventType, q: DocPageQuery): Promise<DocEventRow[]>;
  docCount(task: string, type: DocEventType): Promise<number>;
  /** The newest iterations of every (metric, variant) of one type, ordered by iter descending, metric, variant. */
  latestDocs(task: string, type: DocEventType, q: LatestDocsQuery): Promise<DocEventRow[]>;
  /** Events of one metric (or all) grouped by iteration, in the direction of travel. */
  docIterations(task: string, type: DocEventType, q: DocIterationsQuery): Promise<DocIteration[]>;
  /** Removes every event of the task (or model); answers how many were removed. */
  deleteTask(task: string): Promise<number>;
}
