import { call } from '../api/client';
import type { Project, TaskStatus } from '../api/types';
import type { TaskDetail } from '../experiment/types';
import { pipelineOfProject } from './dag';

/** One run of a pipeline: its controller task. */
export interface PipelineRun {
  id: string;
  name: string;
  project: string;
  status: TaskStatus;
  created?: string;
  started?: string;
  completed?: string;
  last_update?: string;
  runtime?: { version?: string; progress?: string; [k: string]: unknown };
}

export interface PipelineSummary {
  projectId: string;
  name: string;
  parentProject: string;
  /** newest first */
  runs: PipelineRun[];
}

const RUN_FIELDS = ['id', 'name', 'project', 'status', 'created', 'started', 'completed', 'last_update', 'runtime'];

async function runsIn(projectIds: string[]): Promise<PipelineRun[]> {
  if (projectIds.length === 0) return [];
  const all: PipelineRun[] = [];
  for (let page = 0; ; page++) {
    const { tasks } = await call<{ tasks: PipelineRun[] }>('tasks.get_all', {
      project: projectIds, type: ['controller'], system_tags: ['pipeline', '-archived'], search_hidden: true,
      only_fields: RUN_FIELDS, order_by: ['-created'], page, page_size: 500,
    });
    all.push(...tasks);
    if (tasks.length < 500) return all;
  }
}

/** Every pipeline (a hidden project tagged `pipeline`) with its runs. */
export async function loadPipelines(): Promise<PipelineSummary[]> {
  const { projects } = await call<{ projects: Project[] }>('projects.get_all', {
    system_tags: ['pipeline'], search_hidden: true, only_fields: ['id', 'name'], page_size: 2000,
  });
  const holders = projects.flatMap((p) => {
    const d = pipelineOfProject(p.name);
    return d ? [{ projectId: p.id, name: d.name, parentProject: d.project }] : [];
  });
  const runs = await runsIn(holders.map((h) => h.projectId));
  return holders
    .map((h) => ({ ...h, runs: runs.filter((r) => r.project === h.projectId) }))
    .filter((p) => p.runs.length > 0)
    .sort((a, b) => (b.runs[0].created ?? '').localeCompare(a.runs[0].created ?? ''));
}

export interface StepTask {
  id: string;
  name: string;
  status: TaskStatus;
}

/** A pipeline's runs, one run's controller in full and the tasks its steps ran as. */
export async function loadPipeline(projectId: string, runId: string | undefined): Promise<{
  summary: PipelineSummary; run: TaskDetail | undefined; steps: StepTask[];
}> {
  const { project } = await call<{ project: Project }>('projects.get_by_id', { project: projectId });
  const d = pipelineOfProject(project.name) ?? { project: '', name: project.name };
  const runs = await runsIn([projectId]);
  const id = runId ?? runs[0]?.id;
  if (!id) return { summary: { projectId, name: d.name, parentProject: d.project, runs }, run: undefined, steps: [] };
  const [{ task }, { tasks }] = await Promise.all([
    call<{ task: TaskDetail }>('tasks.get_by_id', { task: id }),
    call<{ tasks: StepTask[] }>('tasks.get_all', { parent: id, search_hidden: true, only_fields: ['id', 'name', 'status'], page_size: 500 }),
  ]);
  return { summary: { projectId, name: d.name, parentProject: d.project, runs }, run: task, steps: tasks };
}
