import { call } from '../api/client';
import { TASK_STATUSES, type User } from '../api/types';
import { STATUS_LABEL } from '../ui/StatusBadge';
import type { ListSource } from './columns';

export interface Option {
  value: string;
  label: string;
}

const plain = (values: string[]): Option[] => values.map((v) => ({ value: v, label: v }));

/** The values a column can be filtered to, as the server knows them for the project. */
export async function filterOptions(source: ListSource, project: string): Promise<Option[]> {
  const projects = project ? [project] : undefined;
  switch (source.kind) {
    case 'status':
      return TASK_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] }));
    case 'type':
      return plain((await call<{ types: string[] }>('tasks.get_types', { projects })).types);
    case 'user':
      return (await call<{ users: User[] }>('users.get_all')).users.map((u) => ({ value: u.id, label: u.name }));
    case 'tags':
      return plain((await call<{ tags: string[] }>('projects.get_task_tags', { projects })).tags);
    case 'param':
      return plain((await call<{ values: string[] }>('projects.get_hyperparam_values', { projects, section: source.section, name: source.name, page_size: 1000 })).values);
  }
}
