import { useSignedUrl } from '../api/signed-urls';
import { CopyBlock } from '../ui/CopyBlock';

/**
 * Where the weights are. A web URL (the file server's, most often) gets a download link;
 * other schemes (s3://, file://) the browser cannot fetch, so the URL is there to copy.
 */
export function ModelFile({ uri, download }: { uri: string | undefined; download?: { href: string; name: string } }) {
  const href = useSignedUrl(download?.href);
  return (
    <section className="panel" aria-label="Model file">
      <h2>File</h2>
      {!uri && <p className="muted">No file was stored with this model.</p>}
      {uri && (
        <>
          <CopyBlock label="URL" text={uri} />
          <p>
            {download
              ? <a className="button" href={href} aria-disabled={!href} download={download.name}>Download {download.name}</a>
              : <span className="muted">The browser cannot fetch this location; download it with the SDK or the storage's own tools.</span>}
          </p>
        </>
      )}
    </section>
  );
}
