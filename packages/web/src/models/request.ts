import { call } from '../api/client';
import type { Model } from './types';
import type { ModelsView } from './url-state';

export const PAGE_SIZE = 50;

/** Columns the server can sort by, with the model field each sorts on. */
export const SORTABLE: Record<string, string> = {
  name: 'name',
  framework: 'framework',
  ready: 'ready',
  created: 'created',
};

const LIST_FIELDS = ['id', 'name', 'framework', 'tags', 'system_tags', 'ready', 'task', 'project', 'created', 'user'];

/** One page of the models table, sorted, searched and filtered on the server. */
export async function loadModelPage(v: ModelsView): Promise<Model[]> {
  const desc = v.sort.startsWith('-');
  const field = SORTABLE[v.sort.replace(/^-/, '')] ?? 'created';
  const body: Record<string, unknown> = {
    only_fields: LIST_FIELDS,
    order_by: [`${desc ? '-' : ''}${field}`, '-created'],
    system_tags: v.archived ? ['archived'] : ['-archived'],
    page: v.page,
    page_size: PAGE_SIZE,
  };
  if (v.q.trim()) body.search_text = v.q.trim();
  if (v.ready !== 'all') body.ready = v.ready === 'published';
  const { models } = await call<{ models: Model[] }>('models.get_all_ex', body);
  return models;
}

/** Names of the tasks and projects the models point at, for links that read as names. */
export async function loadNames(models: readonly Pick<Model, 'task' | 'project'>[]): Promise<{ tasks: Map<string, string>; projects: Map<string, string> }> {
  const taskIds = [...new Set(models.flatMap((m) => (m.task ? [m.task] : [])))];
  const projectIds = [...new Set(models.flatMap((m) => (m.project ? [m.project] : [])))];
  const [tasks, projects] = await Promise.all([
    taskIds.length ? call<{ tasks: { id: string; name: string }[] }>('tasks.get_all_ex', { id: taskIds, only_fields: ['id', 'name'] }).then((r) => r.tasks) : [],
    projectIds.length ? call<{ projects: { id: string; name: string }[] }>('projects.get_all', { id: projectIds, only_fields: ['id', 'name'] }).then((r) => r.projects) : [],
  ]);
  return { tasks: new Map(tasks.map((t) => [t.id, t.name])), projects: new Map(projects.map((p) => [p.id, p.name])) };
}
