import { useEffect, useState } from 'react';
import { call } from './client';

/**
 * File-server addresses for `<img>` and download links. The file server asks for a
 * token, which a browser cannot attach to those, so the API signs each address for an
 * hour (`files.sign_urls`); addresses elsewhere come back as they are. Requests made in
 * the same moment go out as one call, and answers are reused until shortly before they
 * expire.
 */
const REUSE_MS = 45 * 60_000;
const cache = new Map<string, { signed: string; until: number }>();
let waiting: Map<string, Array<(signed: string) => void>> | null = null;

async function flush(batch: Map<string, Array<(signed: string) => void>>): Promise<void> {
  const urls = [...batch.keys()];
  let signed: string[];
  try {
    signed = (await call<{ urls: string[] }>('files.sign_urls', { urls })).urls;
  } catch {
    // Unsigned addresses still work with --public-files; otherwise the image shows as broken.
    signed = urls;
  }
  const until = Date.now() + REUSE_MS;
  urls.forEach((u, i) => {
    cache.set(u, { signed: signed[i], until });
    for (const done of batch.get(u) ?? []) done(signed[i]);
  });
}

export function signUrl(url: string): Promise<string> {
  const hit = cache.get(url);
  if (hit && hit.until > Date.now()) return Promise.resolve(hit.signed);
  return new Promise((resolve) => {
    if (!waiting) {
      const batch = new Map<string, Array<(signed: string) => void>>();
      waiting = batch;
      setTimeout(() => {
        waiting = null;
        void flush(batch);
      }, 0);
    }
    const list = waiting.get(url) ?? [];
    list.push(resolve);
    waiting.set(url, list);
  });
}

/** The signed form of `url` once known (undefined until then, or when `url` is). */
export function useSignedUrl(url: string | undefined): string | undefined {
  const [signed, setSigned] = useState<string | undefined>(() => {
    const hit = url ? cache.get(url) : undefined;
    return hit && hit.until > Date.now() ? hit.signed : undefined;
  });
  useEffect(() => {
    if (!url) {
      setSigned(undefined);
      return;
    }
    let live = true;
    void signUrl(url).then((s) => live && setSigned(s));
    return () => {
      live = false;
    };
  }, [url]);
  return signed;
}
