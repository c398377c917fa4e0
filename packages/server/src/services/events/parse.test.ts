import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../http/api-error.js';
import { parseEventLines, parseSingleEvent, validateEvent } from './parse.js';

const d = { now: 1_800_000_000_000, worker: 'host-1' };
const T = 'c'.repeat(32);

describe('validateEvent', () => {
  test('fills the defaults of a bare scalar', () => {
    const e = validateEvent({ type: 'training_stats_scalar', task: T, value: 1.5, iter: 3.9 }, d);
    assert.ok(typeof e !== 'string');
    assert.equal(e.timestamp, d.now);
    assert.equal(e.iter, 3);
    assert.equal(e.metric, '');
    assert.equal(e.variant, '');
    assert.equal(e.worker, 'host-1');
    assert.equal(e.model_event, false);
    assert.equal(e.allow_locked, false);
  });

  test('a log without iter keeps none; level and msg default', () => {
    const e = validateEvent({ type: 'log', task: T, timestamp: 5 }, d);
    assert.ok(typeof e !== 'string');
    assert.equal('iter' in e, false);
    assert.equal(e.level, 'info');
    assert.equal(e.msg, '');
    assert.equal(e.timestamp, 5);
  });

  test('refuses with a reason', () => {
    const cases: [unknown, RegExp][] = [
      [[1], /not a JSON object/],
      [{ task: T }, /missing field: type/],
      [{ type: 'banana', task: T }, /unknown event type "banana"/],
      [{ type: 'log' }, /missing field: task/],
      [{ type: 'log', task: 7 }, /field task must be a string/],
      [{ type: 'training_stats_scalar', task: T }, /missing field: value/],
      [{ type: 'training_stats_scalar', task: T, value: '1' }, /value must be a finite number/],
      [{ type: 'training_stats_scalar', task: T, value: 1, iter: 'x' }, /iter must be an integer/],
      [{ type: 'training_stats_scalar', task: T, value: 1, metric: 5 }, /metric must be a string/],
      [{ type: 'training_stats_scalar', task: T, value: 1, timestamp: 'now' }, /timestamp must be a number/],
      [{ type: 'training_stats_vector', task: T, values: [1, 'a'] }, /finite numbers only/],
      [{ type: 'plot', task: T }, /missing field: plot_str/],
      [{ type: 'training_debug_image', task: T, url: 3 }, /url must be a string/],
      [{ type: 'log', task: T, model_event: 'yes' }, /model_event must be a boolean/],
    ];
    for (const [event, reason] of cases) {
      const r = validateEvent(event, d);
      assert.equal(typeof r, 'string', JSON.stringify(event));
      assert.match(r as string, reason);
    }
  });
});

describe('parseEventLines', () => {
  const scalar = (i: number) => JSON.stringify({ type: 'training_stats_scalar', task: T, iter: i, metric: 'm', variant: 'v', value: i });

  test('tolerates CRLF and blank lines, counts bad lines by reason', () => {
    const body = Buffer.from(`${scalar(1)}\r\n\r\n   \n${scalar(2)}\nnot json\n{"type":"x","task":"t"}\n\n${scalar(3)}`);
    const parsed = parseEventLines(body, d);
    assert.deepEqual(parsed.events.map((e) => e.iter), [1, 2, 3]);
    assert.deepEqual(Object.fromEntries(parsed.errors), { 'invalid JSON': 1, 'unknown event type "x"': 1 });
  });

  test('an empty batch is refused', () => {
    assert.throws(() => parseEventLines(Buffer.from('\n \r\n'), d), (e: unknown) => e instanceof ApiError && e.error.subcode === 17);
  });

  test('a batch over the line limit is refused whole', () => {
    const body = Buffer.from([1, 2, 3, 4].map(scalar).join('\n'));
    assert.throws(() => parseEventLines(body, d, 3), (e: unknown) => e instanceof ApiError && e.error.subcode === 15);
    assert.equal(parseEventLines(body, d, 4).events.length, 4);
  });

  test('events.add takes one object', () => {
    assert.equal(parseSingleEvent({ type: 'log', task: T, msg: 'hi' }, d).events.length, 1);
    assert.deepEqual(Object.fromEntries(parseSingleEvent({ type: 'log' }, d).errors), { 'missing field: task': 1 });
  });
});
