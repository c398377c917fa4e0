import { createHash, randomBytes } from 'node:crypto';
import { API_VERSION, Errors, isoDate, SERVER_VERSION, type Identity, type TokenClaims } from '@cairn/protocol';
import { ApiError } from '../http/api-error.js';
import type { Store } from '../store/store.js';
import { signJwt, verifyJwt } from './jwt.js';
import { LoginGuard } from './login-guard.js';
import { verifyNothing, verifySecret } from './secret-hash.js';
import { readSigningKey } from './signing-key.js';

/** Who made a call, and through what: a key pair's token, or a password sign-in's session. */
export interface Caller {
  identity: Identity;
  /** the access key the token was issued for ('' for a password sign-in) */
  accessKey: string;
  /** the session of a password sign-in, which sign-out and a password change end */
  session?: string;
}

type Claims = TokenClaims & { key?: string; sid?: string };

const TOUCH_INTERVAL_MS = 60_000;
/** How often the signing key is read again from the store, to notice a rotation (`cairn rotate-signing-key`). */
const KEY_RELOAD_MS = 5_000;

/**
 * Turns credentials into signed tokens and tokens back into callers. Every call re-reads
 * the user behind a token: a disabled user, a revoked key or an ended session stops
 * working at once, and a role change applies to tokens already handed out.
 */
export class Authenticator {
  /** Secrets already verified in this process, keyed by access key, to skip scrypt on every login. */
  private readonly verified = new Map<string, string>();
  /** When each key's last use was written: at most once a minute per key, not on every call. */
  private readonly lastTouched = new Map<string, number>();
  private keyCheckedAt = 0;

  constructor(
    private readonly store: Store,
    private secret: Buffer,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
    readonly guard: LoginGuard = new LoginGuard(),
  ) {}

  private async identityFor(userId: string): Promise<Identity> {
    const user = await this.store.users.get(userId);
    if (!user) throw new ApiError(Errors.invalidCredentials, 'the user of these credentials no longer exists');
    if (user.disabled) throw new ApiError(Errors.invalidCredentials, `user ${user.name} is disabled`);
    return { user: user.id, user_name: user.name, company: user.company, company_name: 'Cairn', role: user.role };
  }

  /** A token for the caller; its lifetime is the server's `--token-ttl` or the shorter one asked for. */
  issue(identity: Identity, accessKey: string, expirationSec?: number, session?: string): string {
    const iat = Math.floor(this.now() / 1000);
    const ttl = expirationSec && expirationSec > 0 ? Math.min(expirationSec, this.ttlSeconds) : this.ttlSeconds;
    const claims: Claims = {
      identity,
      iat,
      exp: iat + ttl,
      env: 'production',
      api_version: API_VERSION,
      server_version: SERVER_VERSION,
      server_build: 'cairn',
      feature_set: 'basic',
      key: accessKey,
      ...(session ? { sid: session } : {}),
    };
    return signJwt(claims, this.secret);
  }

  get tokenTtlSeconds(): number {
    return this.ttlSeconds;
  }

  /** The current token-signing key, from which file-URL signatures derive theirs. */
  get signingKey(): Buffer {
    return this.secret;
  }

  /**
   * `auth.login`: `Authorization: Basic key:secret` (or user:password from the web UI), or a
   * Bearer token to renew. Each attempt costs one scrypt whether or not the name exists,
   * and failures count against the address and the account (429 past the limit).
   */
  async login(header: string | undefined, address: string): Promise<Caller> {
    if (!header) throw new ApiError(Errors.missingCredentials, 'missing Authorization header');
    const [scheme, value] = header.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return this.verifyToken(value);
    if (scheme?.toLowerCase() !== 'basic' || !value) throw new ApiError(Errors.malformedCredentials);
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep <= 0) throw new ApiError(Errors.malformedCredentials);
    const account = decoded.slice(0, sep);
    const secret = decoded.slice(sep + 1);
    this.guard.check(address, account);
    const caller = await this.checkSecret(account, secret);
    if (!caller) {
      this.guard.failed(address, account);
      throw new ApiError(Errors.invalidCredentials);
    }
    this.guard.succeeded(account);
    return caller;
  }

  /** The caller for a key pair or a user name and password; undefined when they do not match. */
  private async checkSecret(account: string, secret: string): Promise<Caller | undefined> {
    const cred = await this.store.credentials.get(account);
    if (cred) {
      const cacheKey = `${cred.secret_hash}\u0000${createHash('sha256').update(secret).digest('hex')}`;
      if (this.verified.get(account) !== cacheKey) {
        if (!(await verifySecret(secret, cred.secret_hash))) return undefined;
        this.verified.set(account, cacheKey);
      }
      if (cred.revoked) return undefined;
      await this.noteUse(account);
      return { identity: await this.identityFor(cred.user), accessKey: account };
    }
    const user = await this.store.users.findByName(account);
    const hash = user ? await this.store.users.getPasswordHash(user.id) : undefined;
    if (!user || !hash) return verifyNothing(secret).then(() => undefined);
    if (!(await verifySecret(secret, hash))) return undefined;
    const session = await this.openSession(user.id);
    return { identity: await this.identityFor(user.id), accessKey: '', session };
  }

  private async openSession(userId: string): Promise<string> {
    const id = randomBytes(16).toString('hex');
    const now = this.now();
    await this.store.sessions.create({ id, user: userId, created: isoDate(now), expires: now + this.ttlSeconds * 1000, revoked: false });
    return id;
  }

  private async noteUse(accessKey: string): Promise<void> {
    const nowMs = this.now();
    if (nowMs - (this.lastTouched.get(accessKey) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(accessKey, nowMs);
    await this.store.credentials.touch(accessKey, isoDate(nowMs));
  }

  /** `Authorization: Bearer <jwt>` → the caller. */
  async checkBearer(header: string | undefined): Promise<Caller> {
    if (!header) throw new ApiError(Errors.missingCredentials, 'missing Authorization header');
    const [scheme, token] = header.split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new ApiError(Errors.malformedCredentials, 'expected a Bearer token');
    return this.verifyToken(token);
  }

  /** Ends the session of a password sign-in (sign-out); a key's token ends with its key. */
  async endSession(session: string | undefined): Promise<void> {
    if (session) await this.store.sessions.revoke(session);
  }

  private async verifyToken(token: string): Promise<Caller> {
    const nowSec = Math.floor(this.now() / 1000);
    await this.reloadKey();
    const result = verifyJwt<Claims>(token, this.secret, nowSec);
    if (!result.ok) {
      throw new ApiError(result.reason === 'expired' ? Errors.tokenExpired : Errors.invalidToken,
        result.reason === 'expired' ? 'token expired' : 'invalid token');
    }
    const { identity, key, sid } = result.claims;
    if (!identity || typeof identity.user !== 'string') throw new ApiError(Errors.invalidToken);
    if (key) {
      const cred = await this.store.credentials.get(key);
      if (!cred || cred.revoked) throw new ApiError(Errors.invalidToken, 'the credentials of this token were revoked');
      await this.noteUse(key);
    } else if (sid) {
      const session = await this.store.sessions.get(sid);
      if (!session || session.revoked || session.user !== identity.user) throw new ApiError(Errors.invalidToken, 'this session has ended; sign in again');
    } else {
      throw new ApiError(Errors.invalidToken, 'the token names neither a key nor a session');
    }
    return { identity: await this.identityFor(identity.user).catch((err: ApiError) => {
      throw new ApiError(Errors.invalidToken, err.message);
    }), accessKey: key ?? '', session: sid };
  }

  /** Takes up a key rotated in the store since it was last read (by another process or replica). */
  private async reloadKey(): Promise<void> {
    const now = this.now();
    if (now - this.keyCheckedAt < KEY_RELOAD_MS) return;
    this.keyCheckedAt = now;
    const current = await readSigningKey(this.store);
    if (current) this.secret = current;
  }
}
