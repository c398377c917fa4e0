import { formatDate } from '../../ui/format';
import { useDownload } from '../../ui/useDownload';
import { Section } from '../Fields';
import { fileName, formatBytes, isFetchable } from '../links';
import type { Artifact, TaskDetail } from '../types';

export function ArtifactCard({ a }: { a: Artifact }) {
  const preview = a.type_data?.preview;
  const download = useDownload(isFetchable(a.uri) ? a.uri : undefined);
  return (
    <div className="artifact" data-artifact={a.key}>
      <div className="artifact-head">
        <strong>{a.key}</strong>
        <span className="tag tag-muted">{a.type}</span>
        <span className="muted">{formatBytes(a.content_size)}</span>
        {a.timestamp !== undefined && <span className="muted">{formatDate(new Date(a.timestamp * 1000).toISOString())}</span>}
        <span className="grow" />
        {isFetchable(a.uri)
          ? <a className="button" href={download.href} aria-disabled={!download.href} download={fileName(a.uri)} onClick={download.onClick}
            aria-label={`Download ${a.key}`}>Download</a>
          : a.uri && <span className="muted" title="Stored where the browser cannot fetch it">{a.uri}</span>}
      </div>
      {download.problem && <p className="form-error" role="alert">Could not download {a.key}: {download.problem}</p>}
      {a.hash && <div className="muted artifact-hash">Hash <code>{a.hash}</code></div>}
      {isFetchable(a.uri) && <div className="artifact-uri"><code>{a.uri}</code></div>}
      {preview && <pre className="code-block artifact-preview" aria-label={`Preview of ${a.key}`}>{preview}</pre>}
    </div>
  );
}

/** Files the experiment stored or read: what they are, a preview, and a download link. */
export function ArtifactsTab({ task }: { task: TaskDetail }) {
  const all = task.execution?.artifacts ?? [];
  const groups: [string, Artifact[]][] = [
    ['Output artifacts', all.filter((a) => a.mode !== 'input')],
    ['Input artifacts', all.filter((a) => a.mode === 'input')],
  ];
  return (
    <div className="tab-body">
      {all.length === 0 && <p className="muted">This experiment has no artifacts.</p>}
      {groups.filter(([, list]) => list.length > 0).map(([title, list]) => (
        <Section key={title} title={title}>
          {list.map((a) => <ArtifactCard key={`${a.mode}/${a.key}`} a={a} />)}
        </Section>
      ))}
    </div>
  );
}
