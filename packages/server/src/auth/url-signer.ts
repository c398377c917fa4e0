import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived signed addresses for the file server, for the browser: an `<img>` or a
 * download link cannot carry a token, and a token in a URL would outlive the page (it
 * lands in history and logs). A signature covers one stored path and an expiry only;
 * it is made with a key derived from the token-signing key, so rotating that key ends
 * these too.
 */
export const SIG_PARAM = 'cairn_sig';
export const EXP_PARAM = 'cairn_exp';
/** How long a signed address works. */
export const SIGNED_URL_TTL_SEC = 3600;

export class UrlSigner {
  constructor(private readonly signingKey: () => Buffer, private readonly now: () => number = Date.now) {}

  private mac(path: string, exp: number): Buffer {
    const key = createHmac('sha256', this.signingKey()).update('cairn file urls').digest();
    return createHmac('sha256', key).update(`${path}\n${exp}`).digest();
  }

  /** Query parameters that let GET and HEAD read `path` (the stored path, no leading slash). */
  sign(path: string, ttlSec = SIGNED_URL_TTL_SEC): { exp: number; sig: string } {
    const exp = Math.floor(this.now() / 1000) + ttlSec;
    return { exp, sig: this.mac(path, exp).toString('base64url') };
  }

  verify(path: string, exp: string | null, sig: string | null): boolean {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
    const expSec = Number(exp);
    if (expSec < Math.floor(this.now() / 1000)) return false;
    const given = Buffer.from(sig, 'base64url');
    const want = this.mac(path, expSec);
    return given.length === want.length && timingSafeEqual(given, want);
  }
}
