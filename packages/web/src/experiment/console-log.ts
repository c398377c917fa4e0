import { call } from '../api/client';

/** One console event: the SDK sends several printed lines as one message. */
export interface LogEvent {
  timestamp: number;
  level?: string;
  msg: string;
}

interface LogPage {
  events: LogEvent[];
  total: number;
}

/** Events per request; the server allows up to 10,000. */
const BATCH = 1000;

/** The newest events, oldest first. */
export const fetchTail = (task: string): Promise<LogPage> =>
  call<LogPage>('events.get_task_log', { task, navigate_earlier: true, order: 'asc', batch_size: BATCH });

/**
 * The server pages by timestamp with a strict bound, and several events can share a
 * millisecond. So pages are asked from one millisecond inside what is held, and the
 * events already held at that edge are dropped from the answer.
 */
function withoutHeld(held: readonly LogEvent[], edge: number, fresh: readonly LogEvent[]): LogEvent[] {
  const seen = new Map<string, number>();
  for (const e of held) {
    if (e.timestamp !== edge) continue;
    const k = `${e.timestamp}\n${e.msg}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return fresh.filter((e) => {
    const k = `${e.timestamp}\n${e.msg}`;
    const n = seen.get(k) ?? 0;
    if (n === 0) return true;
    seen.set(k, n - 1);
    return false;
  });
}

/** Events after the newest one held, oldest first. */
export async function fetchNewer(task: string, held: readonly LogEvent[]): Promise<LogPage> {
  if (held.length === 0) return fetchTail(task);
  const edge = held[held.length - 1].timestamp;
  const page = await call<LogPage>('events.get_task_log', { task, navigate_earlier: false, from_timestamp: edge - 1, order: 'asc', batch_size: BATCH });
  return { events: withoutHeld(held, edge, page.events), total: page.total };
}

/** A page of events before the oldest one held, oldest first. */
export async function fetchEarlier(task: string, held: readonly LogEvent[]): Promise<LogPage> {
  const edge = held[0].timestamp;
  const page = await call<LogPage>('events.get_task_log', { task, navigate_earlier: true, from_timestamp: edge + 1, order: 'asc', batch_size: BATCH });
  return { events: withoutHeld(held, edge, page.events), total: page.total };
}

/** Every event of the task, oldest first, for the download. */
export async function fetchAll(task: string): Promise<LogEvent[]> {
  const all: LogEvent[] = [];
  let scroll: string | undefined;
  for (;;) {
    const page = await call<{ events: LogEvent[]; scroll_id: string }>('events.get_task_events', {
      task, event_type: 'log', order: 'asc', batch_size: 10_000, scroll_id: scroll,
    });
    all.push(...page.events);
    if (page.events.length < 10_000) return all;
    scroll = page.scroll_id;
  }
}

/** `2024-05-01 12:00:00` in the viewer's time zone, as a console line prefix. */
export function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The console as a text file: each event's lines, the first prefixed by its time. */
export function asText(events: readonly LogEvent[]): string {
  return events.map((e) => e.msg.split('\n').map((line, i) => (i === 0 ? `${stamp(e.timestamp)} ${line}` : line)).join('\n')).join('\n') + '\n';
}
