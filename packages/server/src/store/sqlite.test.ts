import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite.js';
import { MIGRATIONS } from './migrations.js';

function tempDb(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'antiphase-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'test.db');
}

test('migrations are applied once, in order, recorded in schema_migrations; the database runs in WAL mode', async (t) => {
  const path = tempDb(t);
  const store = new SqliteStore({ path });
  await store.migrate();
  await store.migrate();
  assert.deepEqual(store.appliedMigrations(), MIGRATIONS.map((m) => m.version));
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  await store.close();
  await store.close(); // idempotent
});

test('a failing migration leaves the schema as it was', async (t) => {
  const store = new SqliteStore({ path: tempDb(t), migrations: [...MIGRATIONS, { version: 99, name: 'broken', sql: 'CREATE TABLE x (a); NOT SQL;' }] });
  t.after(() => store.close());
  await assert.rejects(store.migrate());
  assert.deepEqual(store.appliedMigrations(), []);
  assert.equal(store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'users'").get(), undefined);
});

test('only the first user becomes admin; API keys revoke once; sessions and jobs round-trip their JSON', async (t) => {
  const store = new SqliteStore({ path: tempDb(t) });
  t.after(() => store.close());
  await store.migrate();
  const now = new Date().toISOString();
  const a = await store.createUserFirstIsAdmin({ id: 'a', email: 'a@x.io', passwordHash: 'h', createdAt: now });
  const b = await store.createUserFirstIsAdmin({ id: 'b', email: 'b@x.io', passwordHash: 'h', createdAt: now });
  assert.equal(a.role, 'admin');
  assert.equal(b.role, 'user');
  await assert.rejects(store.createUser({ id: 'c', email: 'A@X.IO', passwordHash: 'h', createdAt: now }), /UNIQUE/);

  await store.createApiKey({ id: 'k', userId: 'a', name: 'n', prefix: 'p1', keyHash: 'ff', createdAt: now });
  assert.equal(await store.revokeApiKey('b', 'k', now), false, 'not the owner');
  assert.equal(await store.revokeApiKey('a', 'k', now), true);
  assert.equal((await store.apiKeyByPrefix('p1'))?.revokedAt, now);

  await store.createSession({ id: 's', userId: 'a', config: { sampleRate: 16000 }, phase: 'identifying', transport: 'rest', createdAt: now });
  await store.createSession({ id: 'open', userId: 'a', config: {}, phase: 'controlling', transport: 'ws', createdAt: now });
  await store.endSession('s', now, { framesProcessed: 3 });
  assert.deepEqual((await store.sessionById('s'))?.finalStats, { framesProcessed: 3 });
  assert.equal(await store.interruptOpenSessions(now), 1);
  assert.equal((await store.sessionById('open'))?.phase, 'interrupted');
  await store.appendSessionMetrics([{ sessionId: 's', t: now, nrDb: 12.5, frames: 100, late: 1, lost: 2, processingUsP50: 20, processingUsP99: 80 }]);
  assert.equal((await store.sessionMetrics('s', 10))[0].nrDb, 12.5);
  await store.appendNoiseEvent({ sessionId: 's', t: now, type: 'class-change', detail: { from: 'fan', to: 'engine' } });
  assert.deepEqual((await store.noiseEvents('s', 10))[0].detail, { from: 'fan', to: 'engine' });

  await store.createJob({ id: 'j', userId: 'a', createdAt: now, inputPaths: { primary: '/p', reference: '/r' }, options: { taps: 8 } });
  await store.setJobRunning('j');
  assert.equal(await store.requeueRunningJobs(), 1);
  assert.equal((await store.jobById('j'))?.status, 'queued');
  await store.finishJob('j', { status: 'done', finishedAt: now, resultPath: '/out.wav', report: { noiseReductionDb: 9 } });
  const job = await store.jobById('j');
  assert.deepEqual([job?.status, job?.resultPath, job?.report], ['done', '/out.wav', { noiseReductionDb: 9 }]);
});

test('migration 3 rebuilds sessions for the webrtc transport and keeps every session, metric and noise event', async (t) => {
  const path = tempDb(t);
  const before = new SqliteStore({ path, migrations: MIGRATIONS.filter((m) => m.version < 3) });
  await before.migrate();
  const now = new Date().toISOString();
  await before.createUserFirstIsAdmin({ id: 'a', email: 'a@x.io', passwordHash: 'h', createdAt: now });
  await before.createSession({ id: 's', userId: 'a', config: { sampleRate: 16000 }, phase: 'controlling', transport: 'ws', createdAt: now });
  await before.appendSessionMetrics([{ sessionId: 's', t: now, nrDb: 21, frames: 100, late: 0, lost: 0, processingUsP50: 20, processingUsP99: 80 }]);
  await before.appendNoiseEvent({ sessionId: 's', t: now, type: 'bypass-on', detail: { label: 'siren' } });
  await assert.rejects(before.createSession({ id: 'w', userId: 'a', config: {}, phase: 'controlling', transport: 'webrtc', createdAt: now }), /CHECK/);
  await before.close();

  const after = new SqliteStore({ path });
  t.after(() => after.close());
  await after.migrate();
  assert.deepEqual(after.appliedMigrations(), MIGRATIONS.map((m) => m.version));
  assert.equal((await after.sessionById('s'))?.transport, 'ws');
  assert.equal((await after.sessionMetrics('s', 10))[0].nrDb, 21);
  assert.equal((await after.noiseEvents('s', 10))[0].type, 'bypass-on');
  await after.createSession({ id: 'w', userId: 'a', config: {}, phase: 'controlling', transport: 'webrtc', createdAt: now });
  assert.equal(after.db.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are back on');
  await assert.rejects(after.appendNoiseEvent({ sessionId: 'nope', t: now, type: 'x', detail: {} }), /FOREIGN KEY/);
});
