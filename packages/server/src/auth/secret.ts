/**
 * The JWT signing secret: ANTIPHASE_JWT_SECRET when set, else 32 random bytes generated on first start and kept in
 * <dataDir>/jwt-secret (mode 0600), so that issued tokens survive restarts.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const JWT_SECRET_FILE = 'jwt-secret';

export function loadOrCreateJwtSecret(dataDir: string, configured: string | undefined): Uint8Array {
  if (configured !== undefined) return new TextEncoder().encode(configured);
  const path = join(dataDir, JWT_SECRET_FILE);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    const bytes = Buffer.from(existing, 'base64url');
    if (bytes.length >= 32) return new Uint8Array(bytes);
    throw new Error(`${path} holds ${bytes.length} bytes of key, at least 32 needed: delete it to have a new one generated`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  // 'wx': fail rather than overwrite if another process created it meanwhile.
  writeFileSync(path, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600); // the mode above is filtered by the umask; make sure
  return new Uint8Array(secret);
}
