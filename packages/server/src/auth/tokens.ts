/** JWT access tokens: HS256 via jose, claims sub (user id), role, iat, exp. */
import { SignJWT, jwtVerify } from 'jose';
import type { Role } from '../store/types.js';

export interface TokenClaims {
  sub: string;
  role: Role;
  exp: number;
}

const ISSUER = 'antiphase';

export class TokenIssuer {
  constructor(
    private readonly secret: Uint8Array,
    readonly ttlSeconds: number,
  ) {}

  async issue(userId: string, role: Role): Promise<{ token: string; expiresAt: string }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.secret);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The claims of a valid token; undefined for a bad signature, an expired token or wrong claims. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER });
      if (typeof payload.sub !== 'string' || (payload.role !== 'user' && payload.role !== 'admin') || typeof payload.exp !== 'number') {
        return undefined;
      }
      return { sub: payload.sub, role: payload.role, exp: payload.exp };
    } catch {
      return undefined;
    }
  }
}
