/** Distinct line colours, in the order variants take them. */
const PALETTE = ['#2f6fed', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0c8599', '#e67700', '#5c940d', '#862e9c', '#495057'];

export const colorOf = (index: number): string => PALETTE[index % PALETTE.length];

/** The colour with an alpha, for bands and faded raw lines behind a smoothed one. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
