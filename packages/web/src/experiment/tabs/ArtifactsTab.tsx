import { useSignedUrl } from '../../api/signed-urls';
import { formatDate } from '../../ui/format';
import { Section } from '../Fields';
import { downloadUrl, fileName, formatBytes, isWebUrl } from '../links';
import type { Artifact, TaskDetail } from '../types';

function ArtifactCard({ a }: { a: Artifact }) {
  const preview = a.type_data?.preview;
  const href = useSignedUrl(a.uri && isWebUrl(a.uri) ? downloadUrl(a.uri) : undefined);
  return (
    <div className="artifact" data-artifact={a.key}>
      <div className="artifact-head">
        <strong>{a.key}</strong>
        <span className="tag tag-muted">{a.type}</span>
        <span className="muted">{formatBytes(a.content_size)}</span>
        {a.timestamp !== undefined && <span className="muted">{formatDate(new Date(a.timestamp * 1000).toISOString())}</span>}
        <span className="grow" />
        {isWebUrl(a.uri)
          ? <a className="button" href={href} aria-disabled={!href} download={fileName(a.uri)} aria-label={`Download ${a.key}`}>Download</a>
          : a.uri && <span className="muted" title="Stored where the browser cannot fetch it">{a.uri}</span>}
      </div>
      {a.hash && <div className="muted artifact-hash">Hash <code>{a.hash}</code></div>}
      {a.uri && isWebUrl(a.uri) && <div className="artifact-uri"><code>{a.uri}</code></div>}
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
