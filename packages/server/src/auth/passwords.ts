/**
 * Passwords: argon2id (RFC 9106) via @node-rs/argon2, whose default algorithm is argon2id (the unit test checks the
 * PHC string says so). Passwords are low-entropy secrets, so a slow, memory-hard hash is the right tool here —
 * unlike API keys (api-keys.ts). Hashing runs on libuv's thread pool, off the event loop.
 */
import { hash, verify } from '@node-rs/argon2';

/** Cost parameters: 19 MiB, 2 passes, 1 lane — the OWASP Password Storage Cheat Sheet's argon2id baseline. */
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A fixed hash to verify against when the email is unknown, so that a login for a missing user takes as long as
 * one with a wrong password (no user enumeration by timing). Computed lazily once.
 */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('antiphase-dummy-password');
  return dummyHash;
}
