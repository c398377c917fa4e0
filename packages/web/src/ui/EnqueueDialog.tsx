import { useState } from 'react';
import { call } from '../api/client';
import type { Queue } from '../api/types';
import { Dialog } from './Dialog';
import { useLoad } from './useLoad';

/** Picks the queue one or more experiments are sent to. */
export function EnqueueDialog({ count, busy, onClose, onSubmit }: { count: number; busy: boolean; onClose: () => void; onSubmit: (queue: string) => void }) {
  const queues = useLoad(() => call<{ queues: Queue[] }>('queues.get_all', { only_fields: ['id', 'name'], order_by: ['name'] }), []);
  const [queue, setQueue] = useState('');
  const list = queues.data?.queues ?? [];
  const chosen = queue || list[0]?.id || '';
  const many = count !== 1;
  return (
    <Dialog title={many ? 'Enqueue experiments' : 'Enqueue experiment'} submitLabel="Enqueue" busy={busy || !chosen} onClose={onClose} onSubmit={() => onSubmit(chosen)}>
      <label>
        Queue
        <select value={chosen} onChange={(e) => setQueue(e.target.value)}>
          {list.map((q) => <option key={q.id} value={q.id}>{q.name}</option>)}
        </select>
      </label>
      {queues.error && <p className="form-error">Could not load the queues: {queues.error.message}</p>}
      {queues.data && list.length === 0 && <p className="form-error">There are no queues yet; an agent creates its queue when it starts.</p>}
      <p className="muted">{many ? `${count} experiments wait` : 'The experiment waits'} in this queue until an agent runs {many ? 'them' : 'it'}.</p>
    </Dialog>
  );
}
