/**
 * Why the file server does not deliver a signed address: its own words (a missing
 * object, S3 refusing the server's key, an expired signature) or else its status; null
 * when it does. A HEAD asks first, so that a file that is there is not fetched twice.
 * Throws when no answer can be read: the server is unreachable, or does not let this
 * page's origin read its answers.
 */
export async function fileProblem(url: string): Promise<string | null> {
  if ((await fetch(url, { method: 'HEAD', cache: 'no-store' })).ok) return null;
  const res = await fetch(url, { cache: 'no-store' });
  if (res.ok) {
    await res.body?.cancel();
    return null;
  }
  const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
  return typeof body?.error === 'string' && body.error ? body.error : `the file server answered HTTP ${res.status} ${res.statusText}`.trim();
}
