import { useState } from 'react';
import { call } from '../api/client';
import type { Credential } from '../api/types';
import { NewCredentials } from '../settings/NewCredentials';
import { PasswordSection } from '../settings/PasswordSection';
import { UsersSection } from '../settings/UsersSection';
import { Dialog } from '../ui/Dialog';
import { formatDate, timeAgo } from '../ui/format';
import { notify, notifyError } from '../ui/notify';
import { useLoad } from '../ui/useLoad';

function CreateDialog({ onCreated, onClose }: { onCreated: (c: { access_key: string; secret_key: string }) => void; onClose: () => void }) {
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      const r = await call<{ credentials: { access_key: string; secret_key: string } }>('auth.create_credentials', { label: label.trim() });
      onCreated(r.credentials);
    } catch (err) {
      notifyError('Could not create credentials', err);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Create credentials" submitLabel="Create" onSubmit={submit} onClose={onClose} busy={busy}>
      <label>
        Label
        <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. laptop, CI, agent on gpu-01" />
      </label>
    </Dialog>
  );
}

function RevokeDialog({ cred, onDone, onClose }: { cred: Credential; onDone: () => void; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      await call('auth.revoke_credentials', { access_key: cred.access_key });
      notify(`Revoked ${cred.access_key}`);
      onDone();
    } catch (err) {
      notifyError('Could not revoke the credentials', err);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Revoke credentials" submitLabel="Revoke" danger onSubmit={submit} onClose={onClose} busy={busy}>
      <p>
        Scripts and agents using <code>{cred.access_key}</code>{cred.label ? ` (${cred.label})` : ''} will no longer be able to sign in.
      </p>
    </Dialog>
  );
}

interface CurrentUser {
  user: { id: string; name: string; role: string };
}

export default function Settings() {
  const creds = useLoad(() => call<{ credentials: Credential[] }>('auth.get_credentials'), []);
  const me = useLoad(() => call<CurrentUser>('users.get_current_user').then((r) => r.user), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ access_key: string; secret_key: string } | null>(null);
  const [revoking, setRevoking] = useState<Credential | null>(null);
  const list = creds.data?.credentials ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <section className="panel">
        <div className="panel-head">
          <h2>API credentials</h2>
          <button type="button" className="primary" onClick={() => setCreating(true)}>Create new credentials</button>
        </div>
        <p className="muted">Key pairs let the clearml SDK, clearml-agent and the cairn CLI act as you.</p>
        {creds.error && <p className="form-error" role="alert">Could not load credentials: {creds.error.message}</p>}
        <table className="simple-table" aria-label="Credentials">
          <thead>
            <tr><th>Access key</th><th>Label</th><th>Created</th><th>Last used</th><th /></tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.access_key}>
                <td><code>{c.access_key}</code></td>
                <td>{c.label}</td>
                <td title={c.created}>{formatDate(c.created)}</td>
                <td title={c.last_used ?? ''}>{c.last_used ? timeAgo(c.last_used) : 'never'}</td>
                <td className="actions"><button type="button" className="danger-link" onClick={() => setRevoking(c)}>Revoke</button></td>
              </tr>
            ))}
            {!creds.loading && list.length === 0 && (
              <tr><td colSpan={5} className="empty">No credentials yet.</td></tr>
            )}
          </tbody>
        </table>
      </section>
      {me.data && <PasswordSection userName={me.data.name} />}
      {me.data?.role === 'admin' && <UsersSection me={me.data.id} />}
      {creating && (
        <CreateDialog
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
            creds.reload();
          }}
        />
      )}
      {created && <NewCredentials accessKey={created.access_key} secretKey={created.secret_key} onDone={() => setCreated(null)} />}
      {revoking && (
        <RevokeDialog
          cred={revoking}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            creds.reload();
          }}
        />
      )}
    </div>
  );
}
