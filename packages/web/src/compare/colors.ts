/**
 * Colours that stay apart from each other on a white chart, one per compared experiment
 * (at most 20), and a ramp for a numeric value (low = blue, high = red).
 */
export const PALETTE = [
  '#2f6fed', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0c8599', '#f08c00', '#5c940d', '#862e9c', '#e03131',
  '#1864ab', '#a61e4d', '#087f5b', '#d9480f', '#495057', '#9c36b5', '#74b816', '#364fc7', '#c92a2a', '#0b7285',
];

export const colorAt = (i: number): string => PALETTE[i % PALETTE.length];

const RAMP: [number, number, number][] = [
  [49, 54, 149], [69, 117, 180], [116, 173, 209], [171, 217, 233], [253, 174, 97], [244, 109, 67], [215, 48, 39],
];

/** The ramp colour of `t` in [0, 1]. */
export function rampColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]];
  const mix = (k: number) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** A CSS gradient of the ramp, for the colour bar beside a chart. */
export const RAMP_GRADIENT = `linear-gradient(to top, ${RAMP.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`).join(', ')})`;
