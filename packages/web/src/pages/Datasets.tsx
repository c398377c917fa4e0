import { Link } from '../app/router';
import { datasetHref } from '../datasets/links';
import { loadDatasets } from '../datasets/request';
import { formatBytes } from '../experiment/links';
import { formatDate } from '../ui/format';
import { StatusBadge } from '../ui/StatusBadge';
import { useLoad } from '../ui/useLoad';

/** `/datasets`: every dataset made with clearml-data or the SDK's `Dataset`, newest first. */
export default function Datasets() {
  const list = useLoad(loadDatasets, []);
  const datasets = list.data ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1>Datasets</h1>
        <div className="grow" />
        <span className="muted" aria-live="polite">{list.loading && !list.data ? 'Loading…' : `${datasets.length} datasets`}</span>
      </div>
      {list.error && (
        <p className="form-error" role="alert">
          Could not load the datasets: {list.error.message} <button type="button" className="link-button" onClick={list.reload}>Retry</button>
        </p>
      )}
      {list.data && (
        <table className="simple-table boxed-table" aria-label="Datasets">
          <thead>
            <tr><th>Dataset</th><th>Project</th><th>Latest version</th><th>Status</th><th>Versions</th><th>Files</th><th>Size</th><th>Updated</th></tr>
          </thead>
          <tbody>
            {datasets.length === 0 && (
              <tr><td className="empty" colSpan={8}>No datasets yet. <code>clearml-data create --project P --name D</code> makes the first one.</td></tr>
            )}
            {datasets.map((d) => {
              const latest = d.versions[0];
              return (
                <tr key={d.projectId} data-id={d.projectId}>
                  <td data-column="name"><Link to={datasetHref(d.projectId)} className="cell-name">{d.name}</Link></td>
                  <td data-column="project">{d.parentProject}</td>
                  <td data-column="version">{latest.runtime?.version ?? ''}</td>
                  <td data-column="status"><StatusBadge status={latest.status} /></td>
                  <td data-column="versions">{d.versions.length}</td>
                  <td data-column="files">{latest.runtime?.ds_file_count ?? ''}</td>
                  <td data-column="size">{formatBytes(latest.runtime?.ds_total_size)}</td>
                  <td data-column="updated" title={latest.last_update}>{formatDate(latest.last_update)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
