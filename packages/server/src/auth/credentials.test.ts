import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiKeySecretMatches, generateApiKey, parseApiKey } from './api-keys.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { bearerToken } from './service.js';

test('passwords are hashed with argon2id and verify only with the right password', async () => {
  const hash = await hashPassword('correct horse');
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await verifyPassword(hash, 'correct horse'), true);
  assert.equal(await verifyPassword(hash, 'wrong horse'), false);
  assert.equal(await verifyPassword('not a hash', 'x'), false);
});

test('API keys: ap_<prefix>_<secret>, 256-bit secrets, only the sha256 of the secret is kept', () => {
  const { key, prefix, keyHash } = generateApiKey();
  const parsed = parseApiKey(key);
  assert.equal(parsed?.prefix, prefix);
  assert.equal(Buffer.from(parsed!.secret, 'base64url').length, 32);
  assert.match(keyHash, /^[0-9a-f]{64}$/);
  assert.ok(!keyHash.includes(parsed!.secret));
  assert.equal(apiKeySecretMatches(parsed!.secret, keyHash), true);
  assert.equal(apiKeySecretMatches(parsed!.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), keyHash), false);
  assert.equal(parseApiKey('ap_xyz_short'), undefined);
  assert.notEqual(generateApiKey().key, key);
});

test('bearerToken reads only the Bearer scheme', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer abc'), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});
