import { compilePythonRegex, type Task } from '@cairn/protocol';
import type { EndpointRegistry } from '../../http/endpoints.js';
import type { ServiceDeps } from '../deps.js';
import { optBool, optInt, optString, optStringList, reqString } from '../validate.js';
import { tasksInScope } from './subtree.js';

/**
 * What the tasks of a project are made of — their tags, hyperparameter names and
 * values, reported metrics — so that a UI can offer them as columns and filters
 * without loading every task.
 */

type Body = Record<string, unknown>;

const projectList = (body: Body, field: string): string[] | undefined => {
  const v = body[field];
  return typeof v === 'string' ? [v] : optStringList(body, field);
};

const scope = (deps: ServiceDeps, body: Body, field: string): Promise<Task[]> =>
  tasksInScope(deps.store, projectList(body, field), optBool(body, 'include_subprojects') ?? true);

const byText = (a: string, b: string) => a.localeCompare(b);

function page<T>(items: T[], body: Body): { items: T[]; total: number; remaining: number } {
  const size = Math.max(1, optInt(body, 'page_size') ?? 500);
  const start = Math.max(0, optInt(body, 'page') ?? 0) * size;
  const slice = items.slice(start, start + size);
  return { items: slice, total: items.length, remaining: Math.max(0, items.length - start - slice.length) };
}

export function registerTaskFacets(registry: EndpointRegistry, deps: ServiceDeps): void {
  registry.add({
    name: 'projects.get_task_tags',
    handler: async (body) => {
      const tags = new Set<string>();
      const systemTags = new Set<string>();
      for (const t of await scope(deps, body, 'projects')) {
        t.tags.forEach((x) => tags.add(x));
        t.system_tags.forEach((x) => systemTags.add(x));
      }
      return { tags: [...tags].sort(byText), system_tags: optBool(body, 'include_system') ? [...systemTags].sort(byText) : [] };
    },
  });

  registry.add({
    name: 'projects.get_hyper_parameters',
    handler: async (body) => {
      const seen = new Map<string, { section: string; name: string }>();
      for (const t of await scope(deps, body, 'project')) {
        for (const [section, params] of Object.entries(t.hyperparams ?? {})) {
          for (const name of Object.keys(params)) seen.set(`${section}\u0000${name}`, { section, name });
        }
      }
      const all = [...seen.values()].sort((a, b) => byText(a.section, b.section) || byText(a.name, b.name));
      const { items, total, remaining } = page(all, body);
      return { parameters: items, total, remaining };
    },
  });

  registry.add({
    name: 'projects.get_hyperparam_values',
    handler: async (body) => {
      const section = reqString(body, 'section');
      const name = reqString(body, 'name');
      const pattern = optString(body, 'pattern');
      const re = pattern ? compilePythonRegex(pattern, 'i') : null;
      const values = new Set<string>();
      for (const t of await scope(deps, body, 'projects')) {
        const v = t.hyperparams?.[section]?.[name]?.value;
        if (typeof v === 'string' && (!re || re.test(v))) values.add(v);
      }
      const sorted = [...values].sort((a, b) => byText(a, b));
      const { items, total } = page(sorted, body);
      return { total, values: items };
    },
  });

  registry.add({
    name: 'projects.get_unique_metric_variants',
    handler: async (body) => {
      const seen = new Map<string, { metric: string; metric_hash: string; variant: string; variant_hash: string }>();
      for (const t of await scope(deps, body, 'project')) {
        // The hashes are the keys of `last_metrics`, which is what `order_by` and `only_fields` name.
        for (const [metricHash, variants] of Object.entries(t.last_metrics ?? {})) {
          for (const [variantHash, m] of Object.entries(variants)) {
            const key = `${m.metric}\u0000${m.variant}`;
            if (!seen.has(key)) seen.set(key, { metric: m.metric, metric_hash: metricHash, variant: m.variant, variant_hash: variantHash });
          }
        }
      }
      return { metrics: [...seen.values()].sort((a, b) => byText(a.metric, b.metric) || byText(a.variant, b.variant)) };
    },
  });
}
