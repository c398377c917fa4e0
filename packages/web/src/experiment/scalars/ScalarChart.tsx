import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber } from '../../ui/format';
import { alignedData, lineIndex, LINES_PER_VARIANT, MAX, MIN, RAW, SMOOTH, toServerRange, type DisplayOptions } from './chart-data';
import { colorOf, withAlpha } from './colors';
import { fetchChart, type Bucketed, type ServerRange, type XAxis } from './series';
import { formatX, xAxisLabel } from './x-format';

const HEIGHT = 240;
/** Buckets are asked per 100 px of width, so a small resize does not fetch again. */
const bucketsFor = (width: number) => Math.max(200, Math.ceil(width / 100) * 100);
/** A zoomed fetch reaches a little past the edges, so lines run to the frame. */
const MARGIN = 0.02;

export interface ChartProps extends Omit<DisplayOptions, 'log'> {
  task: string;
  metric: string;
  variants: readonly string[];
  log: boolean;
  /** moves when the experiment reported something new */
  version: number;
}

function makeOptions(p: ChartProps, width: number, hidden: ReadonlySet<string>, hooks: {
  onZoom: (r: ServerRange) => void;
  onReset: () => void;
  onCursor: (idx: number | null) => void;
  onDraw: (points: number) => void;
  smoothing: () => number;
}): uPlot.Options {
  const series: uPlot.Series[] = [{}];
  p.variants.forEach((v, k) => {
    const color = colorOf(k);
    const show = !hidden.has(v);
    const edge: uPlot.Series = { stroke: 'transparent', width: 0, points: { show: false }, show, spanGaps: true };
    series.push(
      { ...edge, label: `${v} min` },
      { ...edge, label: `${v} max` },
      { label: v, show, spanGaps: true, width: 1.5, stroke: () => (hooks.smoothing() > 0 ? withAlpha(color, 0.3) : color) },
      { label: `${v} smoothed`, show, spanGaps: true, width: 1.5, stroke: color, points: { show: false } },
    );
  });
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    scales: { x: { time: p.axis === 'wall' }, y: p.log ? { distr: 3, log: 10 } : {} },
    axes: [
      { values: p.axis === 'relative' ? (_u, splits, _i, _space, step) => splits.map((s) => formatX(s, 'relative', step)) : undefined, stroke: '#6b7483', grid: { stroke: '#eef0f3' } },
      { size: 64, stroke: '#6b7483', grid: { stroke: '#eef0f3' }, values: (_u, splits) => splits.map((s) => formatNumber(s)) },
    ],
    series,
    bands: p.variants.map((_, k) => ({ series: [lineIndex(k, MAX), lineIndex(k, MIN)] as [number, number], fill: withAlpha(colorOf(k), 0.14) })),
    cursor: {
      drag: { x: true, y: false, setScale: false },
      bind: { dblclick: () => () => (hooks.onReset(), null) },
    },
    hooks: {
      setSelect: [(u) => {
        const { left, width: w } = u.select;
        if (w < 4) return;
        const from = u.posToVal(left, 'x');
        const to = u.posToVal(left + w, 'x');
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        hooks.onZoom({ min: from, max: to });
      }],
      setCursor: [(u) => hooks.onCursor(u.cursor.idx ?? null)],
      draw: [(u) => hooks.onDraw(u.data[0]?.length ?? 0)],
    },
  };
}

/**
 * One metric's chart: every variant as a min–max band with its last value as a line,
 * fetched at about one bucket per pixel. Dragging zooms and fetches the visible range
 * at full resolution; a double click or "Reset zoom" goes back to the whole run.
 */
export function ScalarChart(p: ChartProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const figure = useRef<HTMLElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [width, setWidth] = useState(0);
  /** zoomed range in chart units */
  const [zoom, setZoom] = useState<ServerRange | null>(null);
  /** the last answer, with the axis it was asked for */
  const [fetched, setFetched] = useState<{ axis: XAxis; series: Bucketed[] } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState<number | null>(null);
  const [plotGen, setPlotGen] = useState(0);
  const smoothing = useRef(p.smoothing);
  smoothing.current = p.smoothing;
  const variantsKey = p.variants.join('\u0000');

  useLayoutEffect(() => {
    const el = wrap.current!;
    const measure = () => setWidth(Math.floor(el.clientWidth));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A new x axis has other units: the zoom does not carry over.
  useEffect(() => setZoom(null), [p.axis]);

  const buckets = bucketsFor(width);
  useEffect(() => {
    if (width === 0) return;
    let live = true;
    let range: ServerRange | undefined;
    if (zoom) {
      const pad = (zoom.max - zoom.min) * MARGIN;
      range = toServerRange({ min: zoom.min - pad, max: zoom.max + pad }, p.axis, p.t0);
    }
    fetchChart(p.task, p.metric, p.variants, p.axis, buckets, range).then(
      (series) => live && (setFetched({ axis: p.axis, series }), setError(null)),
      (err: Error) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [p.task, p.metric, variantsKey, p.axis, buckets, zoom?.min, zoom?.max, p.version, width === 0]);

  const hooks = useRef({
    onZoom: (r: ServerRange) => setZoom(r),
    onReset: () => setZoom(null),
    onCursor: (idx: number | null) => setCursor(idx),
    // Counts the draws that showed data, so that tests and the bench can tell when a chart is on screen.
    onDraw: (points: number) => {
      const el = figure.current;
      if (el && points > 0) el.dataset.drawn = String(Number(el.dataset.drawn ?? 0) + 1);
    },
    smoothing: () => smoothing.current,
  });

  // The plot is built again only when its axes or lines change; data changes reuse it.
  useEffect(() => {
    if (width === 0) return;
    const u = new uPlot(makeOptions(p, width, hidden, hooks.current), [[]], wrap.current!);
    plot.current = u;
    setPlotGen((g) => g + 1);
    return () => {
      u.destroy();
      plot.current = null;
    };
  }, [p.axis, p.log, variantsKey, width === 0]);

  useEffect(() => {
    plot.current?.setSize({ width, height: HEIGHT });
  }, [width]);

  // Points fetched for another x axis would land in the wrong units: they wait for their successor.
  const series = fetched && fetched.axis === p.axis ? fetched.series : null;
  useEffect(() => {
    const u = plot.current;
    if (!u || !series) return;
    u.setData(alignedData(series, { axis: p.axis, t0: p.t0, log: p.log, smoothing: p.smoothing }) as uPlot.AlignedData, !zoom);
    if (zoom) u.setScale('x', zoom);
  }, [series, p.smoothing, plotGen]);

  // Zooming in shows the coarse data at once; the finer answer replaces it when it comes.
  useEffect(() => {
    const u = plot.current;
    if (!u || !zoom) return;
    u.setScale('x', zoom);
  }, [zoom]);

  const toggle = (v: string) => {
    const next = new Set(hidden);
    if (next.has(v)) next.delete(v);
    else next.add(v);
    setHidden(next);
    const u = plot.current;
    const k = p.variants.indexOf(v);
    if (!u || k < 0) return;
    u.batch(() => {
      for (let line = 0; line < LINES_PER_VARIANT; line++) u.setSeries(lineIndex(k, line), { show: !next.has(v) });
    });
  };

  const data = plot.current?.data;
  const at = cursor !== null && data ? data[0][cursor] : null;
  const valueAt = (k: number) => {
    if (cursor === null || !data) return '';
    const v = data[lineIndex(k, p.smoothing > 0 ? SMOOTH : RAW)]?.[cursor];
    return v === null || v === undefined ? '' : formatNumber(v);
  };
  const points = series?.reduce((n, s) => n + s.total, 0) ?? 0;
  return (
    <figure className="scalar-chart" ref={figure} data-metric={p.metric} aria-label={`Chart ${p.metric}`}>
      <figcaption className="chart-head">
        <strong>{p.metric}</strong>
        {zoom && (
          <span className="chart-zoom">
            <span data-zoom>Zoomed to {xAxisLabel(p.axis)} {formatX(zoom.min, p.axis)} – {formatX(zoom.max, p.axis)}</span>
            <button type="button" className="link-button" onClick={() => setZoom(null)}>Reset zoom</button>
          </span>
        )}
        <span className="grow" />
        {at !== null && at !== undefined && <span className="muted chart-at">{xAxisLabel(p.axis)} {formatX(at, p.axis)}</span>}
      </figcaption>
      <div className="chart-canvas" ref={wrap} />
      {error && <p className="form-error" role="alert">Could not load {p.metric}: {error.message}</p>}
      {series && points === 0 && <p className="muted chart-empty">No points reported yet.</p>}
      <ul className="chart-legend" aria-label={`Legend of ${p.metric}`}>
        {p.variants.map((v, k) => (
          <li key={v}>
            <button type="button" className={hidden.has(v) ? 'legend-item off' : 'legend-item'} aria-pressed={!hidden.has(v)} onClick={() => toggle(v)}
              title={hidden.has(v) ? `Show ${v}` : `Hide ${v}`}>
              <span className="legend-swatch" style={{ background: colorOf(k) }} />
              <span className="legend-name">{v}</span>
              {cursor !== null && <span className="legend-value">{valueAt(k)}</span>}
            </button>
          </li>
        ))}
      </ul>
    </figure>
  );
}
