import { formatDuration, formatNumber } from '../../ui/format';
import type { XAxis } from './series';

const LABEL: Record<XAxis, string> = { iter: 'iteration', wall: 'time', relative: 'time since start' };

export const xAxisLabel = (axis: XAxis): string => LABEL[axis];

/**
 * An x value in chart units as the user reads it: an iteration, a clock time, or a
 * duration. `step` (the distance between axis ticks) sets how many decimals of a second
 * a short duration needs for neighbouring ticks to differ.
 */
export function formatX(x: number, axis: XAxis, step = 0.001): string {
  if (axis === 'iter') return formatNumber(Math.round(x));
  if (axis === 'relative') {
    if (Math.abs(x) < 60) {
      const decimals = Math.min(6, Math.max(0, -Math.floor(Math.log10(step))));
      return `${formatNumber(Number(x.toFixed(decimals)))}s`;
    }
    return x < 0 ? `-${formatDuration(-x)}` : formatDuration(x);
  }
  return new Date(x * 1000).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}
