import type { PageProps } from '../app/routes';
import { Link } from '../app/router';
import { Fields, Section } from '../experiment/Fields';
import { isLive, type TaskDetail } from '../experiment/types';
import { useEvery } from '../orchestration/useEvery';
import { liveStepStatus, parsePipeline } from '../pipelines/dag';
import { pipelineHref } from '../pipelines/links';
import { loadPipeline, type PipelineRun, type StepTask } from '../pipelines/request';
import { Dag } from '../ui/Dag';
import { formatDate, formatDuration } from '../ui/format';
import { StatusBadge } from '../ui/StatusBadge';
import { useLoad } from '../ui/useLoad';

const LIVE_REFRESH_MS = 3_000;

function Runs({ projectId, runs, current }: { projectId: string; runs: readonly PipelineRun[]; current: string }) {
  return (
    <table className="simple-table boxed-table" aria-label="Runs">
      <thead><tr><th>Run</th><th>Status</th><th>Version</th><th>Started</th></tr></thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-id={r.id} className={r.id === current ? 'selected' : undefined} aria-current={r.id === current ? 'true' : undefined}>
            <td data-column="name"><Link to={pipelineHref(projectId, r.id)}>{r.name}</Link></td>
            <td data-column="status"><StatusBadge status={r.status} /></td>
            <td data-column="version">{r.runtime?.version ?? ''}</td>
            <td data-column="started" title={r.started ?? r.created}>{formatDate(r.started ?? r.created)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RunDetails({ run, steps }: { run: TaskDetail; steps: readonly StepTask[] }) {
  const dag = parsePipeline(run.configuration?.Pipeline?.value);
  const taskStatus = new Map(steps.map((s) => [s.id, s.status as string]));
  const nodes = dag.map((step) => {
    const status = liveStepStatus(step, step.taskId ? taskStatus.get(step.taskId) : undefined);
    return { id: step.name, title: step.name, detail: status, tone: status, parents: step.parents, href: step.taskId ? `/experiments/${step.taskId}` : undefined };
  });
  const failed = nodes.filter((n) => n.tone === 'failed' || n.tone === 'aborted').map((n) => n.id);
  const args = Object.values(run.hyperparams?.Args ?? {});
  const seconds = run.started ? ((run.completed ? Date.parse(run.completed) : Date.now()) - Date.parse(run.started)) / 1000 : undefined;
  return (
    <div className="pipeline-run" data-id={run.id}>
      <Section title="Run">
        <Fields rows={[
          ['Run', run.name],
          ['Status', <StatusBadge status={run.status} />],
          ['Version', String(run.runtime?.version ?? '')],
          ['Progress', run.runtime?.progress !== undefined ? `${run.runtime.progress}%` : ''],
          ['Started', formatDate(run.started)],
          ['Duration', formatDuration(seconds)],
          ['Failed steps', failed.join(', ')],
          ['ID', <code>{run.id}</code>],
        ]} />
        <p><Link to={`/experiments/${run.id}`}>Open the controller as an experiment</Link> <span className="muted">(console, plots)</span></p>
      </Section>
      <Section title="Steps" extra={<span className="muted">a step opens its experiment</span>}>
        <div className="dag-scroll">
          {nodes.length === 0 ? <p className="muted">This run has not recorded its steps yet.</p> : <Dag label="Pipeline steps" nodes={nodes} />}
        </div>
      </Section>
      <Section title="Parameters">
        {args.length === 0 ? <p className="muted">This pipeline has no parameters.</p> : (
          <Fields rows={args.map((p) => [p.name ?? '', p.value ?? ''] as [string, string])} />
        )}
      </Section>
    </div>
  );
}

/** `/pipelines/:project[/experiments/:id]`: a pipeline's runs and one run's steps, live while it runs. */
export default function Pipeline({ params }: PageProps) {
  const page = useLoad(() => loadPipeline(params.project, params.id), [params.project, params.id]);
  const run = page.data?.run;
  const summary = page.data?.summary;
  useEvery(LIVE_REFRESH_MS, () => {
    if (run && isLive(run.status) && !page.loading) page.reload();
  });
  return (
    <div className="page">
      <div className="page-head">
        <h1>{summary ? summary.name : 'Pipeline'}</h1>
        {summary?.parentProject && <span className="muted">in {summary.parentProject}</span>}
        <div className="grow" />
        <Link to="/pipelines">All pipelines</Link>
      </div>
      {page.error && (
        <p className="form-error" role="alert">
          Could not load the pipeline: {page.error.message} <button type="button" className="link-button" onClick={page.reload}>Retry</button>
        </p>
      )}
      {page.loading && !page.data && <p className="muted">Loading…</p>}
      {summary && (
        <div className="split-layout">
          <Runs projectId={summary.projectId} runs={summary.runs} current={run?.id ?? ''} />
          {run ? <RunDetails run={run} steps={page.data!.steps} /> : <p className="muted">This pipeline has no runs.</p>}
        </div>
      )}
    </div>
  );
}
