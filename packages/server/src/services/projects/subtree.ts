import type { Project, Task } from '@cairn/protocol';
import type { Store } from '../../store/store.js';

/** A project and, by path, every project below it. */
export function subtreeOf(root: Project, all: readonly Project[]): Project[] {
  return all.filter((p) => p.id === root.id || p.name.startsWith(`${root.name}/`));
}

/**
 * The tasks a per-project query looks at: those of the given projects (with their
 * sub-projects unless `includeSubprojects` is false), or every task when no project
 * is given.
 */
export async function tasksInScope(store: Store, projectIds: readonly string[] | undefined, includeSubprojects: boolean): Promise<Task[]> {
  if (!projectIds || projectIds.length === 0) return store.tasks.find();
  let ids = [...projectIds];
  if (includeSubprojects) {
    const all = await store.projects.find();
    const roots = all.filter((p) => projectIds.includes(p.id));
    ids = [...new Set([...ids, ...roots.flatMap((r) => subtreeOf(r, all).map((p) => p.id))])];
  }
  return store.tasks.find({ projects: ids });
}
