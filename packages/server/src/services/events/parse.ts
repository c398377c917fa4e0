import { EVENT_TYPES, Errors, type EventType } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import { checkJsonDepth, jsonTextTooDeep, MAX_JSON_DEPTH } from '../../http/json-depth.js';

/** Most lines one `events.add_batch` call may carry; the SDK sends a few thousand at most. */
export const MAX_BATCH_LINES = 100_000;

/**
 * An event that passed validation: the parsed object itself with the defaults filled in
 * (parsing in place saves an allocation per event on the ingest hot path).
 */
export interface ValidEvent {
  type: EventType;
  task: string;
  timestamp: number;
  /** Missing only on log events that gave none. */
  iter?: number;
  metric: string;
  variant: string;
  worker: string;
  model_event: boolean;
  allow_locked: boolean;
  value?: number;
  values?: number[];
  plot_str?: string;
  key?: string;
  url?: string;
  level?: string;
  msg?: string;
  [field: string]: unknown;
}

export interface EventDefaults {
  /** Epoch milliseconds for events without a timestamp. */
  now: number;
  /** The caller's worker header, for events without a worker. */
  worker: string;
}

/** Valid events plus, for the rest, how many lines failed for each reason. */
export interface ParsedEvents {
  events: ValidEvent[];
  errors: Map<string, number>;
}

const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
const wrongType = (field: string, expected: string, v: unknown) => `field ${field} must be ${expected}, got ${kind(v)}`;

/** Fills a string field's default or answers why it is wrong. */
function stringField(e: Record<string, unknown>, field: string, fallback: string): string | null {
  const v = e[field];
  if (v === undefined || v === null) {
    e[field] = fallback;
    return null;
  }
  return typeof v === 'string' ? null : wrongType(field, 'a string', v);
}

function boolField(e: Record<string, unknown>, field: string): string | null {
  const v = e[field];
  if (v === undefined || v === null) {
    e[field] = false;
    return null;
  }
  return typeof v === 'boolean' ? null : wrongType(field, 'a boolean', v);
}

function typeSpecific(e: Record<string, unknown>, type: EventType): string | null {
  switch (type) {
    case 'training_stats_scalar': {
      const v = e.value;
      if (v === undefined || v === null) return 'missing field: value';
      return typeof v === 'number' && Number.isFinite(v) ? null : wrongType('value', 'a finite number', v);
    }
    case 'training_stats_vector': {
      const v = e.values;
      if (!Array.isArray(v)) return v === undefined ? 'missing field: values' : wrongType('values', 'a list of numbers', v);
      return v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? null : 'field values must hold finite numbers only';
    }
    case 'plot': {
      const v = e.plot_str;
      if (v === undefined || v === null) return 'missing field: plot_str';
      if (typeof v !== 'string') return wrongType('plot_str', 'a string (JSON text of the figure)', v);
      return jsonTextTooDeep(v) ? `field plot_str nests deeper than ${MAX_JSON_DEPTH} levels` : null;
    }
    case 'training_debug_image':
      return stringField(e, 'key', '') ?? stringField(e, 'url', '');
    case 'log':
      return stringField(e, 'msg', '') ?? stringField(e, 'level', 'info');
  }
}

/** Validates one event object and fills its defaults in place; answers the event or why it was refused. */
export function validateEvent(raw: unknown, d: EventDefaults): ValidEvent | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'event is not a JSON object';
  const e = raw as Record<string, unknown>;
  const type = e.type;
  if (type === undefined || type === null) return 'missing field: type';
  if (typeof type !== 'string' || !TYPES.has(type)) return `unknown event type ${JSON.stringify(type).slice(0, 64)}`;
  const task = e.task;
  if (typeof task !== 'string' || task === '') return task === undefined || task === null || task === '' ? 'missing field: task' : wrongType('task', 'a string', task);

  const ts = e.timestamp;
  if (ts === undefined || ts === null) e.timestamp = d.now;
  else if (typeof ts === 'number' && Number.isFinite(ts)) e.timestamp = Math.trunc(ts);
  else return wrongType('timestamp', 'a number (epoch milliseconds)', ts);
  if (!Number.isSafeInteger(e.timestamp)) return `field timestamp must be within ±${Number.MAX_SAFE_INTEGER}`;

  const iter = e.iter;
  if (iter === undefined || iter === null) {
    if (type === 'log') delete e.iter;
    else e.iter = 0;
  } else if (typeof iter === 'number' && Number.isFinite(iter)) e.iter = Math.trunc(iter);
  else return wrongType('iter', 'an integer', iter);
  // Stored and read back as exact integers: a larger one could not be returned as sent.
  if (e.iter !== undefined && !Number.isSafeInteger(e.iter)) return `field iter must be an integer within ±${Number.MAX_SAFE_INTEGER}`;

  const problem = stringField(e, 'metric', '') ?? stringField(e, 'variant', '') ?? stringField(e, 'worker', d.worker)
    ?? boolField(e, 'model_event') ?? boolField(e, 'allow_locked') ?? typeSpecific(e, type as EventType);
  return problem ?? (e as ValidEvent);
}

function countError(errors: Map<string, number>, reason: string): void {
  errors.set(reason, (errors.get(reason) ?? 0) + 1);
}

/**
 * Splits a json-lines body (LF or CRLF, blank lines ignored) and validates each line.
 * An empty or oversized batch is refused whole, before anything is parsed.
 */
export function parseEventLines(body: Buffer, d: EventDefaults, maxLines = MAX_BATCH_LINES): ParsedEvents {
  const lines: string[] = [];
  for (const line of body.toString('utf8').split('\n')) {
    const first = line.charCodeAt(0);
    // Only lines starting with whitespace can be blank; the rest skip the trim.
    if (line.length === 0 || ((first === 32 || first === 9 || first === 13) && line.trim() === '')) continue;
    lines.push(line);
  }
  if (lines.length === 0) throw new ApiError(Errors.emptyBatch, 'the batch holds no events');
  if (lines.length > maxLines) {
    throw new ApiError(Errors.batchTooLarge, `the batch holds ${lines.length} events, more than the limit of ${maxLines}; nothing was stored`);
  }
  const events: ValidEvent[] = [];
  const errors = new Map<string, number>();
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
      checkJsonDepth(parsed, 'the event');
    } catch (err) {
      countError(errors, err instanceof ApiError ? err.message : 'invalid JSON');
      continue;
    }
    const result = validateEvent(parsed, d);
    if (typeof result === 'string') countError(errors, result);
    else events.push(result);
  }
  return { events, errors };
}

/** The same validation for `events.add`, whose body is one event. */
export function parseSingleEvent(body: Record<string, unknown>, d: EventDefaults): ParsedEvents {
  const result = validateEvent(body, d);
  return typeof result === 'string' ? { events: [], errors: new Map([[result, 1]]) } : { events: [result], errors: new Map() };
}
