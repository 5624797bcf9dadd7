/**
 * The per-second analysis end to end: a session streamed by the Node SDK through the virtual room reports, over
 * GET /api/v1/sessions/:id and the dashboard's SSE summary, spectra, octave bands and the room's causality margin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualRoom, WsStreamClient } from '@antiphase/client';
import { api, startTestServer, userToken } from './helpers.js';

/** Reads the `snapshot` event of the dashboard stream, then hangs up. */
async function snapshot(url: string, token: string): Promise<{ sessions: { id: string; analysis: unknown }[] }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/v1/dashboard/stream?access_token=${encodeURIComponent(token)}`, { signal: controller.signal });
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended before the snapshot');
    text += new TextDecoder().decode(value);
    const match = /event: snapshot\ndata: (.*)\n\n/.exec(text);
    if (match) {
      controller.abort();
      return JSON.parse(match[1]) as { sessions: { id: string; analysis: unknown }[] };
    }
  }
}

test('a streamed session reports its octave bands, spectra and causality margin over REST and the SSE summary', { timeout: 120_000 }, async (t) => {
  const server = await startTestServer(t);
  const token = await userToken(server, 'analyst@example.com');
  // 2 ms frames: the duct's margin is +28 samples (virtual-room.ts).
  const room = new VirtualRoom({ scene: 'broadband', frameSize: 32, pace: false, slotDeadlineMs: 250, identificationS: 1 });
  const client = new WsStreamClient();
  t.after(() => client.close());
  const { sessionId } = await client.connect({ url: server.url, token, config: room.sessionConfig() });
  await room.run(client, { durationS: 5 });

  const view = await api(server, 'GET', `/api/v1/sessions/${sessionId}`, { token });
  assert.equal(view.status, 200);
  const analysis = view.body.stats.analysis;
  assert.ok(analysis, 'analysed after identification');
  t.diagnostic(`margin ${analysis.causality.marginSamples} samples (room: ${room.causalityMarginSamples}), rival share ${analysis.causality.primaryPathRivalShare}, bands ${JSON.stringify(analysis.octaveBands.map((b: { attenuationDb: number }) => b.attenuationDb))}`);
  assert.ok(analysis.toS > analysis.fromS && analysis.toS <= 5, `window ${analysis.fromS}…${analysis.toS} s`);
  assert.deepEqual(analysis.octaveBands.map((b: { centerHz: number }) => b.centerHz), [31.5, 63, 125, 250, 500, 1000, 2000, 4000]);
  assert.equal(analysis.spectrum.frequencyHz.length, analysis.spectrum.disturbanceDb.length);
  assert.equal(analysis.spectrum.frequencyHz.length, analysis.spectrum.errorDb.length);
  assert.ok(analysis.spectrum.frequencyHz.length >= 20, `${analysis.spectrum.frequencyHz.length} spectrum points`);
  // The broadband scene is 100 Hz … 0.45 fs: the bands from 250 Hz to 2 kHz are cancelled by what the NR says.
  for (const band of analysis.octaveBands.filter((b: { centerHz: number }) => b.centerHz >= 250 && b.centerHz <= 2000)) {
    assert.ok(band.attenuationDb >= 15, `${band.centerHz} Hz band: ${band.attenuationDb} dB`);
  }
  const c = analysis.causality;
  assert.equal(c.loopLatencySamples, room.playoutDelayFrames * room.frameSize);
  assert.equal(c.secondaryPathDelaySamples, view.body.stats.secondaryPathDelaySamples);
  assert.ok(Math.abs(c.marginSamples - room.causalityMarginSamples) <= 3, `margin ${c.marginSamples} vs ${room.causalityMarginSamples}`);
  assert.equal(c.marginMs, Math.round(c.marginSamples * 1000 / room.sampleRate * 100) / 100);

  // The OpenAPI document describes the analysis (fast-json-stringify serialises it by that schema, so a field
  // missing there would be missing above).
  const doc = (await api(server, 'GET', '/openapi.json')).body;
  const stats = doc.paths['/api/v1/sessions/{id}'].get.responses['200'].content['application/json'].schema.properties.stats;
  assert.deepEqual(Object.keys(stats.properties.analysis.properties.causality.properties).sort(),
    ['loopLatencySamples', 'marginMs', 'marginSamples', 'primaryPathDelaySamples', 'primaryPathPeakRatio', 'primaryPathRivalShare', 'secondaryPathDelaySamples']);

  const { sessions } = await snapshot(server.url, token);
  const summary = sessions.find((s) => s.id === sessionId);
  assert.ok(summary, 'the session is in the dashboard snapshot');
  // The summary carries the engine's last published stats: the same analysis, or the one before it.
  const pushed = summary.analysis as typeof analysis;
  assert.ok(pushed, 'the summary carries an analysis');
  assert.deepEqual(Object.keys(pushed).sort(), Object.keys(analysis).sort());
  assert.ok(pushed.toS <= analysis.toS);
});
