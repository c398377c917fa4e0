import type { TaskStatus } from './documents.js';

/**
 * Task status transitions allowed without `force` (clearml-sdk-protocol.md §6.1).
 * A same-state transition is always allowed; `force` bypasses the table.
 */
const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  created: ['queued', 'in_progress'],
  queued: ['created', 'in_progress', 'stopped'],
  in_progress: ['stopped', 'failed', 'created', 'completed'],
  stopped: ['closed', 'created', 'failed', 'queued', 'in_progress', 'published', 'publishing', 'completed'],
  closed: ['created', 'failed', 'published', 'publishing', 'stopped'],
  failed: ['created', 'stopped', 'published', 'queued'],
  publishing: ['published'],
  published: [],
  completed: ['published', 'in_progress', 'created'],
  unknown: ['created', 'queued', 'in_progress', 'stopped', 'failed', 'completed'],
};

export function canTransition(from: TaskStatus, to: TaskStatus, force = false): boolean {
  if (force || from === to) return true;
  return TRANSITIONS[from]?.includes(to) ?? false;
}
