/**
 * The web dashboard in a real browser against a real service on loopback: log in, watch a session the Node client
 * streams appear with the NR and worker latency that GET /api/v1/sessions/:id reports, change the step size from
 * the session view, and the bad inputs — an invalid token and a dead service — end in a message, not a blank page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { VirtualRoom, WsStreamClient } from '@antiphase/client';
import { api, startTestServer } from '../server/helpers.js';
import { openPage, registerThroughPage, skipReason } from './browser.js';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const skip = skipReason() ?? false;

test('a streamed session appears live on the dashboard with the NR and latency the API reports; the session view changes its step size', { skip, timeout: 120_000 }, async (t) => {
  const server = await startTestServer(t);
  const { page, errors } = await openPage(t, server.url);
  await registerThroughPage(page, 'admin@example.com');
  const login = await api(server, 'POST', '/api/v1/auth/login', { json: { email: 'admin@example.com', password: 'correct horse battery' } });
  const token = login.body.token as string;

  // The Node SDK streams the engine scene: 1 s identification, then control; unpaced so the run is short.
  const room = new VirtualRoom({ scene: 'engine', frameSize: 32, pace: false, slotDeadlineMs: 250, identificationS: 1 });
  const client = new WsStreamClient();
  t.after(() => client.close());
  const ready = await client.connect({ url: server.url, token, config: room.sessionConfig() });
  const id = ready.sessionId;
  await room.run(client, { durationS: 6 });

  const row = page.locator(`tr[data-session="${id}"]`);
  await row.waitFor();
  // The last per-second stats of the run reach the page within one push.
  await page.waitForFunction((sessionId) => {
    const cell = document.querySelector(`tr[data-session="${sessionId}"] [data-field="nrDb"]`);
    return cell !== null && cell.textContent !== '–' && Number(cell.textContent) > 0;
  }, id);
  await page.waitForTimeout(2500);
  const shown = await row.locator('[data-field="nrDb"]').textContent();
  const [p50, p99] = (await row.locator('[data-field="latency"]').textContent())!.split('/').map((s) => Number(s.trim()));
  const view = await api(server, 'GET', `/api/v1/sessions/${id}`, { token });
  assert.equal(view.status, 200);
  const stats = view.body.stats;
  t.diagnostic(`page NR ${shown} dB, p50/p99 ${p50}/${p99} µs; API NR ${stats.nrDb} dB, p50/p99 ${stats.processingUsP50}/${stats.processingUsP99} µs`);
  assert.equal(shown, stats.nrDb.toFixed(1));
  assert.ok(stats.nrDb >= 20, `engine scene NR ${stats.nrDb} dB`);
  // The page shows the engine's last per-second stats; GET reads the worker's live 1024-frame window, which has
  // moved by the frames after that second: close, not equal.
  assert.ok(Math.abs(p50 - stats.processingUsP50) <= Math.max(3, 0.5 * stats.processingUsP50), `p50 ${p50} vs ${stats.processingUsP50}`);
  assert.ok(Math.abs(p99 - stats.processingUsP99) <= Math.max(10, 0.5 * stats.processingUsP99), `p99 ${p99} vs ${stats.processingUsP99}`);
  assert.ok(await page.locator('#latency-chart canvas').count() > 0, 'the latency chart is drawn');
  await page.screenshot({ path: `${SCREENSHOTS}dashboard.png`, fullPage: true });

  // Session view: keyboard to the link, then change μ with labelled controls.
  await row.getByRole('link').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Session/ }).waitFor();
  await page.getByLabel('Step size (μ)').fill('0.0042');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('Applied (μ = 0.0042).').waitFor();
  const after = await api(server, 'GET', `/api/v1/sessions/${id}`, { token });
  assert.equal(after.body.stats.config.stepSize, 0.0042, 'the running engine session reports the new step size');
  await page.screenshot({ path: `${SCREENSHOTS}session.png`, fullPage: true });
  assert.deepEqual(errors, []);
});

test('an invalid token sends the page back to the login form with a message', { skip, timeout: 60_000 }, async (t) => {
  const server = await startTestServer(t);
  const { page, errors } = await openPage(t, server.url);
  await page.evaluate(() => sessionStorage.setItem('antiphase.token', 'not-a-jwt'));
  await page.goto(`${server.url}/#/dashboard`);
  await page.getByText('Your login has expired or is invalid. Please log in again.').waitFor();
  assert.ok(await page.getByLabel('Email').isVisible());
  // The browser itself logs the refused requests; nothing else may fail.
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|EventSource/.test(e)), []);
});

test('a dead service shows a message on the dashboard instead of a blank page', { skip, timeout: 60_000 }, async (t) => {
  const server = await startTestServer(t);
  const { page, errors } = await openPage(t, server.url);
  await registerThroughPage(page, 'someone@example.com');
  await page.getByText('Live: updates every second.').waitFor();
  await server.close();
  await page.getByRole('alert').filter({ hasText: 'The Antiphase service cannot be reached' }).waitFor();
  assert.ok(await page.getByRole('heading', { name: 'Live sessions' }).isVisible(), 'the dashboard stays on screen');
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|EventSource/.test(e)), []);
});
