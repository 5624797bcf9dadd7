/**
 * Accounts and credentials: registration (the first user becomes admin), login (JWT), API keys, and authenticate()
 * — the one check every transport uses (REST header, WebSocket upgrade header or ?token=, gRPC metadata).
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../errors.js';
import type { ApiKeyRecord, Role, Store, UserRecord } from '../store/types.js';
import { apiKeySecretMatches, generateApiKey, looksLikeApiKey, parseApiKey } from './api-keys.js';
import { dummyPasswordHash, hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from './passwords.js';
import type { TokenIssuer } from './tokens.js';

/** Who is calling, and with what. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  /** 'jwt', or the id of the API key used. */
  via: 'jwt' | { apiKeyId: string };
}

export interface PublicUser {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
}

export interface PublicApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function publicUser(user: UserRecord): PublicUser {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt };
}

export function publicApiKey(key: ApiKeyRecord): PublicApiKey {
  return { id: key.id, name: key.name, prefix: key.prefix, createdAt: key.createdAt, revokedAt: key.revokedAt };
}

export class AuthService {
  constructor(
    private readonly store: Store,
    private readonly tokens: TokenIssuer,
    private readonly allowRegistration: boolean,
  ) {}

  /**
   * Registers a user. With registration closed, only an admin may create users — except the very first user, who
   * bootstraps the server and becomes admin.
   */
  async register(email: unknown, password: unknown, caller: Principal | undefined): Promise<PublicUser> {
    if (typeof email !== 'string' || !EMAIL_PATTERN.test(email) || email.length > 254) {
      throw new ApiError('BAD_REQUEST', 'email must be an email address');
    }
    if (typeof password !== 'string' || password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
      throw new ApiError('BAD_REQUEST', `password must be a string of ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
    }
    if (!this.allowRegistration && caller?.role !== 'admin' && (await this.store.countUsers()) > 0) {
      throw new ApiError('FORBIDDEN', 'registration is closed (ANTIPHASE_ALLOW_REGISTRATION=false): ask an admin to create the account');
    }
    const normalized = email.trim().toLowerCase();
    if (await this.store.userByEmail(normalized)) throw new ApiError('CONFLICT', 'an account with this email already exists');
    const passwordHash = await hashPassword(password);
    try {
      const user = await this.store.createUserFirstIsAdmin({ id: randomUUID(), email: normalized, passwordHash, createdAt: new Date().toISOString() });
      return publicUser(user);
    } catch (error) {
      if (String((error as Error).message).includes('UNIQUE')) throw new ApiError('CONFLICT', 'an account with this email already exists');
      throw error;
    }
  }

  async login(email: unknown, password: unknown): Promise<{ token: string; tokenType: 'Bearer'; expiresAt: string; user: PublicUser }> {
    if (typeof email !== 'string' || typeof password !== 'string') throw new ApiError('BAD_REQUEST', 'email and password must be strings');
    const user = await this.store.userByEmail(email.trim().toLowerCase());
    const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await dummyPasswordHash(), password), false);
    if (!user || !ok) throw new ApiError('UNAUTHORIZED', 'wrong email or password');
    const { token, expiresAt } = await this.tokens.issue(user.id, user.role);
    return { token, tokenType: 'Bearer', expiresAt, user: publicUser(user) };
  }

  async user(id: string): Promise<PublicUser> {
    const user = await this.store.userById(id);
    if (!user) throw new ApiError('NOT_FOUND', 'no such user');
    return publicUser(user);
  }

  async createApiKey(principal: Principal, name: unknown): Promise<PublicApiKey & { key: string }> {
    if (name !== undefined && (typeof name !== 'string' || name.length > 100)) throw new ApiError('BAD_REQUEST', 'name must be a string of at most 100 characters');
    const generated = generateApiKey();
    const record = await this.store.createApiKey({
      id: randomUUID(), userId: principal.userId, name: (name as string | undefined) ?? '', prefix: generated.prefix,
      keyHash: generated.keyHash, createdAt: new Date().toISOString(),
    });
    return { ...publicApiKey(record), key: generated.key };
  }

  async listApiKeys(principal: Principal): Promise<PublicApiKey[]> {
    return (await this.store.listApiKeys(principal.userId)).map(publicApiKey);
  }

  async revokeApiKey(principal: Principal, id: string): Promise<void> {
    if (!(await this.store.revokeApiKey(principal.userId, id, new Date().toISOString()))) throw new ApiError('NOT_FOUND', 'no such API key');
  }

  /**
   * Checks a bearer credential (a JWT or an API key) and returns who it belongs to; ApiError UNAUTHORIZED when it
   * is missing, malformed, expired, revoked or belongs to a user who no longer exists.
   */
  async authenticate(credential: string | undefined): Promise<Principal> {
    if (!credential) throw new ApiError('UNAUTHORIZED', 'missing credentials: send Authorization: Bearer <token or API key>');
    if (looksLikeApiKey(credential)) {
      const parsed = parseApiKey(credential);
      const key = parsed ? await this.store.apiKeyByPrefix(parsed.prefix) : undefined;
      if (!parsed || !key || !apiKeySecretMatches(parsed.secret, key.keyHash)) throw new ApiError('UNAUTHORIZED', 'invalid API key');
      if (key.revokedAt !== null) throw new ApiError('UNAUTHORIZED', 'this API key was revoked');
      const user = await this.store.userById(key.userId);
      if (!user) throw new ApiError('UNAUTHORIZED', 'the API key’s user no longer exists');
      return { userId: user.id, email: user.email, role: user.role, via: { apiKeyId: key.id } };
    }
    const claims = await this.tokens.verify(credential);
    if (!claims) throw new ApiError('UNAUTHORIZED', 'invalid or expired token');
    const user = await this.store.userById(claims.sub);
    if (!user) throw new ApiError('UNAUTHORIZED', 'the token’s user no longer exists');
    // The role comes from the store, not the claim: a demoted admin loses rights before the token expires.
    return { userId: user.id, email: user.email, role: user.role, via: 'jwt' };
  }
}

/** The credential in an `Authorization: Bearer …` header value; undefined when absent or another scheme. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : undefined;
}
