/**
 * Column ids as they appear in the URL: `status`, `name`, … for the fixed columns,
 * `p.<section>.<name>` for a hyperparameter and `m.<metric>.<variant>` for the last
 * value of a metric. Parts are %-escaped so that dots and commas inside names survive.
 */
export type Added = { kind: 'param'; section: string; name: string } | { kind: 'metric'; metric: string; variant: string };

const enc = (s: string) => encodeURIComponent(s).replace(/\./g, '%2E');

export function paramKey(section: string, name: string): string {
  return `p.${enc(section)}.${enc(name)}`;
}

export function metricKey(metric: string, variant: string): string {
  return `m.${enc(metric)}.${enc(variant)}`;
}

export function parseAdded(key: string): Added | null {
  const m = /^([pm])\.([^.]*)\.([^.]*)$/.exec(key);
  if (!m) return null;
  let a: string;
  let b: string;
  try {
    a = decodeURIComponent(m[2]);
    b = decodeURIComponent(m[3]);
  } catch {
    return null;
  }
  return m[1] === 'p' ? { kind: 'param', section: a, name: b } : { kind: 'metric', metric: a, variant: b };
}

/** Escapes a list item for a comma-separated URL parameter. */
export const encItem = (s: string) => encodeURIComponent(s).replace(/%20/g, ' ');
export const decItem = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};
