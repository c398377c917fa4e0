import { useMemo } from 'react';
import { LineChart } from '../compare/LineChart';
import { useLoad } from '../ui/useLoad';
import type { TimeWindow } from './time-range';
import { useEvery } from './useEvery';
import { workerCharts } from './worker-charts';
import { loadMetricKeys, loadWorkerStats } from './workers-api';

/** The worker's machine statistics over the window: CPU, memory, GPUs, network, disk. */
export function WorkerCharts({ worker, window }: { worker: string; window: TimeWindow }) {
  const stats = useLoad(async () => {
    const keys = await loadMetricKeys(worker);
    return { keys, series: await loadWorkerStats(worker, keys, window) };
  }, [worker, window.id]);
  useEvery(60_000, stats.reload);
  const charts = useMemo(() => workerCharts(stats.data?.series ?? []), [stats.data]);

  if (stats.error) return <p className="form-error" role="alert">Could not load the statistics of {worker}: {stats.error.message}</p>;
  if (!stats.data) return <p className="muted">Loading statistics…</p>;
  if (stats.data.keys.length === 0) return <p className="muted">{worker} has reported no machine statistics.</p>;
  if (charts.length === 0) return <p className="muted">{worker} reported nothing in this time range.</p>;
  return (
    <div className="lchart-grid">
      {charts.map((c) => <LineChart key={c.title} title={c.title} series={c.series} time xLabel="Time" height={180} />)}
    </div>
  );
}
