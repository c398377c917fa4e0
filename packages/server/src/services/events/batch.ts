import { MONITOR_METRICS, SINGLE_VALUE_ITER } from '@cairn/protocol';
import type { DocEventRow, DocEventType, EventBatch, LogInput, ScalarSeriesInput } from '../../store/event-store.js';
import type { ValidEvent } from './parse.js';

/** What one batch changes on one task (or model) besides its events. */
export interface EntityChange {
  id: string;
  model: boolean;
  /** Highest iteration that may move `last_iteration`, or null when none does. */
  maxIter: number | null;
  /** Indices into `batch.scalars` of this entity's series. */
  series: number[];
}

/** Fields of an event that are transport details, not part of the stored event. */
function storedBody(e: ValidEvent): string {
  const { method: _method, allow_locked: _allowLocked, model_event: _modelEvent, ...rest } = e;
  return JSON.stringify(rest);
}

/**
 * Groups accepted events into the store's batch shape: scalars by series in columns,
 * logs and the other types as rows, and the per-entity changes for the task update.
 */
export class BatchBuilder {
  readonly batch: EventBatch = { scalars: [], logs: [], docs: [] };
  readonly entities = new Map<string, EntityChange>();
  private readonly seriesIndex = new Map<string, number>();
  added = 0;

  add(e: ValidEvent): void {
    this.added++;
    const entityKey = e.model_event ? `m${e.task}` : `t${e.task}`;
    let entity = this.entities.get(entityKey);
    if (!entity) {
      entity = { id: e.task, model: e.model_event, maxIter: null, series: [] };
      this.entities.set(entityKey, entity);
    }
    const iter = e.iter;
    if (iter !== undefined && iter !== SINGLE_VALUE_ITER && !MONITOR_METRICS.has(e.metric) && (entity.maxIter === null || iter > entity.maxIter)) {
      entity.maxIter = iter;
    }
    switch (e.type) {
      case 'training_stats_scalar':
        this.addScalar(entity, e);
        return;
      case 'log':
        this.batch.logs.push(logRow(e));
        return;
      default:
        this.batch.docs.push(docRow(e, e.type));
    }
  }

  private addScalar(entity: EntityChange, e: ValidEvent): void {
    const key = `${e.task}\u0000${e.metric}\u0000${e.variant}`;
    let index = this.seriesIndex.get(key);
    if (index === undefined) {
      index = this.batch.scalars.length;
      this.batch.scalars.push({ task: e.task, metric: e.metric, variant: e.variant, iters: [], values: [], timestamps: [] });
      this.seriesIndex.set(key, index);
      entity.series.push(index);
    }
    const s: ScalarSeriesInput = this.batch.scalars[index];
    s.iters.push(e.iter!);
    s.values.push(e.value!);
    s.timestamps.push(e.timestamp);
  }
}

function logRow(e: ValidEvent): LogInput {
  return { task: e.task, timestamp: e.timestamp, iter: e.iter ?? null, level: e.level!, worker: e.worker, msg: e.msg! };
}

function docRow(e: ValidEvent, type: DocEventType): DocEventRow {
  return {
    task: e.task, type, metric: e.metric, variant: e.variant, iter: e.iter!, key: e.key ?? '', timestamp: e.timestamp, body: storedBody(e),
  };
}
