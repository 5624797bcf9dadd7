import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, decodeJwt } from 'jose';
import { api, startTestServer, userToken } from './helpers.js';

test('the first registered user is admin, later ones are users; login returns a JWT with sub, role and exp', async (t) => {
  const server = await startTestServer(t);
  const first = await api(server, 'POST', '/api/v1/auth/register', { json: { email: 'Root@Example.com', password: 'first password' } });
  assert.equal(first.status, 201);
  assert.equal(first.body.role, 'admin');
  assert.equal(first.body.email, 'root@example.com');
  assert.equal(first.body.passwordHash, undefined);
  const second = await api(server, 'POST', '/api/v1/auth/register', { json: { email: 'user@example.com', password: 'second password' } });
  assert.equal(second.body.role, 'user');
  const duplicate = await api(server, 'POST', '/api/v1/auth/register', { json: { email: 'USER@example.com', password: 'another one' } });
  assert.equal(duplicate.status, 409);
  assert.equal(duplicate.body.error.code, 'CONFLICT');
  const weak = await api(server, 'POST', '/api/v1/auth/register', { json: { email: 'weak@example.com', password: 'short' } });
  assert.equal(weak.status, 400);
  assert.equal(weak.body.error.code, 'BAD_REQUEST');

  const login = await api(server, 'POST', '/api/v1/auth/login', { json: { email: 'user@example.com', password: 'second password' } });
  assert.equal(login.status, 200);
  const claims = decodeJwt(login.body.token);
  assert.equal(claims.sub, second.body.id);
  assert.equal(claims.role, 'user');
  assert.ok(typeof claims.exp === 'number' && claims.exp > Date.now() / 1000 && claims.exp <= Date.now() / 1000 + 3600 + 5);
  const me = await api(server, 'GET', '/api/v1/auth/me', { token: login.body.token });
  assert.equal(me.status, 200);
  assert.equal(me.body.email, 'user@example.com');

  const wrong = await api(server, 'POST', '/api/v1/auth/login', { json: { email: 'user@example.com', password: 'not it' } });
  assert.equal(wrong.status, 401);
  assert.deepEqual(Object.keys(wrong.body.error).sort(), ['code', 'message']);
  const nobody = await api(server, 'POST', '/api/v1/auth/login', { json: { email: 'nobody@example.com', password: 'not it' } });
  assert.equal(nobody.status, 401);
  assert.equal(nobody.body.error.message, wrong.body.error.message, 'no hint whether the account exists');
});

test('missing, malformed, forged and expired tokens are 401 with a JSON error', async (t) => {
  const dataDir = join((await import('node:os')).tmpdir(), `antiphase-auth-${process.pid}-${Date.now()}`);
  const server = await startTestServer(t, {}, dataDir);
  t.after(() => import('node:fs').then((fs) => fs.rmSync(dataDir, { recursive: true, force: true })));
  const token = await userToken(server, 'a@example.com');
  const secretFile = join(dataDir, 'jwt-secret');
  assert.equal(statSync(secretFile).mode & 0o777, 0o600, 'the generated secret is private to its owner');
  const secret = Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'base64url');
  const sub = decodeJwt(token).sub!;
  const expired = await new SignJWT({ role: 'user' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('antiphase')
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(secret);
  const forged = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('antiphase')
    .setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(32)));
  const valid = await new SignJWT({ role: 'user' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('antiphase')
    .setExpirationTime('1h').sign(secret);
  for (const [what, headers] of [
    ['none', {}],
    ['not bearer', { authorization: `Basic ${token}` }],
    ['garbage', { authorization: 'Bearer abc.def.ghi' }],
    ['expired', { authorization: `Bearer ${expired}` }],
    ['forged', { authorization: `Bearer ${forged}` }],
  ] as const) {
    const reply = await api(server, 'GET', '/api/v1/auth/me', { headers });
    assert.equal(reply.status, 401, what);
    assert.equal(reply.body.error.code, 'UNAUTHORIZED', what);
  }
  assert.equal((await api(server, 'GET', '/api/v1/auth/me', { token: valid })).status, 200, 'a token signed with the stored secret works');
});

test('API keys: created once in clear, listed without secrets, revoked keys stop working at once; the database holds no clear secret', async (t) => {
  const dataDir = join((await import('node:os')).tmpdir(), `antiphase-keys-${process.pid}-${Date.now()}`);
  const server = await startTestServer(t, {}, dataDir);
  t.after(() => import('node:fs').then((fs) => fs.rmSync(dataDir, { recursive: true, force: true })));
  const password = 'a distinctive password 7361';
  const token = await userToken(server, 'keys@example.com', password);
  const other = await userToken(server, 'other@example.com');

  const created = await api(server, 'POST', '/api/v1/api-keys', { token, json: { name: 'edge node' } });
  assert.equal(created.status, 201);
  const key: string = created.body.key;
  assert.match(key, /^ap_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
  assert.equal(created.body.prefix, key.split('_')[1]);

  const me = await api(server, 'GET', '/api/v1/auth/me', { token: key });
  assert.equal(me.status, 200);
  assert.equal(me.body.email, 'keys@example.com');
  const session = await api(server, 'POST', '/api/v1/sessions', { token: key, json: { sampleRate: 16000, frameSize: 160 } });
  assert.equal(session.status, 201, 'an API key works for the whole API');

  const list = await api(server, 'GET', '/api/v1/api-keys', { token });
  assert.equal(list.body.apiKeys.length, 1);
  assert.equal(list.body.apiKeys[0].name, 'edge node');
  assert.equal(list.body.apiKeys[0].key, undefined);
  assert.ok(!JSON.stringify(list.body).includes(key.split('_').slice(2).join('_')), 'no secret in the list');

  const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  assert.equal((await api(server, 'GET', '/api/v1/auth/me', { token: tampered })).status, 401);
  assert.equal((await api(server, 'DELETE', `/api/v1/api-keys/${created.body.id}`, { token: other })).status, 404, 'another user cannot revoke it');
  assert.equal((await api(server, 'DELETE', `/api/v1/api-keys/${created.body.id}`, { token })).status, 204);
  const revoked = await api(server, 'GET', '/api/v1/auth/me', { token: key });
  assert.equal(revoked.status, 401);
  assert.equal(revoked.body.error.code, 'UNAUTHORIZED');
  assert.ok((await api(server, 'GET', '/api/v1/api-keys', { token })).body.apiKeys[0].revokedAt);

  await server.close(); // flush the WAL into the main file before reading the bytes
  const secretPart = key.split('_').slice(2).join('_');
  for (const file of readdirSync(dataDir).filter((f) => f.startsWith('antiphase.db'))) {
    const bytes = readFileSync(join(dataDir, file)).toString('latin1');
    assert.ok(!bytes.includes(password), `${file} holds no clear password`);
    assert.ok(!bytes.includes(secretPart), `${file} holds no clear API key`);
    assert.ok(!bytes.includes(key), `${file} holds no clear API key`);
  }
  const db = readFileSync(join(dataDir, 'antiphase.db')).toString('latin1');
  assert.ok(db.includes('$argon2id$'), 'passwords are stored as argon2id hashes');
});

test('with registration closed only the first user and admins can create accounts', async (t) => {
  const server = await startTestServer(t, { allowRegistration: false });
  const admin = await userToken(server, 'admin@example.com');
  const denied = await api(server, 'POST', '/api/v1/auth/register', { json: { email: 'walk-in@example.com', password: 'let me in please' } });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error.code, 'FORBIDDEN');
  const byAdmin = await api(server, 'POST', '/api/v1/auth/register', { token: admin, json: { email: 'invited@example.com', password: 'welcome aboard' } });
  assert.equal(byAdmin.status, 201);
  assert.equal(byAdmin.body.role, 'user');
});
