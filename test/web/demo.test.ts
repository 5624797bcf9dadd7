/**
 * The demo page in headless Chromium against a real service on loopback: the engine scene cancelled by ≥ 20 dB both
 * in the local AudioWorklet loop and through the service (WebRTC, else WebSocket), with the causality margins that
 * explain the difference; the microphone in real time; and the bad inputs — a denied microphone, a dead service, no
 * login — each end in a message on the page. The worklet's own time per quantum is printed as a benchmark figure
 * (recorded by `npm run bench:worklet` in docs/benchmarks.md), never asserted as a time limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startTestServer } from '../server/helpers.js';
import { DEFAULT_ARGS, openPage, registerThroughPage, skipReason } from './browser.js';
import { WEBRTC_FLAGS } from '../support/browser.js';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const skip = skipReason() ?? false;
/** WebRTC on loopback in headless Chromium (../shared/ECOSYSTEM.md). */
const WEBRTC_ARGS = [...new Set([...DEFAULT_ARGS, ...WEBRTC_FLAGS])];
/** What the browser itself logs for a refused connection: not an error of the page. */
const REFUSED = /Failed to load resource|ERR_CONNECTION_REFUSED|WebSocket connection to .* failed/;

async function runMode(page: Page, button: string, mode: 'local' | 'service'): Promise<void> {
  // Keyboard only: focus the labelled button and press Enter.
  await page.getByRole('button', { name: button }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: `Done: ${mode}` }).waitFor({ timeout: 90_000 });
}

test('the demo cancels the engine scene by ≥ 20 dB in the local AudioWorklet and through the service, and says why they differ', { skip, timeout: 240_000 }, async (t) => {
  const server = await startTestServer(t, { webrtcAddresses: ['127.0.0.1'] });
  const { page, errors } = await openPage(t, server.url, WEBRTC_ARGS);
  const refused: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) refused.push(`${r.request().method()} ${new URL(r.url()).pathname.replace(/[0-9a-f-]{36}$/, ':id')} ${r.status()}`);
  });
  await registerThroughPage(page, 'demo@example.com');
  await page.getByRole('link', { name: 'Demo' }).click();
  await page.getByLabel('Noise').selectOption('engine');

  await runMode(page, 'Run locally (AudioWorklet)', 'local');
  const localNr = Number(await page.locator('#local-nr').textContent());
  const timing = page.locator('#local-timing');
  const p50 = Number(await timing.getAttribute('data-p50-us'));
  const p99 = Number(await timing.getAttribute('data-p99-us'));
  t.diagnostic(`local AudioWorklet, engine: NR ${localNr} dB over the last 3 s; ${await timing.textContent()}`);
  assert.ok(localNr >= 20, `local NR ${localNr} dB`);
  assert.ok(p50 > 0 && p99 >= p50, `the worklet timed its quanta (median ${p50} µs, p99 ${p99} µs)`);
  assert.equal(await timing.getAttribute('data-quanta'), String((8 * 48000) / 128), 'every quantum of the 8 s run was timed');
  // The service sends COOP/COEP for the app, which is what gives the worklet's clock 5 µs instead of 100 µs.
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the page is cross-origin isolated');
  assert.match((await timing.textContent())!, /clock resolution 5 µs/);

  // Playback: a test cannot hear it, but the buttons must start and stop it without an error.
  await page.getByRole('button', { name: 'Play before (no control)' }).click();
  await page.getByText('Playing before (no control)').waitFor();
  await page.getByRole('button', { name: 'Play after (with ANC)' }).click();
  await page.getByText('Playing after (with ANC)').waitFor();
  await page.getByRole('button', { name: 'Stop' }).click();

  await page.getByLabel('Service frame').selectOption('480');
  await runMode(page, 'Run through the service', 'service');
  const serviceNr = Number(await page.locator('#service-nr').textContent());
  const serviceTiming = await page.locator('#service-timing').textContent();
  t.diagnostic(`service, engine, 10 ms frames: NR ${serviceNr} dB over the last 3 s; ${serviceTiming}`);
  assert.ok(serviceNr >= 20, `service NR ${serviceNr} dB`);
  assert.match(serviceTiming!, /^webrtc;/, 'the browser reached the service over WebRTC');

  // The reason: one quantum of delay leaves a positive margin, 2 frames of 480 samples a negative one.
  const localMargin = Number(await page.locator('#local-margin').getAttribute('data-samples'));
  const serviceMargin = Number(await page.locator('#service-margin').getAttribute('data-samples'));
  assert.equal(localMargin, 288 - (128 + 12));
  assert.equal(serviceMargin, 288 - (960 + 12));
  await page.getByText(/only periodic noise such as engine harmonics/).waitFor();
  await page.screenshot({ path: `${SCREENSHOTS}demo.png`, fullPage: true });
  // Known, outside the demo: RtcStreamClient.close() sends a best-effort DELETE for its peer after the close frame,
  // and the service, which already tore the peer down on that frame, answers 404 (the browser logs it). Allowed
  // only as exactly that request; any other failed request or console error fails the test.
  const knownRace = 'DELETE /api/v1/webrtc/peers/:id 404';
  assert.deepEqual(refused.filter((r) => r !== knownRace), [], 'no request failed but the known peer DELETE');
  const known = refused.length;
  assert.deepEqual(errors.filter((e, i) => !(i < known && /Failed to load resource: .* 404/.test(e))), []);
});

test('the microphone feeds the local loop in real time', { skip, timeout: 120_000 }, async (t) => {
  const server = await startTestServer(t);
  const { page, errors } = await openPage(t, `${server.url}/#/demo`); // Chromium's fake microphone, granted
  await page.getByLabel('Noise').selectOption('microphone');
  await page.getByRole('button', { name: 'Run locally (AudioWorklet)' }).click();
  await page.getByText('Listening to the microphone').waitFor();
  await page.getByRole('status').filter({ hasText: 'Done: local' }).waitFor({ timeout: 60_000 });
  const nr = Number(await page.locator('#local-nr').textContent());
  t.diagnostic(`local AudioWorklet, Chromium's fake microphone (a beep) in real time: NR ${nr} dB over the last 3 s; ${await page.locator('#local-timing').textContent()}`);
  assert.ok(Number.isFinite(nr), `an NR figure is shown (${nr})`);
  assert.equal(await page.locator('[data-local="scene"]').textContent(), 'microphone');
  assert.ok(await page.getByRole('button', { name: 'Play after (with ANC)' }).isEnabled(), 'the recording can be played');
  assert.deepEqual(errors, []);
});

test('a denied microphone says so on the page', { skip, timeout: 60_000 }, async (t) => {
  const server = await startTestServer(t);
  // No fake-UI flag: the permission prompt is answered "deny".
  const args = ['--autoplay-policy=no-user-gesture-required', '--use-fake-device-for-media-stream', '--deny-permission-prompts', '--no-sandbox'];
  const { page, errors } = await openPage(t, `${server.url}/#/demo`, args);
  await page.getByLabel('Noise').selectOption('microphone');
  await page.getByRole('button', { name: 'Run locally (AudioWorklet)' }).click();
  await page.getByRole('alert').filter({ hasText: 'Microphone access was denied.' }).waitFor();
  assert.ok(await page.getByRole('heading', { name: /Demo/ }).isVisible(), 'the demo stays on screen');
  assert.ok(await page.getByRole('button', { name: 'Run locally (AudioWorklet)' }).isEnabled(), 'and can run again');
  assert.deepEqual(errors, []);
});

test('service mode without a login, with an invalid token, and with a dead service, says what is wrong', { skip, timeout: 60_000 }, async (t) => {
  const server = await startTestServer(t);
  const { page, errors } = await openPage(t, `${server.url}/#/demo`);
  await page.getByRole('button', { name: 'Run through the service' }).click();
  await page.getByRole('alert').filter({ hasText: 'Service mode streams to your account: log in first' }).waitFor();

  await page.evaluate(() => sessionStorage.setItem('antiphase.token', 'not-a-jwt'));
  await page.getByRole('button', { name: 'Run through the service' }).click();
  await page.getByRole('alert').filter({ hasText: 'Your login has expired or is invalid: log in again' }).waitFor();

  await page.goto(`${server.url}/#/login`);
  await registerThroughPage(page, 'someone@example.com');
  await page.getByRole('link', { name: 'Demo' }).click();
  await server.close();
  await page.getByLabel('Service transport').selectOption('ws');
  await page.getByRole('button', { name: 'Run through the service' }).click();
  await page.getByRole('alert').filter({ hasText: 'The Antiphase service cannot be reached' }).waitFor({ timeout: 30_000 });
  assert.ok(await page.getByRole('heading', { name: /Demo/ }).isVisible(), 'the demo stays on screen');
  assert.deepEqual(errors.filter((e) => !REFUSED.test(e)), []);
});

test('the siren scene triggers the emergency bypass locally and in the service, and says so', { skip, timeout: 180_000 }, async (t) => {
  const server = await startTestServer(t);
  const { page, errors } = await openPage(t, server.url);
  await registerThroughPage(page, 'siren@example.com');
  await page.getByRole('link', { name: 'Demo' }).click();
  await page.getByLabel('Noise').selectOption('siren');
  await page.getByLabel('Service transport').selectOption('ws');
  for (const [button, mode] of [['Run locally (AudioWorklet)', 'local'], ['Run through the service', 'service']] as const) {
    await runMode(page, button, mode);
    const detail = await page.locator(`#${mode}-timing`).textContent();
    const nr = Number(await page.locator(`#${mode}-nr`).textContent());
    t.diagnostic(`${mode}, siren from 3 s: NR ${nr} dB over the last 3 s; ${detail}`);
    assert.match(detail!, /emergency bypass (for|from) /, `${mode}: the bypass is reported`);
    // The anti-noise is off while the siren sounds: the listener hears it (NR near 0 dB), not a cancelled warning.
    assert.ok(Math.abs(nr) < 3, `${mode}: NR ${nr} dB during the siren`);
  }
  await page.getByText(/emergency bypass letting the warning through/).waitFor();
  assert.deepEqual(errors, []);
});
