import { useState } from 'react';
import { call } from '../api/client';
import type { User } from '../api/types';
import type { PageProps } from '../app/routes';
import { Link } from '../app/router';
import { ModelFile } from '../models/ModelFile';
import { ModelDetails } from '../models/ModelDetails';
import { DesignSection, LabelsSection, MetadataSection } from '../models/ModelSections';
import { ReadyBadge } from '../models/ReadyBadge';
import { loadNames } from '../models/request';
import { isArchived, type Model } from '../models/types';
import { Dialog } from '../ui/Dialog';
import { notify, notifyError } from '../ui/notify';
import { useLoad } from '../ui/useLoad';

/** `/models/:id`: one model's metadata, file, design and labels, with publish and archive. */
export default function ModelPage({ params }: PageProps) {
  const id = params.id;
  const loaded = useLoad(async () => {
    const { model } = await call<{ model: Model }>('models.get_by_id', { model: id });
    const [names, users] = await Promise.all([loadNames([model]), call<{ users: User[] }>('users.get_all').then((r) => r.users)]);
    return { model, names, users: new Map(users.map((u) => [u.id, u.name])) };
  }, [id]);
  const [confirmPublish, setConfirmPublish] = useState(false);
  const [busy, setBusy] = useState(false);

  const act = async (what: string, done: string, action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
      notify(done);
      loaded.reload();
    } catch (err) {
      notifyError(`Could not ${what} the model`, err);
    }
    setBusy(false);
    setConfirmPublish(false);
  };

  const m = loaded.data?.model;
  const archived = m ? isArchived(m) : false;
  return (
    <div className="page model-page">
      <div className="page-head">
        <div className="crumbs">
          <Link to="/models">Models</Link>
          <span aria-hidden>/</span>
          <h1>{m?.name ?? ''}</h1>
          {m && <ReadyBadge ready={m.ready === true} />}
          {archived && <span className="tag tag-muted">archived</span>}
        </div>
        <div className="grow" />
        {m && !m.ready && <button type="button" className="primary" disabled={busy} onClick={() => setConfirmPublish(true)}>Publish…</button>}
        {m && (archived
          ? <button type="button" disabled={busy} onClick={() => act('restore', 'Model restored', () => call('models.unarchive_many', { ids: [id] }))}>Restore</button>
          : <button type="button" disabled={busy} onClick={() => act('archive', 'Model archived', () => call('models.archive_many', { ids: [id] }))}>Archive</button>)}
      </div>
      {loaded.error && <p className="form-error" role="alert">Could not load the model: {loaded.error.message}</p>}
      {loaded.loading && !m && <p className="muted">Loading…</p>}
      {m && loaded.data && (
        <div className="model-body">
          <ModelDetails model={m} names={loaded.data.names} userName={loaded.data.users.get(m.user ?? '') ?? m.user ?? ''} />
          <ModelFile uri={m.uri} />
          <MetadataSection model={m} />
          <LabelsSection labels={m.labels ?? {}} />
          <DesignSection design={m.design ?? {}} />
        </div>
      )}
      {confirmPublish && m && (
        <Dialog title="Publish model" submitLabel="Publish" busy={busy} onClose={() => setConfirmPublish(false)}
          onSubmit={() => act('publish', 'Model published', () => call('models.set_ready', { model: id }))}>
          <p>Publish <strong>{m.name}</strong>? A published model is final: its weights and design can no longer be changed.</p>
        </Dialog>
      )}
    </div>
  );
}
