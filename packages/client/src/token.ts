/** The claims a client needs from the `auth.login` JWT; it is decoded, never verified, as the ClearML clients do. */
export interface TokenTimes {
  /** Issued-at, epoch seconds (0 when absent). */
  iat: number;
  /** Expiry, epoch seconds (Infinity when absent: the ClearML clients treat that as never expiring). */
  exp: number;
}

export function readTokenTimes(token: string): TokenTimes {
  const payload = token.split('.')[1];
  if (!payload) return { iat: 0, exp: Infinity };
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iat?: unknown; exp?: unknown };
    return {
      iat: typeof claims.iat === 'number' ? claims.iat : 0,
      exp: typeof claims.exp === 'number' ? claims.exp : Infinity,
    };
  } catch {
    return { iat: 0, exp: Infinity };
  }
}
