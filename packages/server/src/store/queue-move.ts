import type { QueueMove } from './store.js';

/** Where a move puts a task (its index after the move) and the positions to write for it. */
export interface PlannedMove {
  to: number;
  /** [task, new position]; none when the task stays where it is */
  positions: [string, number][];
}

/**
 * A move of `task` within a queue ordered as `order`, whose positions span `min`..`max`.
 * Positions only grow at the back: the front takes min - 1, the back max + 1, and a move
 * into the middle renumbers the whole queue above max, so that positions never collide
 * with rows the move does not touch. Undefined when the task is not in the queue.
 */
export function planMove(order: readonly string[], min: number, max: number, task: string, move: QueueMove): PlannedMove | undefined {
  const from = order.indexOf(task);
  if (from < 0) return undefined;
  const last = order.length - 1;
  const to = move === 'front' ? 0 : move === 'back' ? last : Math.min(last, Math.max(0, from - move.by));
  if (to === from) return { to, positions: [] };
  if (to === 0) return { to, positions: [[task, min - 1]] };
  if (to === last) return { to, positions: [[task, max + 1]] };
  const moved = order.filter((t) => t !== task);
  moved.splice(to, 0, task);
  return { to, positions: moved.map((t, i) => [t, max + 1 + i]) };
}
