import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

export class TemplateError extends Error {}

/**
 * A pod template file (YAML or JSON): a Pod, or only its `spec`. What `kubectl` would
 * take as a Pod is what the glue takes: the same file can be tried with
 * `kubectl create --dry-run=server -f`.
 */
export function loadPodTemplate(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TemplateError(`cannot read the pod template ${path}: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new TemplateError(`the pod template ${path} is not a mapping`);
  const t = doc as Record<string, unknown>;
  if (t.kind !== undefined && t.kind !== 'Pod') throw new TemplateError(`the pod template ${path} is a ${String(t.kind)}, not a Pod`);
  if (t.spec === undefined && t.metadata === undefined && (t.containers !== undefined || t.nodeSelector !== undefined || t.tolerations !== undefined)) {
    return { spec: t };
  }
  return t;
}

/** `--queue-template gpu=gpu.yaml` → ['gpu', template]. */
export function parseQueueTemplate(arg: string): [string, Record<string, unknown>] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new TemplateError(`--queue-template takes QUEUE=FILE, got ${JSON.stringify(arg)}`);
  return [arg.slice(0, eq), loadPodTemplate(arg.slice(eq + 1))];
}
