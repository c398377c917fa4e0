import { useLocation } from '../app/router';
import { QueuesView } from '../orchestration/QueuesView';
import { WorkersView } from '../orchestration/WorkersView';

/** `/queues` (where tasks wait) and `/workers` (the machines that run them). */
export default function Orchestration() {
  const { pathname } = useLocation();
  const workers = pathname === '/workers';
  return (
    <div className="page orchestration-page">
      <div className="page-head">
        <h1>{workers ? 'Workers' : 'Queues'}</h1>
      </div>
      {workers ? <WorkersView /> : <QueuesView />}
    </div>
  );
}
