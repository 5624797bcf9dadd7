/** The service serves the built dashboard at `/`; without a build, `/` says how to make one and /api is unchanged. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { webPlugin } from '../../packages/server/src/http/web.js';
import { api, startTestServer } from '../server/helpers.js';

test('without packages/web/dist, / answers 503 in plain text saying to run npm run build', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'antiphase-web-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const app = Fastify();
  t.after(() => app.close());
  await app.register(webPlugin, { root: empty });
  const reply = await app.inject({ method: 'GET', url: '/' });
  assert.equal(reply.statusCode, 503);
  assert.match(reply.headers['content-type'] as string, /^text\/plain/);
  assert.match(reply.body, /npm run build/);
});

test('the service keeps JSON 404s under /api next to the dashboard', async (t) => {
  const server = await startTestServer(t);
  const missing = await api(server, 'GET', '/api/v1/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'NOT_FOUND');
  const stream = await api(server, 'GET', '/api/v1/dashboard/stream?access_token=bad');
  assert.equal(stream.status, 401);
  assert.equal(stream.body.error.code, 'UNAUTHORIZED');
});
