import { TASK_STATUSES, type Project, type Task } from '@cairn/protocol';
import { subtreeOf } from './subtree.js';

/** `stats.active` of `projects.get_all_ex` with `include_stats`: archived tasks are not counted. */
export interface ActiveStats {
  status_count: Record<string, number>;
  total_tasks: number;
  /** seconds, the sum of the tasks' `active_duration` */
  total_runtime: number;
  /** the latest `last_update` of a counted task: when anything last happened in the project */
  last_task_update?: string;
}

function emptyStats(): ActiveStats {
  return { status_count: Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])), total_tasks: 0, total_runtime: 0 };
}

function add(into: ActiveStats, t: Task): void {
  into.status_count[t.status] = (into.status_count[t.status] ?? 0) + 1;
  into.total_tasks++;
  into.total_runtime += t.active_duration ?? 0;
  if (!into.last_task_update || t.last_update > into.last_task_update) into.last_task_update = t.last_update;
}

/**
 * Stats of each listed project over its own tasks, or, with `withChildren` (ClearML's
 * default), over the tasks of its whole sub-tree.
 */
export function projectStats(listed: readonly Project[], all: readonly Project[], tasks: readonly Task[], withChildren: boolean): Map<string, { active: ActiveStats }> {
  const byProject = new Map<string, Task[]>();
  for (const t of tasks) {
    if (!t.project || t.system_tags.includes('archived')) continue;
    const list = byProject.get(t.project);
    if (list) list.push(t);
    else byProject.set(t.project, [t]);
  }
  const out = new Map<string, { active: ActiveStats }>();
  for (const p of listed) {
    const stats = emptyStats();
    for (const member of withChildren ? subtreeOf(p, all) : [p]) {
      for (const t of byProject.get(member.id) ?? []) add(stats, t);
    }
    out.set(p.id, { active: stats });
  }
  return out;
}
