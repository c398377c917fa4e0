import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoDate, normalizeDate, parseDate } from './dates.js';

test('isoDate writes UTC with microseconds and +00:00, as the ClearML server does', () => {
  assert.equal(isoDate(Date.UTC(2026, 11, 1, 18, 36, 48, 795)), '2026-12-01T18:36:48.795000+00:00');
  assert.equal(isoDate(Date.UTC(2026, 0, 2, 3, 4, 5, 0)), '2026-01-02T03:04:05.000000+00:00');
});

test('isoDate output parses back to the same moment', () => {
  const ms = Date.UTC(2030, 5, 30, 23, 59, 59, 1);
  assert.equal(Date.parse(isoDate(ms)), ms);
});

test('normalizeDate reads what clients send and refuses what is not a date', () => {
  assert.equal(normalizeDate('2026-12-01T18:36:48.795Z'), '2026-12-01T18:36:48.795000+00:00');
  assert.equal(normalizeDate('2026-12-01T20:36:48.795+02:00'), '2026-12-01T18:36:48.795000+00:00');
  assert.equal(normalizeDate('not a date'), null);
});

test('parseDate reads the forms clients send: T or space, with or without offset (UTC), microseconds kept', () => {
  assert.equal(parseDate('2024-05-01 10:00:00.123456'), Date.UTC(2024, 4, 1, 10, 0, 0) + 123.456);
  assert.equal(parseDate('2024-05-01T12:00:00+02:00'), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseDate('2024-05-01T10:00:00Z'), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseDate('2024-05-01'), Date.UTC(2024, 4, 1));
  assert.equal(parseDate('yesterday'), null);
});
