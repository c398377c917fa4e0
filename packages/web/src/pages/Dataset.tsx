import type { PageProps } from '../app/routes';
import { Link } from '../app/router';
import { parseContent, parseStruct } from '../datasets/content';
import { datasetHref } from '../datasets/links';
import { loadDataset, type DatasetVersion } from '../datasets/request';
import { Fields, Section } from '../experiment/Fields';
import { formatBytes } from '../experiment/links';
import { fetchPlots } from '../experiment/plots/figure';
import { ArtifactCard } from '../experiment/tabs/ArtifactsTab';
import { DebugSamplesTab } from '../experiment/tabs/DebugSamplesTab';
import { PlotCard } from '../experiment/tabs/PlotsTab';
import type { TaskDetail } from '../experiment/types';
import { CopyBlock } from '../ui/CopyBlock';
import { Dag } from '../ui/Dag';
import { formatDate } from '../ui/format';
import { StatusBadge } from '../ui/StatusBadge';
import { useLoad } from '../ui/useLoad';

/** Artifacts that hold the dataset itself (its index and its zip chunks `data`, `data_001`…); the rest is metadata. */
const isDatasetPart = (key: string): boolean => key === 'state' || /^data(_\d+)?$/.test(key);

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function Versions({ projectId, versions, current }: { projectId: string; versions: readonly DatasetVersion[]; current: string }) {
  return (
    <table className="simple-table boxed-table" aria-label="Versions">
      <thead><tr><th>Version</th><th>Status</th><th>Files</th><th>Created</th></tr></thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.id} data-id={v.id} className={v.id === current ? 'selected' : undefined} aria-current={v.id === current ? 'true' : undefined}>
            <td data-column="version"><Link to={datasetHref(projectId, v.id)}>{v.runtime?.version ?? v.id}</Link></td>
            <td data-column="status"><StatusBadge status={v.status} /></td>
            <td data-column="files">{v.runtime?.ds_file_count ?? ''}</td>
            <td data-column="created" title={v.created}>{formatDate(v.created)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What `upload(preview=True)` reported: tables (CSV, TSV, Parquet, NumPy) as plots under `Tables`, media as debug samples. */
function Previews({ version }: { version: TaskDetail }) {
  const plots = useLoad(() => fetchPlots(version.id), [version.id]);
  const tables = (plots.data ?? []).find(([metric]) => metric === 'Tables')?.[1] ?? [];
  return (
    <>
      {plots.error && <p className="form-error" role="alert">Could not load the table previews: {plots.error.message}</p>}
      {plots.data && (tables.length === 0
        ? <p className="muted">No table previews (CSV, TSV, Parquet and NumPy files are previewed when uploaded).</p>
        : <div className="plot-grid">{tables.map((p) => <PlotCard key={p.variant} plot={p} />)}</div>)}
      <DebugSamplesTab task={version} version={0} emptyText="No media previews (images, audio, video, HTML) in this version." />
    </>
  );
}

function VersionDetails({ version, projectId, versions, name }: { version: TaskDetail; projectId: string; versions: readonly DatasetVersion[]; name: string }) {
  const rt = version.runtime ?? {};
  const content = parseContent(version.configuration?.['Dataset Content']?.value);
  const lineage = parseStruct(version.configuration?.['Dataset Struct']?.value);
  const live = new Map(versions.map((v) => [v.id, v.status as string]));
  const metadata = (version.execution?.artifacts ?? []).filter((a) => a.mode !== 'input' && !isDatasetPart(a.key));
  const links = num(rt.ds_link_count) ?? 0;
  const folder = `./${name.replace(/[^\w.-]+/g, '_') || 'dataset'}`;
  return (
    <div className="dataset-version" data-id={version.id}>
      <Section title="Version">
        <Fields rows={[
          ['Version', String(rt.version ?? '')],
          ['Status', <StatusBadge status={version.status} />],
          ['ID', <code>{version.id}</code>],
          ['Created', formatDate(version.created)],
          ['Files', `${num(rt.ds_file_count) ?? ''}${links ? ` + ${links} links` : ''}`],
          ['Size', formatBytes(num(rt.ds_total_size))],
          ['Changes', `${num(rt.ds_change_add) ?? 0} added, ${num(rt.ds_change_modify) ?? 0} modified, ${num(rt.ds_change_remove) ?? 0} removed`],
          ['Description', version.comment ?? ''],
          ['Tags', (version.tags ?? []).length ? <span className="tags">{version.tags!.map((t) => <span key={t} className="tag">{t}</span>)}</span> : ''],
        ]} />
        <p><Link to={`/experiments/${version.id}`}>Open this version as an experiment</Link> <span className="muted">(its console and everything it reported)</span></p>
      </Section>
      <Section title="Get a copy">
        <CopyBlock label="Command line" text={`clearml-data get --id ${version.id} --copy ${folder}`} />
        <CopyBlock label="Python" text={`from clearml import Dataset\n\npath = Dataset.get(dataset_id="${version.id}").get_local_copy()`} />
      </Section>
      <Section title="Lineage">
        <div className="dag-scroll">
          {lineage.length === 0 ? <p className="muted">No lineage recorded for this version.</p> : (
            <Dag label="Lineage" current={version.id} nodes={lineage.map((n) => ({
              id: n.id, title: n.name, parents: n.parents,
              // the struct keeps each version's status of when it was recorded; this dataset's own are known now
              detail: `${n.version} · ${live.get(n.id) ?? n.status}`,
              href: live.has(n.id) ? datasetHref(projectId, n.id) : `/experiments/${n.id}`,
            }))} />
          )}
        </div>
      </Section>
      <Section title="Files" extra={content.summary && <span className="muted">{content.summary}</span>}>
        <table className="simple-table boxed-table" aria-label="Files">
          <thead><tr><th>File</th><th>Size</th><th>SHA-256</th></tr></thead>
          <tbody>
            {content.entries.length === 0 && <tr><td className="empty" colSpan={3}>No files listed for this version yet.</td></tr>}
            {content.entries.map((e) => (
              <tr key={e.path} data-path={e.path}>
                <td data-column="path"><code>{e.path}</code></td>
                <td data-column="size" title={e.size === undefined ? undefined : `${e.size} bytes`}>{formatBytes(e.size)}</td>
                <td data-column="hash"><code className="muted">{e.hash}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Previews">
        <Previews version={version} />
      </Section>
      <Section title="Metadata">
        {metadata.length === 0 ? <p className="muted">No metadata (Dataset.set_metadata) on this version.</p> : metadata.map((a) => <ArtifactCard key={a.key} a={a} />)}
      </Section>
    </div>
  );
}

/** `/datasets/simple/:project[/experiments/:id]`: a dataset's versions and one version in full (the newest by default). */
export default function Dataset({ params }: PageProps) {
  const page = useLoad(() => loadDataset(params.project, params.id), [params.project, params.id]);
  const summary = page.data?.summary;
  const version = page.data?.version;
  return (
    <div className="page">
      <div className="page-head">
        <h1>{summary ? summary.name : 'Dataset'}</h1>
        {summary?.parentProject && <span className="muted">in {summary.parentProject}</span>}
        <div className="grow" />
        <Link to="/datasets">All datasets</Link>
      </div>
      {page.error && (
        <p className="form-error" role="alert">
          Could not load the dataset: {page.error.message} <button type="button" className="link-button" onClick={page.reload}>Retry</button>
        </p>
      )}
      {page.loading && !page.data && <p className="muted">Loading…</p>}
      {summary && (
        <div className="split-layout">
          <Versions projectId={summary.projectId} versions={summary.versions} current={version?.id ?? ''} />
          {version ? <VersionDetails version={version} projectId={summary.projectId} versions={summary.versions} name={summary.name} />
            : <p className="muted">This dataset has no versions.</p>}
        </div>
      )}
    </div>
  );
}
