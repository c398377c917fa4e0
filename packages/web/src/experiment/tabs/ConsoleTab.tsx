import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { notifyError } from '../../ui/notify';
import { asText, fetchAll, fetchEarlier, fetchNewer, fetchTail, stamp, type LogEvent } from '../console-log';
import type { TaskDetail } from '../types';

interface Row {
  key: string;
  time: string;
  text: string;
}

/** Each printed line on its own row; the first line of an event carries the event's time. */
function toRows(events: readonly LogEvent[]): Row[] {
  const rows: Row[] = [];
  events.forEach((e, i) => {
    e.msg.replace(/\n$/, '').split('\n').forEach((text, j) => rows.push({ key: `${i}.${j}`, time: j === 0 ? stamp(e.timestamp) : '', text }));
  });
  return rows;
}

function Highlight({ text, query }: { text: string; query: string }) {
  if (!query) return <>{text}</>;
  const parts: ReactNode[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(query, from); at >= 0; at = lower.indexOf(query, from)) {
    parts.push(text.slice(from, at), <mark key={at}>{text.slice(at, at + query.length)}</mark>);
    from = at + query.length;
  }
  parts.push(text.slice(from));
  return <>{parts}</>;
}

/**
 * The experiment's console output: the newest lines, followed live while the experiment
 * runs (the page's `version` moves whenever the task reports something), earlier lines on
 * request, a filter, and the whole output as a text file.
 */
export function ConsoleTab({ task, version }: { task: TaskDetail; version: number }) {
  const [events, setEvents] = useState<LogEvent[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<Error | null>(null);
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState(false);
  const held = useRef<LogEvent[]>([]);
  const loaded = useRef(false);
  const box = useRef<HTMLDivElement>(null);
  const follow = useRef(true);

  useEffect(() => {
    held.current = [];
    loaded.current = false;
    setEvents(null);
    let live = true;
    fetchTail(task.id).then((p) => {
      if (!live) return;
      loaded.current = true;
      held.current = p.events;
      setEvents(p.events);
      setTotal(p.total);
    }, (err: Error) => live && setError(err));
    return () => {
      live = false;
    };
  }, [task.id]);

  // Each change of the task brings the lines printed since the last look.
  useEffect(() => {
    if (!loaded.current) return;
    let live = true;
    fetchNewer(task.id, held.current).then((p) => {
      if (!live || p.events.length === 0) return;
      held.current = [...held.current, ...p.events];
      setEvents(held.current);
      setTotal(p.total);
    }, () => undefined);
    return () => {
      live = false;
    };
  }, [version]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [events]);

  const loadEarlier = async () => {
    setBusy(true);
    try {
      const p = await fetchEarlier(task.id, held.current);
      follow.current = false;
      held.current = [...p.events, ...held.current];
      setEvents(held.current);
      setTotal(p.total);
    } catch (err) {
      notifyError('Could not load earlier console lines', err);
    } finally {
      setBusy(false);
    }
  };

  const download = async () => {
    setBusy(true);
    try {
      const text = asText(await fetchAll(task.id));
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      a.download = `${task.name.replace(/[^\w.-]+/g, '_')}.${task.id}.log.txt`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      notifyError('Could not download the console output', err);
    } finally {
      setBusy(false);
    }
  };

  const rows = useMemo(() => toRows(events ?? []), [events]);
  const q = query.trim().toLowerCase();
  const shown = q ? rows.filter((r) => r.text.toLowerCase().includes(q)) : rows;
  if (error) return <p className="form-error" role="alert">Could not load the console output: {error.message}</p>;
  return (
    <div className="tab-body console-tab">
      <div className="console-bar">
        <input type="search" className="search" placeholder="Search the console" aria-label="Search the console" value={query} onChange={(e) => setQuery(e.target.value)} />
        {q && <span className="muted" aria-live="polite">{shown.length} of {rows.length} lines match</span>}
        <span className="grow" />
        {events && <span className="muted">{events.length} of {total} events loaded</span>}
        <button type="button" disabled={busy || !events?.length} onClick={download}>Download</button>
      </div>
      <div className="console" ref={box} aria-label="Console output" role="log"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}>
        {events && events.length < total && (
          <button type="button" className="link-button console-earlier" disabled={busy} onClick={loadEarlier}>Load earlier lines</button>
        )}
        {events === null && <span className="muted">Loading…</span>}
        {events?.length === 0 && <span className="muted">Nothing printed yet.</span>}
        {shown.map((r) => (
          <div key={r.key} className="console-line">
            <span className="console-time">{r.time}</span>
            <span className="console-text"><Highlight text={r.text} query={q} /></span>
          </div>
        ))}
      </div>
    </div>
  );
}
