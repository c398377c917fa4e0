/** The parts of the server's documents the web UI reads (clearml-sdk-protocol.md §4). */
export type TaskStatus =
  | 'created' | 'queued' | 'in_progress' | 'stopped' | 'published' | 'publishing' | 'closed' | 'failed' | 'completed' | 'unknown';

export const TASK_STATUSES: readonly TaskStatus[] = [
  'created', 'queued', 'in_progress', 'stopped', 'completed', 'failed', 'published', 'publishing', 'closed', 'unknown',
];

export interface LastMetric {
  metric: string;
  variant: string;
  value: number;
  min_value?: number;
  max_value?: number;
}

export interface Task {
  id: string;
  name: string;
  type: string;
  status: TaskStatus;
  user: string;
  project?: string;
  tags?: string[];
  system_tags?: string[];
  created?: string;
  started?: string;
  completed?: string;
  last_update?: string;
  active_duration?: number;
  last_iteration?: number;
  hyperparams?: Record<string, Record<string, { value: string }>>;
  last_metrics?: Record<string, Record<string, LastMetric>>;
}

export interface ProjectStats {
  status_count: Partial<Record<TaskStatus, number>>;
  total_tasks: number;
  last_task_update?: string;
}

export interface Project {
  id: string;
  name: string;
  basename: string;
  user: string;
  created: string;
  last_update: string;
  system_tags: string[];
  stats?: { active: ProjectStats };
}

export interface Credential {
  access_key: string;
  label: string;
  created: string;
  last_used: string | null;
}

export interface Queue {
  id: string;
  name: string;
}

export interface User {
  id: string;
  name: string;
  role?: 'admin' | 'user' | 'system';
  disabled?: boolean;
  created?: string;
}

export interface MetricVariant {
  metric: string;
  variant: string;
  metric_hash: string;
  variant_hash: string;
}

export interface ParamKey {
  section: string;
  name: string;
}
