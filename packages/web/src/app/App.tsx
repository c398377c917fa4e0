import { useEffect } from 'react';
import { goToSignIn } from '../api/client';
import { getToken } from '../api/session';
import SignIn from '../pages/SignIn';
import { useLocation } from './router';
import { Shell } from './Shell';

/** Sign-in stands alone; every other page needs a token and lives in the shell. */
export function App() {
  const { pathname } = useLocation();
  const signedIn = getToken() !== null;
  useEffect(() => {
    if (pathname !== '/signin' && !signedIn) goToSignIn(false);
  }, [pathname, signedIn]);
  if (pathname === '/signin') return <SignIn />;
  return signedIn ? <Shell /> : null;
}
