import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, parseDuration } from './config.js';

test('defaults: loopback, 8080/50051, ./data, one hour tokens, registration open', () => {
  const config = loadConfig({});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8080);
  assert.equal(config.grpcPort, 50051);
  assert.equal(config.dataDir, resolve('./data'));
  assert.equal(config.dbPath, join(resolve('./data'), 'antiphase.db'));
  assert.equal(config.jwtSecret, undefined);
  assert.equal(config.jwtTtlSeconds, 3600);
  assert.equal(config.allowRegistration, true);
  assert.equal(config.maxBodyBytes, 1024 * 1024);
  assert.equal(config.maxUploadBytes, 50 * 1024 * 1024);
  assert.equal(config.logLevel, 'silent');
});

test('environment variables are parsed and the database follows the data directory', () => {
  const config = loadConfig({
    ANTIPHASE_HOST: '0.0.0.0', ANTIPHASE_PORT: '0', ANTIPHASE_DATA_DIR: '/tmp/ap', ANTIPHASE_JWT_TTL: '15m',
    ANTIPHASE_ALLOW_REGISTRATION: 'false', ANTIPHASE_WORKERS: '0', ANTIPHASE_LOG_LEVEL: 'info',
  });
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.port, 0);
  assert.equal(config.dbPath, '/tmp/ap/antiphase.db');
  assert.equal(config.jwtTtlSeconds, 900);
  assert.equal(config.allowRegistration, false);
  assert.equal(config.workers, 0);
  assert.equal(config.logLevel, 'info');
});

test('every bad value is an error naming its variable', () => {
  const cases: [Record<string, string>, string][] = [
    [{ ANTIPHASE_PORT: '80a' }, 'ANTIPHASE_PORT'],
    [{ ANTIPHASE_PORT: '70000' }, 'ANTIPHASE_PORT'],
    [{ ANTIPHASE_GRPC_PORT: '-1' }, 'ANTIPHASE_GRPC_PORT'],
    [{ ANTIPHASE_JWT_TTL: 'forever' }, 'ANTIPHASE_JWT_TTL'],
    [{ ANTIPHASE_JWT_SECRET: 'short' }, 'ANTIPHASE_JWT_SECRET'],
    [{ ANTIPHASE_ALLOW_REGISTRATION: 'maybe' }, 'ANTIPHASE_ALLOW_REGISTRATION'],
    [{ ANTIPHASE_WORKERS: 'many' }, 'ANTIPHASE_WORKERS'],
    [{ ANTIPHASE_MAX_SESSIONS: '0' }, 'ANTIPHASE_MAX_SESSIONS'],
    [{ ANTIPHASE_MAX_BODY_BYTES: '1.5' }, 'ANTIPHASE_MAX_BODY_BYTES'],
    [{ ANTIPHASE_LOG_LEVEL: 'loud' }, 'ANTIPHASE_LOG_LEVEL'],
    [{ ANTIPHASE_HOST: 'exa mple' }, 'ANTIPHASE_HOST'],
    [{ ANTIPHASE_CONFIG: '/no/such/file.json' }, 'ANTIPHASE_CONFIG'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.variable === variable && error.message.startsWith(variable), variable);
  }
});

test('a JSON file sets values; the environment wins over it; unknown keys are refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'antiphase-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ port: 9000, grpcPort: 9001, allowRegistration: false, jwtTtlSeconds: '2h' }));
  const config = loadConfig({ ANTIPHASE_CONFIG: file, ANTIPHASE_GRPC_PORT: '9002' });
  assert.equal(config.port, 9000);
  assert.equal(config.grpcPort, 9002);
  assert.equal(config.allowRegistration, false);
  assert.equal(config.jwtTtlSeconds, 7200);
  writeFileSync(file, JSON.stringify({ prot: 9000 }));
  assert.throws(() => loadConfig({ ANTIPHASE_CONFIG: file }), /ANTIPHASE_CONFIG .*unknown key "prot"/);
  writeFileSync(file, '{ not json');
  assert.throws(() => loadConfig({ ANTIPHASE_CONFIG: file }), /ANTIPHASE_CONFIG .*not valid JSON/);
});

test('durations accept plain seconds and s/m/h/d', () => {
  assert.equal(parseDuration('X', '90'), 90);
  assert.equal(parseDuration('X', '90s'), 90);
  assert.equal(parseDuration('X', '1.5h'), 5400);
  assert.equal(parseDuration('X', '7d'), 604800);
  assert.throws(() => parseDuration('X', '0'), /X must be at least 1 second/);
});
