import { useState } from 'react';
import { call, signIn } from '../api/client';
import { notify, notifyError } from '../ui/notify';

/**
 * Changing one's password ends every session of that user, this one included; the page
 * signs in again with the new password at once so the user stays where they are.
 */
export function PasswordSection({ userName }: { userName: string }) {
  const [old, setOld] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      await call('auth.change_password', { old_password: old, new_password: next });
      await signIn(userName, next);
      setOld('');
      setNext('');
      notify('Password changed; other sessions were signed out');
    } catch (err) {
      notifyError('Could not change the password', err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-label="Password">
      <div className="panel-head">
        <h2>Password</h2>
      </div>
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label>
          Current password
          <input type="password" autoComplete="current-password" value={old} onChange={(e) => setOld(e.target.value)} />
        </label>
        <label>
          New password
          <input type="password" autoComplete="new-password" minLength={8} value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || !old || next.length < 8}>Change password</button>
      </form>
      <p className="muted">At least 8 characters. Changing it signs out every other browser signed in as {userName}.</p>
    </section>
  );
}
