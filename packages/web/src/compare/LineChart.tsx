import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber } from '../ui/format';

/** One line of a chart. Its x values must ascend. */
export interface LineSeries {
  label: string;
  /** `#rrggbb`: the band beside the line is this colour made translucent */
  color: string;
  dash?: number[];
  x: readonly number[];
  y: readonly number[];
  /**
   * The lowest and highest value behind each point where the server merged points into
   * buckets: drawn as a faint band so that a spike a bucket hides stays visible.
   */
  band?: { min: readonly number[]; max: readonly number[] };
}

interface Props {
  title: string;
  series: readonly LineSeries[];
  /** x values are epoch milliseconds */
  time?: boolean;
  /** x values are whole numbers (iterations): no ticks between them */
  integerX?: boolean;
  xLabel?: string;
  height?: number;
  formatY?: (v: number) => string;
}

/** Columns of the joined data that belong to each series. */
interface Columns {
  y: number;
  band?: [number, number];
}

function joinSeries(series: readonly LineSeries[], time: boolean): { data: uPlot.AlignedData; cols: Columns[] } {
  const scale = time ? 1 / 1000 : 1;
  const tables = series.map((s) => {
    const x = s.x.map((v) => v * scale);
    return (s.band ? [x, [...s.y], [...s.band.min], [...s.band.max]] : [x, [...s.y]]) as uPlot.AlignedData;
  });
  let next = 1;
  const cols = series.map((s) => {
    const c: Columns = { y: next++ };
    if (s.band) {
      c.band = [next, next + 1];
      next += 2;
    }
    return c;
  });
  return { data: tables.length > 0 ? uPlot.join(tables) : [[]], cols };
}

/** 1, 2, 5, 10, 20, 50, … up to 5e15: tick steps for an axis of whole numbers. */
const INTEGER_STEPS = Array.from({ length: 48 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

function xText(v: number | null | undefined, time: boolean): string {
  if (v === null || v === undefined) return '';
  return time ? new Date(v * 1000).toLocaleString() : formatNumber(v);
}

/**
 * A uPlot line chart with its legend beside it in the page: the legend names every line,
 * shows its value under the cursor (its latest value otherwise), and a click on a name
 * hides or shows that line.
 * Dragging across the plot zooms in; a double click zooms back out.
 */
export function LineChart({ title, series, time = false, integerX = false, xLabel, height = 220, formatY = formatNumber }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  const [joined, setJoined] = useState<{ data: uPlot.AlignedData; cols: Columns[] } | null>(null);

  useEffect(() => {
    const el = box.current!;
    const { data, cols } = joinSeries(series, time);
    const axis = { stroke: '#6b7483', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6eb' } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      scales: { x: { time } },
      axes: [
        { ...axis, label: xLabel, labelSize: xLabel ? 18 : 0, ...(integerX ? { incrs: INTEGER_STEPS } : {}) },
        { ...axis, size: 64, values: (_u, vals) => vals.map((v) => formatY(v)) },
      ],
      series: [
        {},
        ...series.flatMap((s) => {
          const line: uPlot.Series = { label: s.label, stroke: s.color, width: 1.5, dash: s.dash, spanGaps: true };
          const edge: uPlot.Series = { stroke: 'transparent', spanGaps: true, points: { show: false } };
          return s.band ? [line, edge, edge] : [line];
        }),
      ],
      bands: series.flatMap((s, i) => (s.band ? [{ series: [cols[i].band![1], cols[i].band![0]] as [number, number], fill: `${s.color}22` }] : [])),
      cursor: { points: { size: 6 } },
      hooks: { setCursor: [(u) => setCursor(u.cursor.idx ?? null)] },
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    setJoined({ data, cols });
    setHidden(new Set());
    setCursor(null);
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [series, time, integerX, height, xLabel, formatY]);

  const toggle = (i: number) => {
    const u = plot.current;
    if (!u || !joined) return;
    const show = hidden.has(i);
    const c = joined.cols[i];
    for (const col of [c.y, ...(c.band ?? [])]) u.setSeries(col, { show });
    setHidden((prev) => {
      const next = new Set(prev);
      if (show) next.delete(i);
      else next.add(i);
      return next;
    });
  };

  /** The value under the cursor; away from the plot, the line's latest value. */
  const valueAt = (i: number): string => {
    const y = series[i].y;
    const v = cursor === null || !joined ? y[y.length - 1] : joined.data[joined.cols[i].y][cursor];
    return typeof v === 'number' ? formatY(v) : '';
  };

  return (
    <figure className="lchart" aria-label={title}>
      <figcaption className="lchart-title">
        <span>{title}</span>
        {cursor !== null && joined && <span className="muted lchart-at">{xLabel ?? 'x'} {xText(joined.data[0][cursor], time)}</span>}
      </figcaption>
      <div className="lchart-plot" ref={box} />
      <ul className="lchart-legend" aria-label={`${title} legend`}>
        {series.map((s, i) => (
          <li key={i}>
            <button type="button" className={hidden.has(i) ? 'lchart-item off' : 'lchart-item'} aria-pressed={!hidden.has(i)} onClick={() => toggle(i)}
              title={hidden.has(i) ? 'Show this line' : 'Hide this line'}>
              <span className="lchart-swatch" style={{ borderColor: s.color, borderStyle: s.dash ? 'dashed' : 'solid' }} />
              <span className="lchart-label">{s.label}</span>
              <span className="lchart-value">{valueAt(i)}</span>
            </button>
          </li>
        ))}
      </ul>
    </figure>
  );
}
