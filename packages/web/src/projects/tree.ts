import type { Project } from '../api/types';

/** A project in the tree: its row depth and whether it has sub-projects. */
export interface TreeRow {
  project: Project;
  depth: number;
  hasChildren: boolean;
  /** What the row shows: the base name, or the whole path when its parent is not listed. */
  label: string;
}

const parentPath = (name: string) => (name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '');

/**
 * Orders projects as a depth-first tree by their path names (`A/B` under `A`), sorted
 * by name at each level, leaving out the sub-trees of collapsed projects.
 */
export function treeRows(projects: readonly Project[], collapsed: ReadonlySet<string>): TreeRow[] {
  const byName = new Map(projects.map((p) => [p.name, p]));
  const children = new Map<string, Project[]>();
  const roots: Project[] = [];
  for (const p of projects) {
    const parent = parentPath(p.name);
    if (parent && byName.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(p);
      children.set(parent, list);
    } else {
      roots.push(p);
    }
  }
  const byLabel = (a: Project, b: Project) => a.name.localeCompare(b.name);
  const rows: TreeRow[] = [];
  const walk = (p: Project, depth: number, isRoot: boolean) => {
    const kids = (children.get(p.name) ?? []).sort(byLabel);
    rows.push({ project: p, depth, hasChildren: kids.length > 0, label: isRoot ? p.name : p.basename });
    if (!collapsed.has(p.id)) kids.forEach((k) => walk(k, depth + 1, false));
  };
  roots.sort(byLabel).forEach((r) => walk(r, 0, true));
  return rows;
}

export { parentPath };
