import type { Task } from '../api/types';

/** The whole task document as `tasks.get_by_id` answers it: what the experiment page reads. */
export interface ParamItem {
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
  /** seconds since the epoch */
  timestamp?: number;
  type_data?: { preview?: string; content_type?: string };
}

export interface ModelRef {
  name: string;
  model: string;
}

export interface TaskDetail extends Task {
  comment?: string;
  parent?: string;
  status_reason?: string;
  status_message?: string;
  status_changed?: string;
  last_worker?: string;
  last_change?: string;
  script?: {
    repository?: string;
    branch?: string;
    version_num?: string;
    tag?: string;
    entry_point?: string;
    working_dir?: string;
    binary?: string;
    diff?: string;
    requirements?: { pip?: string; conda?: string; [k: string]: string | undefined };
  };
  execution?: { artifacts?: Artifact[]; queue?: string };
  output?: { destination?: string };
  models?: { input: ModelRef[]; output: ModelRef[] };
  hyperparams?: Record<string, Record<string, ParamItem>>;
  configuration?: Record<string, ConfigurationItem>;
  runtime?: Record<string, unknown>;
  container?: { image?: string; arguments?: string; setup_shell_script?: string };
}

/** Statuses during which the task changes by itself, so the page keeps asking. */
export const isLive = (status: string): boolean => status === 'in_progress' || status === 'queued';
