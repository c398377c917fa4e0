import { call } from '../api/client';
import type { Project, TaskStatus } from '../api/types';
import type { TaskDetail } from '../experiment/types';
import { datasetOfProject } from './content';

/** One version of a dataset: the task the SDK made for it. */
export interface DatasetVersion {
  id: string;
  name: string;
  project: string;
  status: TaskStatus;
  created?: string;
  last_update?: string;
  tags?: string[];
  comment?: string;
  runtime?: { version?: string; ds_file_count?: number; ds_link_count?: number; ds_total_size?: number; [k: string]: unknown };
}

export interface DatasetSummary {
  /** the hidden project that holds the versions */
  projectId: string;
  name: string;
  /** the project the user named (`P` of `P/.datasets/D`) */
  parentProject: string;
  /** newest first */
  versions: DatasetVersion[];
}

const VERSION_FIELDS = ['id', 'name', 'project', 'status', 'created', 'last_update', 'tags', 'comment', 'runtime'];

async function versionsIn(projectIds: string[]): Promise<DatasetVersion[]> {
  if (projectIds.length === 0) return [];
  const all: DatasetVersion[] = [];
  for (let page = 0; ; page++) {
    const { tasks } = await call<{ tasks: DatasetVersion[] }>('tasks.get_all', {
      project: projectIds, system_tags: ['dataset', '-archived'], search_hidden: true,
      only_fields: VERSION_FIELDS, order_by: ['-created'], page, page_size: 500,
    });
    all.push(...tasks);
    if (tasks.length < 500) return all;
  }
}

/** Every dataset (a hidden project tagged `dataset`) with its versions. */
export async function loadDatasets(): Promise<DatasetSummary[]> {
  const { projects } = await call<{ projects: Project[] }>('projects.get_all', {
    system_tags: ['dataset'], search_hidden: true, only_fields: ['id', 'name'], page_size: 2000,
  });
  const holders = projects.flatMap((p) => {
    const d = datasetOfProject(p.name);
    return d ? [{ projectId: p.id, name: d.name, parentProject: d.project }] : [];
  });
  const versions = await versionsIn(holders.map((h) => h.projectId));
  return holders
    .map((h) => ({ ...h, versions: versions.filter((v) => v.project === h.projectId) }))
    .filter((d) => d.versions.length > 0)
    .sort((a, b) => (b.versions[0].created ?? '').localeCompare(a.versions[0].created ?? ''));
}

/** One dataset's versions and the whole document of the version shown. */
export async function loadDataset(projectId: string, versionId: string | undefined): Promise<{ summary: DatasetSummary; version: TaskDetail | undefined }> {
  const { project } = await call<{ project: Project }>('projects.get_by_id', { project: projectId });
  const d = datasetOfProject(project.name) ?? { project: '', name: project.name };
  const versions = await versionsIn([projectId]);
  const id = versionId ?? versions[0]?.id;
  const version = id ? (await call<{ task: TaskDetail }>('tasks.get_by_id', { task: id })).task : undefined;
  return { summary: { projectId, name: d.name, parentProject: d.project, versions }, version };
}
