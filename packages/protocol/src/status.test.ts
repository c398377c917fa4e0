import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canTransition } from './status.js';

test('transitions the SDK makes without force are allowed', () => {
  const allowed: [string, string][] = [
    ['created', 'in_progress'], ['in_progress', 'in_progress'], ['in_progress', 'completed'], ['in_progress', 'failed'],
    ['in_progress', 'stopped'], ['created', 'queued'], ['stopped', 'queued'], ['failed', 'queued'], ['queued', 'created'],
    ['in_progress', 'created'], ['completed', 'created'], ['stopped', 'published'], ['completed', 'published'],
  ];
  for (const [a, b] of allowed) assert.equal(canTransition(a as never, b as never), true, `${a} -> ${b}`);
});

test('illegal transitions are refused without force and allowed with it', () => {
  const refused: [string, string][] = [['created', 'completed'], ['published', 'created'], ['created', 'published'], ['queued', 'completed']];
  for (const [a, b] of refused) {
    assert.equal(canTransition(a as never, b as never), false, `${a} -> ${b}`);
    assert.equal(canTransition(a as never, b as never, true), true, `${a} -> ${b} forced`);
  }
});
