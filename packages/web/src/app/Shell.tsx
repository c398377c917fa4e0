import { Suspense, useEffect, useState } from 'react';
import { call, signOut } from '../api/client';
import { Notes } from '../ui/notify';
import { Link, matchPath, navigate, useLocation } from './router';
import { HOME, ROUTES } from './routes';

interface CurrentUser {
  user: { id: string; name: string };
}

function TopBar() {
  const [name, setName] = useState('');
  useEffect(() => {
    call<CurrentUser>('users.get_current_user').then((r) => setName(r.user.name), () => setName(''));
  }, []);
  return (
    <header className="topbar">
      <div className="topbar-space" />
      <span className="topbar-user" aria-label="Signed in as">{name}</span>
      <button type="button" className="link-button" onClick={() => void signOut()}>Sign out</button>
    </header>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>There is no page at <code>{path}</code>. <Link to={HOME}>Go to projects</Link>.</p>
    </div>
  );
}

/** The frame around every signed-in page: navigation on the left, user on top. */
export function Shell() {
  const { pathname, search } = useLocation();
  useEffect(() => {
    if (pathname === '/') navigate(HOME, { replace: true });
    // clearml-init prints `<web>//settings/workspace-configuration`: tidy such addresses
    else if (pathname.includes('//')) navigate(pathname.replace(/\/{2,}/g, '/') + search, { replace: true });
  }, [pathname, search]);
  let match: { route: (typeof ROUTES)[number]; params: Record<string, string> } | null = null;
  for (const route of ROUTES) {
    const params = matchPath(route.path, pathname);
    if (params) {
      match = { route, params };
      break;
    }
  }
  const Page = match?.route.page;
  return (
    <div className="shell">
      <nav className="sidenav" aria-label="Main">
        <Link to={HOME} className="brand">▲ Cairn</Link>
        {ROUTES.filter((r) => r.nav).map((r) => (
          <Link key={r.path} to={r.path} className={pathname.startsWith(r.path) ? 'nav-item active' : 'nav-item'}>
            <span className="nav-icon" aria-hidden>{r.nav!.icon}</span>
            {r.nav!.label}
          </Link>
        ))}
      </nav>
      <div className="main">
        <TopBar />
        <main className="content">
          <Suspense fallback={<div className="page-loading">Loading…</div>}>
            {Page ? <Page params={match!.params} /> : pathname === '/' ? null : <NotFound path={pathname} />}
          </Suspense>
        </main>
      </div>
      <Notes />
    </div>
  );
}
