/**
 * Exponential moving average with the start-up bias removed (as TensorBoard smooths),
 * so the first points are not dragged towards zero. `weight` in [0, 1): 0 leaves the
 * values as they are. Nulls (gaps, or values a log scale cannot show) stay null and do
 * not break the average.
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return values.slice();
  const out: (number | null)[] = new Array(values.length);
  let acc = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    acc = acc * weight + (1 - weight) * v;
    n++;
    out[i] = acc / (1 - weight ** n);
  }
  return out;
}
