import { useState, type FormEvent } from 'react';
import { signIn } from '../api/client';
import { navigate, useSearch } from '../app/router';
import { HOME } from '../app/routes';

/** Only a path of this site is a place to return to (never another origin). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : HOME;
}

export default function SignIn() {
  const search = useSearch();
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(user.trim(), password);
      navigate(safeNext(search.get('next')), { replace: true });
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit} aria-label="Sign in">
        <div className="signin-brand">▲ Cairn</div>
        {search.get('expired') && !error && <p className="signin-note">Your session has expired. Sign in again to continue.</p>}
        <label>
          User name
          <input name="user" autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <p className="signin-hint">The admin password is printed by <code>cairn server</code> on its first start.</p>
      </form>
    </div>
  );
}
