/** A model as `models.get_all_ex` and `models.get_by_id` answer (clearml-sdk-protocol.md §4). */
export interface Model {
  id: string;
  name: string;
  user?: string;
  created?: string;
  last_update?: string;
  task?: string;
  parent?: string;
  project?: string;
  comment?: string;
  tags?: string[];
  system_tags?: string[];
  framework?: string;
  design?: Record<string, unknown>;
  labels?: Record<string, number>;
  uri?: string;
  ready?: boolean;
  published?: string;
  metadata?: Record<string, { key: string; type?: string; value: string }>;
  last_iteration?: number;
}

export const isArchived = (m: Pick<Model, 'system_tags'>): boolean => (m.system_tags ?? []).includes('archived');
