import { useEffect, useRef, useState } from 'react';
import type { Figure } from './figure';

type PlotlyModule = typeof import('plotly.js-dist-min')['default'];

/** Plotly is large: it is fetched, once, the first time a figure needs it. */
let loading: Promise<PlotlyModule> | null = null;
const loadPlotly = () => (loading ??= import('plotly.js-dist-min').then((m) => m.default));

/** Axis keys of a layout: xaxis, yaxis2, …; a 3-D scene holds its own. */
const AXIS = /^[xyz]axis\d*$/;

/** Plotly 3 dropped plain-string titles, which the SDK still writes: `"x"` becomes `{text: "x"}`. */
function withTitleObjects(container: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...container };
  for (const [k, v] of Object.entries(container)) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
    if (AXIS.test(k)) {
      const axis = v as Record<string, unknown>;
      out[k] = typeof axis.title === 'string' ? { ...axis, title: { text: axis.title } } : axis;
    } else if (k.startsWith('scene')) {
      out[k] = withTitleObjects(v as Record<string, unknown>);
    }
  }
  return out;
}

/**
 * The SDK's layouts carry fixed sizes and titles meant for ClearML's own page; the card
 * already names the plot, so the figure fills its card instead.
 */
function fitLayout(layout: Record<string, unknown>): Record<string, unknown> {
  const { width: _w, height: _h, title: _t, ...rest } = withTitleObjects(layout);
  return { ...rest, autosize: true, height: 340, margin: { l: 56, r: 20, t: 16, b: 44 } };
}

/** One reported Plotly figure, drawn by Plotly itself. */
export function PlotlyFigure({ figure, source, label }: { figure: Figure; source: string; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    let live = true;
    const div = el.current!;
    let plotly: PlotlyModule | null = null;
    loadPlotly()
      .then((P) => {
        if (!live) return;
        plotly = P;
        return P.newPlot(div, figure.data as never, fitLayout(figure.layout) as never, { responsive: true, displaylogo: false });
      })
      .then(() => {
        if (!live) return;
        div.setAttribute('data-rendered', 'plotly');
        setDrawn(true);
      })
      .catch((err: Error) => live && setError(err.message));
    return () => {
      live = false;
      plotly?.purge(div);
    };
  }, [source]);
  return (
    <>
      {/* Plotly's first fetch takes seconds on a slow link: say so rather than show an empty box. */}
      {!drawn && !error && <p className="muted plot-loading" role="status">Loading the chart…</p>}
      <div ref={el} className="plotly-figure" aria-label={label} />
      {error && <p className="form-error" role="alert">Could not draw this figure: {error}</p>}
    </>
  );
}
