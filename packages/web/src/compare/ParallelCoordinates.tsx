import { useLayoutEffect, useRef, useState } from 'react';
import { formatNumber } from '../ui/format';
import { rampColor, RAMP_GRADIENT } from './colors';
import { polylinePath, scaleAxis, type Axis } from './parallel';

const HEIGHT = 380;
const PAD = { top: 44, bottom: 24, left: 70, right: 110 };
const NO_VALUE = '#b8bec9';

/**
 * One vertical axis per hyperparameter plus the chosen metric on the right, one line per
 * experiment through its values, coloured by its metric value (blue low, red high).
 * Hovering a line brings it forward and names the experiment.
 */
export function ParallelCoordinates({ axes, metric, names }: { axes: readonly Axis[]; metric: Axis; names: readonly string[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = box.current!;
    const measure = () => setWidth(Math.max(360, el.clientWidth));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const scaled = [...axes, metric].map((a) => scaleAxis(a, formatNumber));
  const metricAxis = scaled[scaled.length - 1];
  const metricNums = metric.values.filter((v): v is number => typeof v === 'number');
  const [lo, hi] = [Math.min(...metricNums), Math.max(...metricNums)];
  const colorOf = (i: number) => {
    const v = metric.values[i];
    if (typeof v !== 'number') return NO_VALUE;
    return rampColor(hi > lo ? (v - lo) / (hi - lo) : 0.5);
  };

  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const xOf = (k: number) => PAD.left + (scaled.length > 1 ? (plotW * k) / (scaled.length - 1) : plotW / 2);
  const yOf = (at: number) => PAD.top + plotH * (1 - at);
  const order = names.map((_, i) => i).filter((i) => i !== hover);
  if (hover !== null) order.push(hover);

  return (
    <div className="parallel" ref={box}>
      <svg width={width} height={HEIGHT} role="img" aria-label={`Parallel coordinates of ${axes.map((a) => a.label).join(', ')} against ${metric.label}`}>
        {order.map((i) => {
          const points = scaled.map((a, k) => (a.positions[i] === undefined ? undefined : { x: xOf(k), y: yOf(a.positions[i]!) }));
          const faded = hover !== null && hover !== i;
          const value = metric.values[i];
          return (
            <g key={i} className="parallel-line" data-experiment={names[i]} opacity={faded ? 0.25 : 1}
              onMouseEnter={() => setHover(i)} onMouseLeave={() => setHover(null)}>
              <title>{`${names[i]}: ${metric.label} ${typeof value === 'number' ? formatNumber(value) : 'not reported'}`}</title>
              <path d={polylinePath(points)} fill="none" stroke={colorOf(i)} strokeWidth={hover === i ? 3.5 : 2} />
              {/* A wide invisible twin makes the thin line easy to point at. */}
              <path d={polylinePath(points)} fill="none" stroke="transparent" strokeWidth={12} />
              {points.map((p, k) => p && <circle key={k} cx={p.x} cy={p.y} r={hover === i ? 4 : 3} fill={colorOf(i)} />)}
            </g>
          );
        })}
        {scaled.map((a, k) => (
          <g key={a.key} className="parallel-axis" transform={`translate(${xOf(k)},0)`}>
            <line y1={PAD.top} y2={PAD.top + plotH} stroke="#8a93a3" />
            <text y={PAD.top - 26} textAnchor="middle" className="parallel-axis-label">{a.label}{a.log ? ' (log)' : ''}</text>
            {a.ticks.map((t, j) => (
              <g key={j} transform={`translate(0,${yOf(t.at)})`}>
                <line x1={-4} x2={0} stroke="#8a93a3" />
                <text x={-7} dy="0.32em" textAnchor="end" className="parallel-tick">{t.text}</text>
              </g>
            ))}
          </g>
        ))}
        {metricNums.length > 0 && (
          <foreignObject x={width - PAD.right + 40} y={PAD.top} width={60} height={plotH}>
            <div className="colorbar">
              <span>{formatNumber(hi)}</span>
              <div className="colorbar-ramp" style={{ background: RAMP_GRADIENT }} />
              <span>{formatNumber(lo)}</span>
            </div>
          </foreignObject>
        )}
      </svg>
      <p className="parallel-hover muted">
        {hover === null
          ? 'Point at a line to see its experiment.'
          : <><strong>{names[hover]}</strong>: {metricAxis.label} {typeof metric.values[hover] === 'number' ? formatNumber(metric.values[hover] as number) : 'not reported'}</>}
      </p>
    </div>
  );
}
