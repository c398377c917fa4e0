import type { Task } from '../api/types';
import type { Artifact, ConfigurationItem, ModelItem, ParamsItem } from '@cairn/protocol';

/** The item shapes are the wire contract's own (packages/protocol). */
export type { Artifact, ConfigurationItem, ModelItem as ModelRef, ParamsItem as ParamItem };

/** The whole task document as `tasks.get_by_id` answers it: what the experiment page reads. */
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
  models?: { input: ModelItem[]; output: ModelItem[] };
  hyperparams?: Record<string, Record<string, ParamsItem>>;
  configuration?: Record<string, ConfigurationItem>;
  runtime?: Record<string, unknown>;
  container?: { image?: string; arguments?: string; setup_shell_script?: string };
}

/** Statuses during which the task changes by itself, so the page keeps asking. */
export const isLive = (status: string): boolean => status === 'in_progress' || status === 'queued';
