import { useCallback, useEffect, useRef, useState } from 'react';
import { call } from '../api/client';
import { isLive, type TaskDetail } from './types';

/** How often a running or queued experiment is asked whether it changed. */
const LIVE_POLL_MS = 2500;

export interface Experiment {
  task: TaskDetail | undefined;
  error: Error | undefined;
  /** Moves every time the task changed, so that the open tab reloads what it shows. */
  version: number;
  reload: () => void;
}

interface Probe {
  status: string;
  last_update?: string;
  last_iteration?: number;
}

/**
 * The experiment's document. While it runs, a cheap poll of its status and last update
 * decides when to read the whole document again; a finished experiment is read once.
 */
export function useExperiment(id: string): Experiment {
  const [state, setState] = useState<{ task?: TaskDetail; error?: Error; version: number }>({ version: 0 });
  const current = useRef<TaskDetail | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const { task } = await call<{ task: TaskDetail }>('tasks.get_by_id', { task: id });
      current.current = task;
      setState((s) => ({ task, version: s.version + 1 }));
    } catch (error) {
      setState((s) => ({ ...s, error: error as Error }));
    }
  }, [id]);

  useEffect(() => {
    current.current = undefined;
    setState({ version: 0 });
    void load();
  }, [load]);

  const status = state.task?.status;
  useEffect(() => {
    if (!status || !isLive(status)) return;
    let busy = false;
    const timer = setInterval(async () => {
      if (busy || document.visibilityState === 'hidden') return;
      busy = true;
      try {
        const { tasks } = await call<{ tasks: Probe[] }>('tasks.get_all', { id: [id], only_fields: ['status', 'last_update', 'last_iteration'] });
        const seen = current.current;
        const probe = tasks[0];
        if (probe && seen && (probe.status !== seen.status || probe.last_update !== seen.last_update || probe.last_iteration !== seen.last_iteration)) {
          await load();
        }
      } catch {
        // A missed poll is retried on the next tick; the page keeps what it shows.
      } finally {
        busy = false;
      }
    }, LIVE_POLL_MS);
    return () => clearInterval(timer);
  }, [id, status, load]);

  return { task: state.task, error: state.error, version: state.version, reload: load };
}
