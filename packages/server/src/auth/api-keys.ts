/**
 * API keys: `ap_<prefix>_<secret>`. The prefix (8 hex characters, 32 bits) is public and finds the row; the secret
 * is 32 random bytes (256 bits, base64url). The store keeps sha256(secret) only.
 *
 * Why a fast hash: a slow hash (argon2, bcrypt) protects low-entropy secrets such as passwords against guessing
 * after a database leak. A 256-bit random secret cannot be guessed, fast hash or not (2^256 sha256 evaluations),
 * so sha256 gives the same protection while keeping every authenticated request (REST, WebSocket upgrade, gRPC
 * call) at microseconds instead of tens of milliseconds of CPU.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'ap';
const SECRET_BYTES = 32;
const PREFIX_BYTES = 4;
const KEY_PATTERN = /^ap_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  /** The whole key, shown to its owner once. */
  key: string;
  prefix: string;
  /** sha256 of the secret part, hex. */
  keyHash: string;
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(PREFIX_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { key: `${API_KEY_PREFIX}_${prefix}_${secret}`, prefix, keyHash: hashApiKeySecret(secret) };
}

/** Splits a key into prefix and secret; undefined when it does not have the shape of a key. */
export function parseApiKey(key: string): { prefix: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(key);
  return match ? { prefix: match[1], secret: match[2] } : undefined;
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(`${API_KEY_PREFIX}_`);
}

/** Constant-time comparison of the secret's hash with the stored one. */
export function apiKeySecretMatches(secret: string, keyHash: string): boolean {
  const a = Buffer.from(hashApiKeySecret(secret), 'hex');
  const b = Buffer.from(keyHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
