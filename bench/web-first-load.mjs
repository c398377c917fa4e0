// The web UI's first load: which JS and CSS files the browser fetches to show each
// top-level page with an empty cache, and their size gzipped (level 9: the issue's
// budget is stated gzipped) and as the server actually sends them (brotli when the
// browser accepts it). Runs a private server and Debian's Chromium; needs no data.
// Usage: node bench/web-first-load.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ACCESS_KEY, SECRET_KEY, checkPrerequisites, launchBrowser, ROOT, startServer } from '../tests/web/harness.mjs';

const DIST = join(ROOT, 'packages', 'web', 'dist');
const PAGES = ['/signin', '/projects', '/experiments', '/settings'];
const kb = (n) => Math.round((n / 1024) * 10) / 10;

async function measure(context, url) {
  const page = await context.newPage();
  await (await context.newCDPSession(page)).send('Network.clearBrowserCache');
  const pending = [];
  page.on('response', (res) => {
    const path = new URL(res.url()).pathname;
    if (!path.startsWith('/assets/')) return;
    pending.push((async () => {
      const raw = readFileSync(join(DIST, path));
      return { path, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length, sent: Number((await res.headerValue('content-length')) ?? raw.length), encoding: (await res.headerValue('content-encoding')) ?? 'identity' };
    })());
  });
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  const files = await Promise.all(pending);
  await page.close();
  return {
    files: files.map((f) => `${f.path}: ${kb(f.raw)} KB, ${kb(f.gzip)} KB gzip, ${kb(f.sent)} KB sent (${f.encoding})`),
    total_gzip_kb: kb(files.reduce((s, f) => s + f.gzip, 0)),
    total_sent_kb: kb(files.reduce((s, f) => s + f.sent, 0)),
  };
}

checkPrerequisites();
const server = await startServer();
const browser = await launchBrowser();
const report = { budget_gzip_kb: 500, pages: {} };
try {
  report.pages['/signin'] = await measure(browser.context, `${server.web}/signin`);
  const login = await fetch(`${server.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from(`${ACCESS_KEY}:${SECRET_KEY}`).toString('base64')}` } });
  const token = (await login.json()).data.token;
  const page = await browser.context.newPage();
  await page.goto(`${server.web}/signin`);
  await page.evaluate((t) => localStorage.setItem('cairn.token', t), token);
  await page.close();
  for (const path of PAGES.slice(1)) report.pages[path] = await measure(browser.context, `${server.web}${path}`);
} finally {
  await browser.close();
  await server.stop();
}
console.log(JSON.stringify(report, null, 2));
