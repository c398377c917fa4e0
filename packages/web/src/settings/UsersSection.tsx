import { useState } from 'react';
import { call } from '../api/client';
import type { User } from '../api/types';
import { CopyBlock } from '../ui/CopyBlock';
import { Dialog } from '../ui/Dialog';
import { formatDate } from '../ui/format';
import { notify, notifyError } from '../ui/notify';
import { useLoad } from '../ui/useLoad';

function CreateUserDialog({ onCreated, onClose }: { onCreated: (name: string, password: string) => void; onClose: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<'user' | 'admin'>('user');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      const r = await call<{ id: string; password: string }>('auth.create_user', { name: name.trim(), role });
      onCreated(name.trim(), r.password);
    } catch (err) {
      notifyError('Could not create the user', err);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Create user" submitLabel="Create" onSubmit={submit} onClose={onClose} busy={busy}>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. alice" />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as 'user' | 'admin')}>
          <option value="user">user: runs experiments, manages their own keys</option>
          <option value="admin">admin: also manages users and everyone's keys</option>
        </select>
      </label>
    </Dialog>
  );
}

function PasswordShown({ name, password, onDone }: { name: string; password: string; onDone: () => void }) {
  return (
    <div className="backdrop">
      <div className="dialog" role="dialog" aria-label="New password">
        <h2>Password of {name}</h2>
        <div className="dialog-body">
          <p className="warning">Hand this password to {name} now: it is shown only this once.</p>
          <CopyBlock label="Password" text={password} />
        </div>
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={onDone}>Done</button>
        </div>
      </div>
    </div>
  );
}

/** Admins only: who may sign in, with which role; disabling ends a user's keys and sessions. */
export function UsersSection({ me }: { me: string }) {
  const users = useLoad(() => call<{ users: User[] }>('users.get_all'), []);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<{ name: string; password: string } | null>(null);
  const edit = async (u: User, change: Record<string, unknown>, done: string) => {
    try {
      const r = await call<{ fields: { password?: string } }>('auth.edit_user', { user: u.id, ...change });
      notify(done);
      if (typeof change.password === 'string' && r.fields.password) setShown({ name: u.name, password: change.password });
      users.reload();
    } catch (err) {
      notifyError(`Could not change ${u.name}`, err);
    }
  };
  const list = (users.data?.users ?? []).filter((u) => u.role !== 'system');
  return (
    <section className="panel" aria-label="Users">
      <div className="panel-head">
        <h2>Users</h2>
        <button type="button" className="primary" onClick={() => setCreating(true)}>Create user</button>
      </div>
      {users.error && <p className="form-error" role="alert">Could not load the users: {users.error.message}</p>}
      <table className="simple-table" aria-label="Users list">
        <thead>
          <tr><th>Name</th><th>Role</th><th>Status</th><th>Created</th><th /></tr>
        </thead>
        <tbody>
          {list.map((u) => (
            <tr key={u.id} data-user={u.name}>
              <td>{u.name}{u.id === me ? ' (you)' : ''}</td>
              <td>{u.role}</td>
              <td>{u.disabled ? 'disabled' : 'active'}</td>
              <td>{formatDate(u.created)}</td>
              <td className="actions">
                {u.role === 'admin'
                  ? <button type="button" className="link-button" onClick={() => void edit(u, { role: 'user' }, `${u.name} is a user now`)}>Make user</button>
                  : <button type="button" className="link-button" onClick={() => void edit(u, { role: 'admin' }, `${u.name} is an admin now`)}>Make admin</button>}
                {u.disabled
                  ? <button type="button" className="link-button" onClick={() => void edit(u, { disabled: false }, `${u.name} is enabled`)}>Enable</button>
                  : <button type="button" className="danger-link" onClick={() => void edit(u, { disabled: true }, `${u.name} is disabled`)}>Disable</button>}
                <button type="button" className="link-button" onClick={() => void edit(u, { password: newPassword() }, `New password for ${u.name}`)}>Reset password</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {creating && (
        <CreateUserDialog
          onClose={() => setCreating(false)}
          onCreated={(name, password) => {
            setCreating(false);
            setShown({ name, password });
            users.reload();
          }}
        />
      )}
      {shown && <PasswordShown name={shown.name} password={shown.password} onDone={() => setShown(null)} />}
    </section>
  );
}

/** 16 characters from an alphabet without look-alikes, from the browser's secure random source. */
function newPassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyz23456789';
  const out: string[] = [];
  while (out.length < 16) {
    for (const b of crypto.getRandomValues(new Uint8Array(16))) if (b < 231 && out.length < 16) out.push(alphabet[b % alphabet.length]);
  }
  return out.join('');
}
