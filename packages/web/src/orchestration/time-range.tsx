/**
 * The time windows the orchestration charts offer, each with a bucket size that gives a
 * chart about a hundred points. Workers report statistics at best every 40 s, the finest
 * bucket the server gives for them.
 */
export interface TimeWindow {
  id: string;
  label: string;
  seconds: number;
  interval: number;
}

export const WINDOWS: readonly TimeWindow[] = [
  { id: '10m', label: 'Last 10 minutes', seconds: 600, interval: 40 },
  { id: '1h', label: 'Last hour', seconds: 3600, interval: 60 },
  { id: '6h', label: 'Last 6 hours', seconds: 6 * 3600, interval: 300 },
  { id: '1d', label: 'Last day', seconds: 86400, interval: 900 },
  { id: '7d', label: 'Last week', seconds: 7 * 86400, interval: 2 * 3600 },
];

export const windowById = (id: string | null, fallback = '1h'): TimeWindow =>
  WINDOWS.find((w) => w.id === id) ?? WINDOWS.find((w) => w.id === fallback)!;

/**
 * `from_date`, `to_date` (epoch seconds) and `interval` of a statistics request ending now;
 * rounded up, so that what happened in the current second is in.
 */
export function rangeBody(w: TimeWindow, nowMs = Date.now()): { from_date: number; to_date: number; interval: number } {
  const to = Math.ceil(nowMs / 1000);
  return { from_date: to - w.seconds, to_date: to, interval: w.interval };
}

export function WindowSelect({ value, onChange }: { value: TimeWindow; onChange: (w: TimeWindow) => void }) {
  return (
    <select aria-label="Time range" value={value.id} onChange={(e) => onChange(windowById(e.target.value))}>
      {WINDOWS.map((w) => <option key={w.id} value={w.id}>{w.label}</option>)}
    </select>
  );
}
