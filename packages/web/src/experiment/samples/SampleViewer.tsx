import { useEffect } from 'react';
import { useSignedUrl } from '../../api/signed-urls';
import { FileImage } from '../../ui/FileImage';
import { isImage, type SampleSeries } from './samples';

/**
 * One sample at full size over the page, with its neighbours one key press away:
 * ← and → step through the variant's iterations, Escape closes.
 */
export function SampleViewer({ series, index, onIndex, onClose }: { series: SampleSeries; index: number; onIndex: (i: number) => void; onClose: () => void }) {
  const sample = series.samples[index];
  const last = series.samples.length - 1;
  const url = useSignedUrl(sample.url);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
      else if (e.key === 'ArrowLeft' && index > 0) onIndex(index - 1);
      else if (e.key === 'ArrowRight' && index < last) onIndex(index + 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [index, last, onIndex, onClose]);
  return (
    <div className="backdrop viewer-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="sample-viewer" role="dialog" aria-label={`${series.metric} / ${series.variant}`}>
        <div className="viewer-head">
          <strong>{series.metric} / {series.variant}</strong>
          <span className="muted">iteration {sample.iter}</span>
          <span className="grow" />
          <button type="button" disabled={index === 0} onClick={() => onIndex(index - 1)} aria-label="Previous iteration">←</button>
          <button type="button" disabled={index === last} onClick={() => onIndex(index + 1)} aria-label="Next iteration">→</button>
          <a className="button" href={url} target="_blank" rel="noreferrer">Open original</a>
          <button type="button" onClick={onClose} aria-label="Close">×</button>
        </div>
        <div className="viewer-body">
          {isImage(sample.url)
            ? url && <FileImage src={url} alt={`${series.metric} / ${series.variant} at iteration ${sample.iter}`} />
            : <a href={url} target="_blank" rel="noreferrer">{sample.url}</a>}
        </div>
      </div>
    </div>
  );
}
