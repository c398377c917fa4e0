import { createHash } from 'node:crypto';
import { API_VERSION, Errors, SERVER_VERSION, type Identity, type TokenClaims } from '@cairn/protocol';
import { ApiError } from '../http/api-error.js';
import type { Store } from '../store/store.js';
import { signJwt, verifyJwt } from './jwt.js';
import { verifySecret } from './secret-hash.js';

const TOUCH_INTERVAL_MS = 60_000;

/** Turns credentials into signed tokens and tokens back into identities. */
export class Authenticator {
  /** Secrets already verified in this process, keyed by access key, to skip scrypt on every login. */
  private readonly verified = new Map<string, string>();
  /** When each key's last use was written: at most once a minute per key, not on every call. */
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly secret: Buffer,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  private async identityFor(userId: string): Promise<Identity> {
    const user = await this.store.users.get(userId);
    if (!user) throw new ApiError(Errors.invalidCredentials, 'the user of these credentials no longer exists');
    return { user: user.id, user_name: user.name, company: user.company, company_name: 'Cairn', role: user.role };
  }

  issue(identity: Identity, accessKey: string, expirationSec?: number): string {
    const iat = Math.floor(Date.now() / 1000);
    const ttl = expirationSec && expirationSec > 0 ? Math.min(expirationSec, 365 * 24 * 3600) : this.ttlSeconds;
    const claims: TokenClaims & { key: string } = {
      identity,
      iat,
      exp: iat + ttl,
      env: 'production',
      api_version: API_VERSION,
      server_version: SERVER_VERSION,
      server_build: 'cairn',
      feature_set: 'basic',
      key: accessKey,
    };
    return signJwt(claims, this.secret);
  }

  /** `Authorization: Basic key:secret` → identity and the access key used. */
  async checkBasic(header: string | undefined): Promise<{ identity: Identity; accessKey: string }> {
    if (!header) throw new ApiError(Errors.missingCredentials, 'missing Authorization header');
    const [scheme, value] = header.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return this.verifyToken(value);
    if (scheme?.toLowerCase() !== 'basic' || !value) throw new ApiError(Errors.malformedCredentials);
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep <= 0) throw new ApiError(Errors.malformedCredentials);
    const accessKey = decoded.slice(0, sep);
    const secret = decoded.slice(sep + 1);
    const cred = await this.store.credentials.get(accessKey);
    if (!cred) return this.checkPassword(accessKey, secret);
    if (cred.revoked) throw new ApiError(Errors.invalidCredentials);
    const cacheKey = `${cred.secret_hash}\u0000${createHash('sha256').update(secret).digest('hex')}`;
    if (this.verified.get(accessKey) !== cacheKey) {
      if (!verifySecret(secret, cred.secret_hash)) throw new ApiError(Errors.invalidCredentials);
      this.verified.set(accessKey, cacheKey);
    }
    await this.noteUse(accessKey);
    return { identity: await this.identityFor(cred.user), accessKey };
  }

  /** The web UI signs in with a user name and password through the same Basic scheme. */
  private async checkPassword(userName: string, password: string): Promise<{ identity: Identity; accessKey: string }> {
    const user = await this.store.users.findByName(userName);
    const hash = user ? await this.store.users.getPasswordHash(user.id) : undefined;
    if (!user || !hash || !verifySecret(password, hash)) throw new ApiError(Errors.invalidCredentials);
    return { identity: await this.identityFor(user.id), accessKey: '' };
  }

  private async noteUse(accessKey: string): Promise<void> {
    const nowMs = this.now();
    if (nowMs - (this.lastTouched.get(accessKey) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(accessKey, nowMs);
    await this.store.credentials.touch(accessKey, new Date(nowMs).toISOString());
  }

  /** `Authorization: Bearer <jwt>` → identity; the token's key must not have been revoked. */
  async checkBearer(header: string | undefined): Promise<Identity> {
    if (!header) throw new ApiError(Errors.missingCredentials, 'missing Authorization header');
    const [scheme, token] = header.split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new ApiError(Errors.malformedCredentials, 'expected a Bearer token');
    return (await this.verifyToken(token)).identity;
  }

  private async verifyToken(token: string): Promise<{ identity: Identity; accessKey: string }> {
    const result = verifyJwt<TokenClaims & { key?: string }>(token, this.secret, Math.floor(Date.now() / 1000));
    if (!result.ok) {
      throw new ApiError(result.reason === 'expired' ? Errors.tokenExpired : Errors.invalidToken,
        result.reason === 'expired' ? 'token expired' : 'invalid token');
    }
    const { identity, key } = result.claims;
    if (!identity || typeof identity.user !== 'string') throw new ApiError(Errors.invalidToken);
    if (key) {
      const cred = await this.store.credentials.get(key);
      if (!cred || cred.revoked) throw new ApiError(Errors.invalidToken, 'the credentials of this token were revoked');
      await this.noteUse(key);
    }
    return { identity, accessKey: key ?? '' };
  }
}
