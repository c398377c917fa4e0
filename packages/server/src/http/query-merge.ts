/**
 * Query-string parameters are merged into the body the way ClearML does: repeated
 * keys become arrays, and numeric or boolean strings become numbers and booleans.
 */
function coerce(v: string): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v !== '' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

export function parseQuery(search: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, raw] of new URLSearchParams(search)) {
    const v = coerce(raw);
    if (!(k in out)) out[k] = v;
    else if (Array.isArray(out[k])) (out[k] as unknown[]).push(v);
    else out[k] = [out[k], v];
  }
  return out;
}
