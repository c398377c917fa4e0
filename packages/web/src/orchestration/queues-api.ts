import { call } from '../api/client';
import { rangeBody, type TimeWindow } from './time-range';

/** A queue as `queues.get_all_ex` answers: entries in order, head first, with task names. */
export interface QueueEx {
  id: string;
  name: string;
  tags: string[];
  system_tags: string[];
  last_update?: string;
  entries: { task: { id: string; name: string }; added: string }[];
  workers: { name: string; ip?: string; task?: { id: string; name: string } }[];
}

export async function loadQueues(): Promise<QueueEx[]> {
  const { queues } = await call<{ queues: QueueEx[] }>('queues.get_all_ex', { order_by: ['name'] });
  return queues;
}

export interface QueueSeries {
  queue: string;
  dates: number[];
  avg_waiting_times: number[];
  queue_lengths: number[];
}

export async function loadQueueMetrics(queueIds: readonly string[], w: TimeWindow): Promise<QueueSeries[]> {
  if (queueIds.length === 0) return [];
  const { queues } = await call<{ queues: QueueSeries[] }>('queues.get_queue_metrics', { ...rangeBody(w), queue_ids: queueIds });
  return queues;
}

/** The ways a task can move within its queue; each is one server call. */
export type Move = 'forward' | 'backward' | 'front' | 'back';

const MOVE_ENDPOINT: Record<Move, string> = {
  forward: 'queues.move_task_forward',
  backward: 'queues.move_task_backward',
  front: 'queues.move_task_to_front',
  back: 'queues.move_task_to_back',
};

export const moveTask = (queue: string, task: string, move: Move) => call(MOVE_ENDPOINT[move], { queue, task });

/** Takes a task out of its queue and back to the status it had before it was enqueued. */
export const removeTask = (queue: string, task: string) => call('queues.remove_task', { queue, task, update_task_status: true });

/** How long the longest-waiting entry has waited, in seconds; undefined for an empty queue. */
export function longestWait(q: QueueEx, nowMs = Date.now()): number | undefined {
  if (q.entries.length === 0) return undefined;
  const oldest = Math.min(...q.entries.map((e) => Date.parse(e.added)).filter(Number.isFinite));
  return Number.isFinite(oldest) ? Math.max(0, (nowMs - oldest) / 1000) : undefined;
}
