import type { DocEventRow, DocEventType, DocPosition } from '../../store/event-store.js';
import type { Store } from '../../store/store.js';

const PAGE = 1000;
const ADDRESS = /^[a-z][a-z0-9+.-]*:\/\//i;

async function* allDocs(store: Store, id: string, type: DocEventType): AsyncGenerator<DocEventRow> {
  let after: DocPosition | null = null;
  for (;;) {
    const rows = await store.events.docPage(id, type, { after, limit: PAGE, descending: false });
    yield* rows;
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1];
    after = { iter: last.iter, metric: last.metric, variant: last.variant, key: last.key };
  }
}

/** Image addresses in a Plotly figure: the SDK reports an image plot as a layout image whose `source` is the uploaded file. */
function imageSources(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const x of node) imageSources(x, found);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'source' && typeof v === 'string' && ADDRESS.test(v)) found.add(v);
      else imageSources(v, found);
    }
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The files a task's (or model's) events point at: its debug samples and the images
 * of its image plots. Read before the events are deleted.
 */
export async function eventFileUrls(store: Store, id: string): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const row of allDocs(store, id, 'training_debug_image')) {
    const url = (parse(row.body) as { url?: unknown } | undefined)?.url;
    if (typeof url === 'string' && url) found.add(url);
  }
  for await (const row of allDocs(store, id, 'plot')) {
    const plot = (parse(row.body) as { plot_str?: unknown } | undefined)?.plot_str;
    if (typeof plot === 'string' && plot.includes('source')) imageSources(parse(plot), found);
  }
  return found;
}
