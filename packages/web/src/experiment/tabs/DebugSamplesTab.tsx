import { useState } from 'react';
import { useSignedUrl } from '../../api/signed-urls';
import { FileImage } from '../../ui/FileImage';
import { useLoad } from '../../ui/useLoad';
import { SampleViewer } from '../samples/SampleViewer';
import { fetchSamples, isImage, type SampleSeries } from '../samples/samples';
import type { TaskDetail } from '../types';

/**
 * A variant's sample at one iteration, with a slider over its iterations. Until the
 * user moves the slider it follows the newest iteration, also while the run goes on.
 */
function SampleCard({ series, onOpen }: { series: SampleSeries; onOpen: (index: number) => void }) {
  const [picked, setPicked] = useState<number | null>(null);
  const last = series.samples.length - 1;
  const index = picked === null ? last : Math.min(picked, last);
  const sample = series.samples[index];
  const label = `${series.metric} / ${series.variant}`;
  const src = useSignedUrl(isImage(sample.url) ? sample.url : undefined);
  return (
    <figure className="sample-card" data-sample={label}>
      <figcaption className="chart-head">
        <strong>{series.variant}</strong>
        <span className="grow" />
        <span className="muted" data-iteration={sample.iter}>iteration {sample.iter}</span>
      </figcaption>
      <button type="button" className="sample-thumb" onClick={() => onOpen(index)} aria-label={`Open ${label} at iteration ${sample.iter}`}>
        {isImage(sample.url) ? src && <FileImage src={src} alt={`${label} at iteration ${sample.iter}`} lazy /> : <span className="sample-file">{sample.url.split('/').pop()}</span>}
      </button>
      {last > 0 && (
        <input type="range" min={0} max={last} value={index} aria-label={`Iteration of ${label}`}
          onChange={(e) => setPicked(Number(e.target.value))} />
      )}
    </figure>
  );
}

/** The debug samples as a grid per metric and variant, each opening full size. */
export function DebugSamplesTab({ task, version, emptyText = 'No debug samples reported yet.' }: { task: TaskDetail; version: number; emptyText?: string }) {
  const samples = useLoad(() => fetchSamples(task.id), [task.id, version]);
  const [open, setOpen] = useState<{ metric: string; variant: string; index: number } | null>(null);
  if (samples.error) return <p className="form-error" role="alert">Could not load the debug samples: {samples.error.message}</p>;
  if (!samples.data) return <p className="muted">Loading…</p>;
  if (samples.data.length === 0) return <p className="muted">{emptyText}</p>;
  const openSeries = open && samples.data.find(([m]) => m === open.metric)?.[1].find((s) => s.variant === open.variant);
  return (
    <div className="tab-body">
      {samples.data.map(([metric, list]) => (
        <section key={metric} className="exp-section" aria-label={`Debug samples ${metric}`}>
          <h2>{metric}</h2>
          <div className="sample-grid">
            {list.map((s) => <SampleCard key={s.variant} series={s} onOpen={(index) => setOpen({ metric, variant: s.variant, index })} />)}
          </div>
        </section>
      ))}
      {open && openSeries && (
        <SampleViewer series={openSeries} index={Math.min(open.index, openSeries.samples.length - 1)}
          onIndex={(index) => setOpen({ ...open, index })} onClose={() => setOpen(null)} />
      )}
    </div>
  );
}
