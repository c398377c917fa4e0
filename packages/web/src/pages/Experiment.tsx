import { call } from '../api/client';
import type { Project } from '../api/types';
import { Link, navigate, useSearch } from '../app/router';
import type { PageProps } from '../app/routes';
import { ActionsBar } from '../experiment/ActionsBar';
import { ExperimentHeader } from '../experiment/ExperimentHeader';
import { TABS, TabBar, TabPanel } from '../experiment/ExperimentTabs';
import { useExperiment } from '../experiment/useExperiment';
import { useLoad } from '../ui/useLoad';

/** One experiment: what ran, how it was configured, what it produced, and what can be done to it. */
export default function Experiment({ params }: PageProps) {
  const search = useSearch();
  const { task, error, version, reload } = useExperiment(params.id);
  // The SDK's printed link ends in output/log: the console.
  const asked = search.get('tab') ?? (params.section === 'log' ? 'console' : null);
  const tab = TABS.some((t) => t.key === asked) ? asked! : TABS[0].key;
  const projectId = task?.project;
  const project = useLoad(
    () => (projectId ? call<{ project: Project }>('projects.get_by_id', { project: projectId }).then((r) => r.project.name) : Promise.resolve(undefined)),
    [projectId],
  );

  if (!task) {
    return (
      <div className="page">
        {error
          ? <p className="form-error" role="alert">Could not load the experiment: {error.message} <Link to="/experiments">All experiments</Link></p>
          : <p className="muted">Loading…</p>}
      </div>
    );
  }
  return (
    <div className="page experiment-page">
      <div className="crumbs">
        <Link to="/projects">Projects</Link>
        <span aria-hidden>/</span>
        {projectId ? <Link to={`/experiments?project=${projectId}`}>{project.data ?? (project.error ? 'Its project' : '…')}</Link> : <Link to="/experiments">All experiments</Link>}
      </div>
      <ExperimentHeader task={task} onChanged={reload} />
      <ActionsBar task={task} onChanged={reload} />
      {error && <p className="form-error" role="alert">Could not refresh the experiment: {error.message}</p>}
      <TabBar current={tab} onPick={(key) => navigate(`/experiments/${params.id}?tab=${key}`, { replace: true })} />
      <TabPanel key={task.id} current={tab} task={task} version={version} projectName={project.data} onChanged={reload} />
    </div>
  );
}
