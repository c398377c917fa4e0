import { colorAt } from '../compare/colors';
import type { LineSeries } from '../compare/LineChart';
import type { StatSeries } from './workers-api';

/**
 * Which of an agent's statistics share a chart, in the units agents report them (MB,
 * MB/s, percent, °C). A statistic no chart names gets a chart of its own.
 */
interface ChartSpec {
  title: string;
  /** statistic name → what its line is called */
  lines: Record<string, string>;
}

const SPECS: readonly ChartSpec[] = [
  { title: 'CPU usage (%)', lines: { cpu_usage: 'CPU' } },
  { title: 'Memory (MB)', lines: { memory_used: 'used', memory_free: 'free' } },
  { title: 'GPU usage (%)', lines: { gpu_usage: 'usage' } },
  { title: 'GPU memory (MB)', lines: { gpu_memory_used: 'used', gpu_memory_free: 'free' } },
  { title: 'GPU temperature (°C)', lines: { gpu_temperature: 'temperature' } },
  { title: 'CPU temperature (°C)', lines: { cpu_temperature: 'temperature' } },
  { title: 'Network (MB/s)', lines: { network_rx: 'received', network_tx: 'sent' } },
  { title: 'Disk (MB/s)', lines: { disk_read: 'read', disk_write: 'written' } },
  { title: 'Free disk space (%)', lines: { disk_free_home: 'home', disk_free_percent: 'free' } },
];

export interface WorkerChart {
  title: string;
  series: LineSeries[];
}

const lineLabel = (name: string, s: StatSeries) => (s.device === undefined ? name : `GPU ${s.device} ${name}`);

export function workerCharts(stats: readonly StatSeries[]): WorkerChart[] {
  const known = new Set(SPECS.flatMap((c) => Object.keys(c.lines)));
  const specs = [
    ...SPECS,
    ...[...new Set(stats.map((s) => s.metric))].filter((m) => !known.has(m)).sort().map((m) => ({ title: m, lines: { [m]: m } })),
  ];
  return specs.flatMap((spec) => {
    const mine = Object.keys(spec.lines).flatMap((metric) => stats.filter((s) => s.metric === metric));
    if (mine.length === 0) return [];
    return [{
      title: spec.title,
      series: mine.map((s, i) => ({ label: lineLabel(spec.lines[s.metric], s), color: colorAt(i), x: s.dates, y: s.values })),
    }];
  });
}
