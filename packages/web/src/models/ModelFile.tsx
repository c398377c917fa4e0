import { fileName, isFetchable } from '../experiment/links';
import { CopyBlock } from '../ui/CopyBlock';
import { useDownload } from '../ui/useDownload';

/**
 * Where the weights are. A file-server or `s3://` URL gets a download link (S3 objects
 * come through the server, with its credentials); other schemes (file://) the browser
 * cannot fetch, so the URL is there to copy.
 */
export function ModelFile({ uri }: { uri: string | undefined }) {
  const download = useDownload(isFetchable(uri) ? uri : undefined);
  return (
    <section className="panel" aria-label="Model file">
      <h2>File</h2>
      {!uri && <p className="muted">No file was stored with this model.</p>}
      {uri && (
        <>
          <CopyBlock label="URL" text={uri} />
          <p>
            {isFetchable(uri)
              ? <a className="button" href={download.href} aria-disabled={!download.href} download={fileName(uri)} onClick={download.onClick}>Download {fileName(uri)}</a>
              : <span className="muted">The browser cannot fetch this location; download it with the SDK or the storage's own tools.</span>}
          </p>
          {download.problem && <p className="form-error" role="alert">Could not download {fileName(uri)}: {download.problem}</p>}
        </>
      )}
    </section>
  );
}
