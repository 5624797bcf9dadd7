/**
 * The session view's analysis in a real browser: a session the Node client streams through the virtual room shows
 * its octave-band levels and attenuation, the spectra of d̂ and e and the causality margin, the figures in the page
 * are the ones GET /api/v1/sessions/:id reports, and the analysis controls work from the keyboard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { VirtualRoom, WsStreamClient } from '@antiphase/client';
import { api, startTestServer } from '../server/helpers.js';
import { openPage, registerThroughPage, skipReason } from './browser.js';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const skip = skipReason() ?? false;
const db = (v: number | null): string => (v === null ? '–' : v.toFixed(1));

test('the session view plots octave bands and spectra and states the causality margin the API reports', { skip, timeout: 120_000 }, async (t) => {
  const server = await startTestServer(t);
  const { page, errors } = await openPage(t, server.url);
  await registerThroughPage(page, 'admin@example.com');
  const login = await api(server, 'POST', '/api/v1/auth/login', { json: { email: 'admin@example.com', password: 'correct horse battery' } });
  const token = login.body.token as string;

  // 2 ms frames: the duct's causality margin is +28 samples (packages/client/src/virtual-room.ts).
  const room = new VirtualRoom({ scene: 'broadband', frameSize: 32, pace: false, slotDeadlineMs: 250, identificationS: 1 });
  const client = new WsStreamClient();
  t.after(() => client.close());
  const { sessionId: id } = await client.connect({ url: server.url, token, config: room.sessionConfig() });
  await room.run(client, { durationS: 5 });

  const row = page.locator(`tr[data-session="${id}"]`);
  await row.waitFor();
  await row.getByRole('link').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Octave-band attenuation' }).waitFor();
  await page.locator('#bands tbody tr').first().waitFor();

  const view = await api(server, 'GET', `/api/v1/sessions/${id}`, { token });
  const analysis = view.body.stats.analysis;
  assert.ok(analysis, 'the API reports an analysis');
  // The page shows the newest window it has seen: the GET it opened with, or a later push (none: the run is over).
  assert.equal(await page.locator('#bands-caption').textContent(), `Window ${analysis.fromS.toFixed(2)}–${analysis.toS.toFixed(2)} s of the session's audio.`);
  const rows = await page.locator('#bands tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    band: Number(tr.getAttribute('data-band')),
    disturbanceDb: tr.querySelector('[data-field="disturbanceDb"]')!.textContent,
    errorDb: tr.querySelector('[data-field="errorDb"]')!.textContent,
    attenuationDb: tr.querySelector('[data-field="attenuationDb"]')!.textContent,
  })));
  assert.deepEqual(rows, analysis.octaveBands.map((b: { centerHz: number; disturbanceDb: number; errorDb: number; attenuationDb: number }) => ({
    band: b.centerHz, disturbanceDb: db(b.disturbanceDb), errorDb: db(b.errorDb), attenuationDb: db(b.attenuationDb),
  })));
  const c = analysis.causality;
  t.diagnostic(`page margin ${await page.locator('#margin').textContent()} ${await page.locator('#margin-ms').textContent()}; API ${c.marginSamples} samples / ${c.marginMs} ms; room ${room.causalityMarginSamples}`);
  assert.equal(await page.locator('#margin').textContent(), `${c.marginSamples} samples`);
  assert.equal(await page.locator('#margin-ms').textContent(), `= ${c.marginMs.toFixed(2)} ms`);
  assert.ok(Math.abs(c.marginSamples - room.causalityMarginSamples) <= 3, `margin ${c.marginSamples} vs the room's ${room.causalityMarginSamples}`);
  assert.match((await page.locator('#margin-note').textContent())!, /^Positive: .*broadband noise can be cancelled/);
  assert.equal(await page.locator('#secondary-delay').textContent(), `${c.secondaryPathDelaySamples} samples (${(c.secondaryPathDelaySamples * 1000 / room.sampleRate).toFixed(2)} ms)`);
  assert.ok(await page.locator('#band-chart canvas').count() > 0, 'the octave-band chart is drawn');
  assert.ok(await page.locator('#spectrum-chart canvas').count() > 0, 'the spectrum chart is drawn');
  assert.equal(await page.locator('#spectrum-chart .u-legend').count(), 1);

  // Keyboard: the chart selector and the freeze switch are labelled form controls.
  await page.getByLabel('Octave chart').focus();
  await page.keyboard.press('ArrowDown');
  await page.locator('#attenuation-chart canvas').waitFor();
  assert.equal(await page.getByLabel('Octave chart').inputValue(), 'attenuation');
  assert.ok(await page.locator('#band-chart').isHidden(), 'levels chart hidden in attenuation mode');
  await page.getByLabel('Freeze analysis').focus();
  await page.keyboard.press('Space');
  assert.ok(await page.getByLabel('Freeze analysis').isChecked());
  await page.getByLabel('Octave chart').focus();
  await page.keyboard.press('ArrowUp');
  await page.locator('#band-chart canvas').waitFor();
  await page.screenshot({ path: `${SCREENSHOTS}session-analysis.png`, fullPage: true });
  assert.deepEqual(errors, []);
});
