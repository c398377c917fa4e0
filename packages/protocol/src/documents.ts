/** The stored and returned shapes of ClearML entities (see clearml-sdk-protocol.md §4). */

export const TASK_STATUSES = [
  'created', 'queued', 'in_progress', 'stopped', 'published', 'publishing', 'closed', 'failed', 'completed', 'unknown',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_TYPES = [
  'training', 'testing', 'inference', 'data_processing', 'application', 'monitor', 'controller', 'optimizer',
  'service', 'qc', 'custom', 'dataset_import', 'annotation', 'annotation_manual',
] as const;

export interface ParamsItem {
  section: string;
  name: string;
  value: string;
  type?: string;
  description?: string;
}

export interface ConfigurationItem {
  name: string;
  value: string;
  type?: string;
  description?: string;
}

export interface Artifact {
  key: string;
  type: string;
  mode: 'input' | 'output';
  uri?: string;
  content_size?: number;
  hash?: string;
  timestamp?: number;
  type_data?: { preview?: string; content_type?: string; data_hash?: string };
  display_data?: [string, string][];
}

export interface ModelItem {
  name: string;
  model: string;
  updated?: string;
}

export interface LastMetricsVariant {
  metric: string;
  variant: string;
  value: number;
  min_value: number;
  min_value_iteration: number;
  max_value: number;
  max_value_iteration: number;
  first_value: number;
  first_value_iteration: number;
  count: number;
  timestamp: number;
}

export interface Task {
  id: string;
  name: string;
  type: string;
  status: TaskStatus;
  status_reason: string;
  status_message: string;
  status_changed?: string;
  comment: string;
  project?: string;
  parent?: string;
  user: string;
  company: string;
  created: string;
  started?: string;
  completed?: string;
  published?: string;
  last_update: string;
  last_change: string;
  last_worker?: string;
  last_worker_report?: string;
  active_duration?: number;
  /** The status a queued task had before `tasks.enqueue`; a dequeue returns it there. */
  enqueue_status?: TaskStatus;
  tags: string[];
  system_tags: string[];
  script: Record<string, unknown>;
  execution: Record<string, unknown> & { artifacts?: Artifact[]; queue?: string };
  output: Record<string, unknown>;
  models: { input: ModelItem[]; output: ModelItem[] };
  hyperparams: Record<string, Record<string, ParamsItem>>;
  configuration: Record<string, ConfigurationItem>;
  runtime: Record<string, unknown>;
  container: Record<string, string>;
  last_iteration: number;
  last_metrics: Record<string, Record<string, LastMetricsVariant>>;
}

export interface Project {
  id: string;
  name: string;
  basename: string;
  description: string;
  user: string;
  company: string;
  created: string;
  last_update: string;
  tags: string[];
  system_tags: string[];
  default_output_destination?: string;
}

export interface MetadataItem {
  key: string;
  type: string;
  value: string;
}

export interface Model {
  id: string;
  name: string;
  user: string;
  company: string;
  created: string;
  last_update: string;
  /** Moves with every change, as `last_update`; older documents lack it and read it as `last_update`. */
  last_change?: string;
  task?: string;
  parent?: string;
  project?: string;
  comment: string;
  tags: string[];
  system_tags: string[];
  framework?: string;
  design: Record<string, unknown>;
  labels: Record<string, number>;
  uri?: string;
  ready: boolean;
  /** When the model was made ready (`models.set_ready`). */
  published?: string;
  metadata: Record<string, MetadataItem>;
  last_iteration?: number;
}

export interface QueueEntry {
  task: string;
  added: string;
}

export interface Queue {
  id: string;
  name: string;
  user: string;
  company: string;
  created: string;
  last_update: string;
  tags: string[];
  system_tags: string[];
  entries: QueueEntry[];
  metadata: Record<string, MetadataItem>;
}

export interface IdName {
  id: string;
  name: string;
}

/** A queue as `workers.get_all` describes it: with its head and length. */
export interface WorkerQueue {
  id: string;
  name: string;
  next_task?: IdName;
  num_tasks: number;
}

/** One worker (agent) as `workers.get_all` returns it (clearml-agent-protocol.md §4.5). */
export interface Worker {
  id: string;
  key: string;
  user: IdName;
  company: IdName;
  ip: string;
  register_time: string;
  register_timeout: number;
  last_activity_time: string;
  last_report_time?: string;
  /** `running_time` is in milliseconds. */
  task?: IdName & { running_time: number; last_iteration: number };
  project?: IdName;
  queue?: WorkerQueue;
  queues: WorkerQueue[];
  tags: string[];
  system_tags: string[];
}

export interface User {
  id: string;
  name: string;
  company: string;
  role: 'admin' | 'user' | 'system';
  created: string;
  /** a disabled user's keys and sessions stop working; their tasks stay */
  disabled?: boolean;
}

/** Event types accepted by `events.add_batch`. */
export const EVENT_TYPES = ['training_stats_scalar', 'training_stats_vector', 'training_debug_image', 'plot', 'log'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Iteration the SDK uses for `report_single_value`: such values never move `last_iteration`. */
export const SINGLE_VALUE_ITER = -2147483648;
/** Metrics of the SDK's resource monitor: they never move `last_iteration`. */
export const MONITOR_METRICS: ReadonlySet<string> = new Set([':monitor:machine', ':monitor:gpu']);

export interface TaskEvent {
  type: EventType;
  task: string;
  timestamp: number;
  iter: number;
  metric: string;
  variant: string;
  value?: number;
  values?: number[];
  plot_str?: string;
  key?: string;
  url?: string;
  level?: string;
  worker?: string;
  msg?: string;
  model_event?: boolean;
  [k: string]: unknown;
}
