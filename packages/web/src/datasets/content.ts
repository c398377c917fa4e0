/**
 * What the clearml SDK writes on a dataset version's task, read back for the Datasets
 * pages (clearml-datasets-pipelines.md §1): the hidden project `<project>/.datasets/<name>`,
 * the `Dataset Content` configuration (a CSV preview of the file list) and the
 * `Dataset Struct` configuration (every version of the lineage and its parents).
 */

const HIDDEN_DATASETS = '/.datasets/';

/** `P/.datasets/D` → `{ project: 'P', name: 'D' }`; null for a project that is not a dataset's. */
export function datasetOfProject(projectName: string): { project: string; name: string } | null {
  const at = projectName.lastIndexOf(HIDDEN_DATASETS);
  if (at < 0) return null;
  const name = projectName.slice(at + HIDDEN_DATASETS.length);
  if (!name || name.includes('/')) return null;
  return { project: projectName.slice(0, at), name };
}

export interface ContentEntry {
  path: string;
  size: number | undefined;
  hash: string;
}

/**
 * `Dataset Content`: a header line (`File Name (3 files + 1 links), File Size (total
 * 21.4 KB), Hash (SHA2)`), then `path, size, hash` per file; a link's path is its URL.
 * The SDK lists at most its preview limit of files: `total` is what the header says.
 */
export function parseContent(text: string | undefined): { entries: ContentEntry[]; summary: string } {
  if (!text) return { entries: [], summary: '' };
  const [header, ...lines] = text.split('\n');
  const entries: ContentEntry[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    // paths may hold ", " themselves: size and hash are the last two fields
    const parts = line.split(', ');
    if (parts.length < 3) continue;
    const hash = parts.pop()!.trim();
    const sizeText = parts.pop()!.trim();
    const size = sizeText === '' ? undefined : Number(sizeText);
    entries.push({ path: parts.join(', '), size: Number.isFinite(size) ? size : undefined, hash });
  }
  const summary = /^File Name \(([^)]*)\), File Size \(total ([^)]*)\)/.exec(header ?? '');
  return { entries, summary: summary ? `${summary[1]}, ${summary[2]}` : '' };
}

export interface LineageNode {
  id: string;
  name: string;
  version: string;
  status: string;
  parents: string[];
}

/** `Dataset Struct`: `{ "0": { job_id, name, version, status, parents: ["1"] }, … }` → nodes with parent ids. */
export function parseStruct(text: string | undefined): LineageNode[] {
  if (!text) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!raw || typeof raw !== 'object') return [];
  const byIndex = raw as Record<string, { job_id?: string; name?: string; version?: string; status?: string; parents?: string[] }>;
  return Object.values(byIndex).filter((n) => typeof n?.job_id === 'string').map((n) => ({
    id: n.job_id!,
    name: n.name ?? '',
    version: n.version ?? '',
    status: n.status ?? '',
    parents: (n.parents ?? []).map((p) => byIndex[p]?.job_id).filter((p): p is string => typeof p === 'string'),
  }));
}
