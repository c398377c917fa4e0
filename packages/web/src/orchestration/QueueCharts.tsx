import { useMemo } from 'react';
import { colorAt } from '../compare/colors';
import { LineChart, type LineSeries } from '../compare/LineChart';
import { formatDuration } from '../ui/format';
import { useLoad } from '../ui/useLoad';
import { loadQueueMetrics, type QueueEx } from './queues-api';
import type { TimeWindow } from './time-range';
import { useEvery } from './useEvery';

/** Under a minute with one decimal, so that ticks 0.5 s apart do not both read "1s". */
const waitText = (seconds: number) => (seconds < 60 ? `${Number(seconds.toFixed(1))}s` : formatDuration(seconds));
const countText = (n: number) => (Number.isInteger(n) ? String(n) : '');

/** Each queue's mean waiting time and length over the window, one line per queue. */
export function QueueCharts({ queues, window }: { queues: readonly QueueEx[]; window: TimeWindow }) {
  const ids = queues.map((q) => q.id);
  // A queue that grew or shrank has a new point at its end.
  const lengths = queues.map((q) => q.entries.length).join(',');
  const metrics = useLoad(() => loadQueueMetrics(ids, window), [ids.join(','), window.id, lengths]);
  // A minute is the finest bucket worth redrawing for; redrawing also resets a zoom.
  useEvery(60_000, metrics.reload);
  const nameKey = queues.map((q) => `${q.id}:${q.name}`).join(',');
  const charts = useMemo(() => {
    const names = new Map(queues.map((q, i) => [q.id, { name: q.name, color: colorAt(i) }]));
    const line = (values: (s: { avg_waiting_times: number[]; queue_lengths: number[] }) => number[]) =>
      (metrics.data ?? []).flatMap((s): LineSeries[] => {
        const q = names.get(s.queue);
        return q ? [{ label: q.name, color: q.color, x: s.dates, y: values(s) }] : [];
      });
    return { wait: line((s) => s.avg_waiting_times), length: line((s) => s.queue_lengths) };
  }, [metrics.data, nameKey]);

  if (metrics.error) return <p className="form-error" role="alert">Could not load the queue history: {metrics.error.message}</p>;
  if (!metrics.data) return <p className="muted">Loading the queue history…</p>;
  return (
    <div className="lchart-grid">
      <LineChart title="Mean waiting time" series={charts.wait} time xLabel="Time" formatY={waitText} height={200} />
      <LineChart title="Queue length" series={charts.length} time xLabel="Time" formatY={countText} height={200} />
    </div>
  );
}
