import { Link } from '../app/router';
import { pipelineHref } from '../pipelines/links';
import { loadPipelines } from '../pipelines/request';
import { formatDate } from '../ui/format';
import { StatusBadge } from '../ui/StatusBadge';
import { useLoad } from '../ui/useLoad';

/** `/pipelines`: every pipeline (PipelineController, PipelineDecorator) with its latest run. */
export default function Pipelines() {
  const list = useLoad(loadPipelines, []);
  const pipelines = list.data ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1>Pipelines</h1>
        <div className="grow" />
        <span className="muted" aria-live="polite">{list.loading && !list.data ? 'Loading…' : `${pipelines.length} pipelines`}</span>
      </div>
      {list.error && (
        <p className="form-error" role="alert">
          Could not load the pipelines: {list.error.message} <button type="button" className="link-button" onClick={list.reload}>Retry</button>
        </p>
      )}
      {list.data && (
        <table className="simple-table boxed-table" aria-label="Pipelines">
          <thead><tr><th>Pipeline</th><th>Project</th><th>Last run</th><th>Status</th><th>Version</th><th>Runs</th><th>Started</th></tr></thead>
          <tbody>
            {pipelines.length === 0 && <tr><td className="empty" colSpan={7}>No pipelines yet. A script that runs a PipelineController or a @PipelineDecorator.pipeline makes the first one.</td></tr>}
            {pipelines.map((p) => {
              const last = p.runs[0];
              return (
                <tr key={p.projectId} data-id={p.projectId}>
                  <td data-column="name"><Link to={pipelineHref(p.projectId)} className="cell-name">{p.name}</Link></td>
                  <td data-column="project">{p.parentProject}</td>
                  <td data-column="run"><Link to={pipelineHref(p.projectId, last.id)}>{last.name}</Link></td>
                  <td data-column="status"><StatusBadge status={last.status} /></td>
                  <td data-column="version">{last.runtime?.version ?? ''}</td>
                  <td data-column="runs">{p.runs.length}</td>
                  <td data-column="started" title={last.started ?? last.created}>{formatDate(last.started ?? last.created)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
