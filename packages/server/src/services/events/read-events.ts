import { EVENT_TYPES, type EventType } from '@cairn/protocol';
import { badRequest } from '../../http/api-error.js';
import type { DocEventType, DocPosition, EventStore, LogPosition, ScalarPosition } from '../../store/event-store.js';
import type { ServiceModule } from '../deps.js';
import { optBool, optString } from '../validate.js';
import { boundedInt, modelEvents, nameField, oneOf, requireTask } from './fields.js';
import { ScrollIds } from './scroll.js';
import { docEvent, logEvent, scalarEvent } from './wire.js';

/** Largest page of `events.get_task_events` (the SDK asks for up to 10,000). */
const MAX_PAGE = 10_000;
/** Order in which `event_type: "all"` walks the kinds of events. */
const ALL_TYPES: readonly EventType[] = ['training_stats_scalar', 'training_stats_vector', 'plot', 'training_debug_image', 'log'];

interface Page {
  events: Record<string, unknown>[];
  /** Position of the last event, to continue after it. */
  last: unknown;
}

/** One kind of event of one task, paged in a fixed order. */
interface Source {
  count(): Promise<number>;
  page(after: unknown, limit: number): Promise<Page>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function scalarSource(events: EventStore, task: string, descending: boolean, metric?: string): Source {
  return {
    count: () => events.scalarCount(task, metric),
    async page(after, limit) {
      const rows = await events.scalarPage(task, { after: isRecord(after) ? (after as unknown as ScalarPosition) : null, limit, descending, metric });
      const last = rows[rows.length - 1];
      return { events: rows.map(scalarEvent), last: last && { metric: last.metric, variant: last.variant, iter: last.iter } };
    },
  };
}

function docSource(events: EventStore, task: string, type: DocEventType, descending: boolean): Source {
  return {
    count: () => events.docCount(task, type),
    async page(after, limit) {
      const rows = await events.docPage(task, type, { after: isRecord(after) ? (after as unknown as DocPosition) : null, limit, descending });
      const last = rows[rows.length - 1];
      return { events: rows.map(docEvent), last: last && { iter: last.iter, metric: last.metric, variant: last.variant, key: last.key } };
    },
  };
}

function logSource(events: EventStore, task: string, descending: boolean): Source {
  return {
    count: () => events.logCount(task),
    async page(after, limit) {
      const rows = await events.logPage(task, { after: isRecord(after) ? (after as unknown as LogPosition) : null, limit, descending });
      const last = rows[rows.length - 1];
      return { events: rows.map(logEvent), last: last && { timestamp: last.timestamp, seq: last.seq } };
    },
  };
}

function sourceOf(events: EventStore, task: string, type: EventType, descending: boolean): Source {
  if (type === 'training_stats_scalar') return scalarSource(events, task, descending);
  if (type === 'log') return logSource(events, task, descending);
  return docSource(events, task, type, descending);
}

interface ScrollState {
  /** Index of the current source. */
  s: number;
  /** Position inside it, or null at its start. */
  p: unknown;
}

/** Fills a page from the sources in turn; every call either returns events or moves to the end. */
async function pageThrough(sources: readonly Source[], from: ScrollState | null, limit: number) {
  let s = typeof from?.s === 'number' ? from.s : 0;
  let p: unknown = from?.p ?? null;
  const events: Record<string, unknown>[] = [];
  while (events.length < limit && s < sources.length) {
    const want = limit - events.length;
    const page = await sources[s].page(p, want);
    events.push(...page.events);
    if (page.events.length < want) {
      s++;
      p = null;
    } else {
      p = page.last;
    }
  }
  return { events, state: { s, p } satisfies ScrollState };
}

async function total(sources: readonly Source[]): Promise<number> {
  let n = 0;
  for (const source of sources) n += await source.count();
  return n;
}

export const registerEventReads: ServiceModule = (registry, { store, auth }) => {
  const scroll = new ScrollIds(() => auth.signingKey);
  registry.add({
    name: 'events.get_task_events',
    handler: async (body) => {
      const task = await requireTask(store, body);
      const eventType = optString(body, 'event_type') ?? 'all';
      if (eventType !== 'all' && !(EVENT_TYPES as readonly string[]).includes(eventType)) {
        throw badRequest(`field event_type must be "all" or one of ${EVENT_TYPES.join(', ')}`);
      }
      const order = oneOf(body, 'order', ['asc', 'desc'], 'asc');
      const limit = boundedInt(body, 'batch_size', 500, 1, MAX_PAGE);
      const types = eventType === 'all' ? ALL_TYPES : [eventType as EventType];
      const sources = types.map((t) => sourceOf(store.events, task, t, order === 'desc'));
      const bind = `${task}|${eventType}|${order}|${modelEvents(body)}`;
      const page = await pageThrough(sources, scroll.decode<ScrollState>(body.scroll_id, 'task_events', bind), limit);
      return {
        events: page.events,
        returned: page.events.length,
        total: await total(sources),
        scroll_id: scroll.encode('task_events', bind, page.state),
      };
    },
  });

  registry.add({
    name: 'events.get_scalar_metric_data',
    handler: async (body) => {
      const task = await requireTask(store, body);
      const metric = nameField(body, 'metric');
      const sources = [scalarSource(store.events, task, false, metric)];
      const bind = `${task}|${metric}|${modelEvents(body)}`;
      const page = await pageThrough(sources, scroll.decode<ScrollState>(body.scroll_id, 'metric_data', bind), MAX_PAGE);
      return {
        events: page.events,
        returned: page.events.length,
        total: await total(sources),
        scroll_id: optBool(body, 'no_scroll') ? null : scroll.encode('metric_data', bind, page.state),
      };
    },
  });
};
