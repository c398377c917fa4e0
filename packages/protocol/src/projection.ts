/** `only_fields` projection and `order_by` ordering for `*.get_all` (clearml-sdk-protocol.md §6.5). */

export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Keeps the dotted paths asked for, nested as in the source; `id` is always kept. As in
 * MongoDB, each object on the way to a path is kept even when the path's end is missing:
 * `runtime.version` of a task whose runtime is `{}` gives `runtime: {}` (the SDK's dataset
 * lookup reads `task.runtime.get("version")`).
 */
export function project<T extends { id: string }>(doc: T, onlyFields: readonly string[] | undefined): Partial<T> & { id: string } {
  if (!onlyFields || onlyFields.length === 0) return doc;
  const out: Record<string, unknown> = { id: doc.id };
  for (const path of onlyFields) {
    if (typeof path !== 'string' || path === '') continue;
    const parts = path.split('.');
    let source: unknown = doc;
    let target = out;
    for (let i = 0; i < parts.length; i++) {
      if (!isPlainObject(source)) break;
      const value = source[parts[i]];
      if (value === undefined) break;
      if (i === parts.length - 1) {
        target[parts[i]] = value;
        break;
      }
      // a whole subtree already kept (`runtime` and `runtime.version` both asked for)
      if (!isPlainObject(value) || target[parts[i]] === value) break;
      if (!isPlainObject(target[parts[i]])) target[parts[i]] = {};
      target = target[parts[i]] as Record<string, unknown>;
      source = value;
    }
  }
  return out as Partial<T> & { id: string };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Hyper-parameter values are strings on the wire; two that both read as numbers sort as numbers ("9" < "10"). */
function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && NUMERIC.test(v) ? Number(v) : null;
}

export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== null && nb !== null) return na - nb;
  if (Array.isArray(a) || Array.isArray(b)) return String(a).localeCompare(String(b));
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** A comparator for `order_by` (`-` prefix = descending), with `id` as the final tie-breaker. */
export function orderComparator(orderBy: readonly string[] | undefined): (a: object, b: object) => number {
  const keys = (orderBy ?? []).filter((k) => typeof k === 'string' && k !== '').map((k) =>
    k.startsWith('-') ? { path: k.slice(1), dir: -1 } : { path: k.replace(/^\+/, ''), dir: 1 },
  );
  if (!keys.some((k) => k.path === 'id')) keys.push({ path: 'id', dir: 1 });
  return (a, b) => {
    for (const k of keys) {
      const c = compareValues(getPath(a, k.path), getPath(b, k.path));
      if (c !== 0) return c * k.dir;
    }
    return 0;
  };
}
