import { call } from '../../api/client';

/** One debug sample: a file the SDK uploaded for a metric, variant and iteration. */
export interface Sample {
  metric: string;
  variant: string;
  iter: number;
  url: string;
  timestamp: number;
}

/** A variant's samples, oldest iteration first. */
export interface SampleSeries {
  metric: string;
  variant: string;
  samples: Sample[];
}

const PAGE = 10_000;

/** Every debug sample of the task, as series grouped by metric (both in name order). */
export async function fetchSamples(task: string): Promise<[string, SampleSeries[]][]> {
  const events: Sample[] = [];
  let scroll: string | undefined;
  for (;;) {
    const page = await call<{ events: Partial<Sample>[]; scroll_id: string }>('events.get_task_events', {
      task, event_type: 'training_debug_image', order: 'asc', batch_size: PAGE, scroll_id: scroll,
    });
    for (const e of page.events) {
      if (typeof e.url === 'string' && e.url) events.push({ metric: e.metric ?? '', variant: e.variant ?? '', iter: e.iter ?? 0, url: e.url, timestamp: e.timestamp ?? 0 });
    }
    if (page.events.length < PAGE) break;
    scroll = page.scroll_id;
  }
  const byMetric = new Map<string, Map<string, Sample[]>>();
  for (const e of events) {
    const variants = byMetric.get(e.metric) ?? new Map<string, Sample[]>();
    byMetric.set(e.metric, variants);
    const list = variants.get(e.variant) ?? [];
    variants.set(e.variant, list);
    list.push(e);
  }
  const byName = (a: string, b: string) => a.localeCompare(b);
  return [...byMetric.keys()].sort(byName).map((metric) => {
    const variants = byMetric.get(metric)!;
    return [metric, [...variants.keys()].sort(byName).map((variant) => ({
      metric, variant, samples: variants.get(variant)!.sort((a, b) => a.iter - b.iter || a.timestamp - b.timestamp),
    }))];
  });
}

/** Whether the browser can show the sample inline as a picture (others are offered as links). */
export const isImage = (url: string): boolean => /\.(png|jpe?g|gif|webp|bmp|svg)(\?|#|$)/i.test(url);
