/**
 * The WebRTC data-channel path with the browser users run: headless Chromium loads our browser SDK
 * (packages/client/src/browser.ts, bundled by esbuild), opens a peer connection to the real service on loopback with
 * Chromium's own RTCPeerConnection, and closes the virtual room's acoustic loop over the unordered, no-retransmit
 * audio channel. The geometry and thresholds are those of test/client/closed-loop.test.ts: 1 s identification, then
 * ≥ 20 dB on causal broadband noise in the 5th second of control.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VirtualRoomReport } from '@antiphase/client';
import { signedUpClient, startTestServer } from '../client/support.js';
import { bundleForBrowser, chromiumMissing, launchChromium, openTestPage } from '../support/browser.js';

const IDENTIFICATION_S = 1;
const CONTROL_S = 5;

const PAGE_SCRIPT = `
  import { RtcStreamClient, VirtualRoom } from '@antiphase/client';
  globalThis.antiphase = { RtcStreamClient, VirtualRoom };
  globalThis.antiphaseReady = true;
`;

interface PageResult {
  transport: string;
  hasBrowserPeer: boolean;
  ready: { sampleRate: number; frameSize: number; phase: string };
  report: Pick<VirtualRoomReport, 'nrDbPerSecond' | 'framesSent' | 'framesLate' | 'framesLost' | 'stoppedBy' | 'errors' | 'rttUs'>;
}

test('Chromium closes the loop over the WebRTC data channel and cancels causal broadband noise by ≥ 20 dB within 5 s', { skip: chromiumMissing }, async (t) => {
  const server = await startTestServer(t, { webrtcAddresses: ['127.0.0.1'] });
  const user = await signedUpClient(server);
  const browser = await launchChromium(t);
  const { page, errors } = await openTestPage(browser, server.url, await bundleForBrowser(PAGE_SCRIPT));

  const result = await page.evaluate(async ({ url, token, durationS, identificationS }): Promise<PageResult> => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const { RtcStreamClient, VirtualRoom } = (globalThis as any).antiphase;
    const room = new VirtualRoom({ scene: 'broadband', frameSize: 32, pace: false, slotDeadlineMs: 250, identificationS });
    const client = new RtcStreamClient(); // the browser's global RTCPeerConnection
    const ready = await client.connect({ url, token, config: room.sessionConfig() });
    const report = await room.run(client, { durationS });
    await client.close();
    const { nrDbPerSecond, framesSent, framesLate, framesLost, stoppedBy, errors, rttUs } = report;
    return {
      transport: client.transport,
      hasBrowserPeer: typeof RTCPeerConnection === 'function',
      ready: { sampleRate: ready.sampleRate, frameSize: ready.frameSize, phase: ready.phase },
      report: { nrDbPerSecond, framesSent, framesLate, framesLost, stoppedBy, errors, rttUs },
    };
  }, { url: server.url, token: user.token, durationS: IDENTIFICATION_S + CONTROL_S, identificationS: IDENTIFICATION_S });

  const { report } = result;
  t.diagnostic(
    `Chromium webrtc broadband: NR per second ${report.nrDbPerSecond.map((v) => v.toFixed(1)).join(' ')} dB; ` +
      `rtt p50 ${(report.rttUs.p50 / 1000).toFixed(2)} ms p99 ${(report.rttUs.p99 / 1000).toFixed(2)} ms; ` +
      `sent ${report.framesSent} late ${report.framesLate} lost ${report.framesLost}`,
  );
  assert.equal(result.transport, 'webrtc');
  assert.ok(result.hasBrowserPeer);
  assert.deepEqual(result.ready, { sampleRate: 16000, frameSize: 32, phase: 'identifying' });
  assert.equal(report.stoppedBy, 'done');
  assert.equal(report.framesSent, (IDENTIFICATION_S + CONTROL_S) * 500);
  assert.deepEqual(report.errors, {});
  const nr = report.nrDbPerSecond[IDENTIFICATION_S + CONTROL_S - 1];
  assert.ok(nr >= 20, `NR in second ${IDENTIFICATION_S + CONTROL_S} is ${nr.toFixed(1)} dB`);

  // The browser said goodbye: its peer connection and session are gone on the server.
  const deadline = Date.now() + 10_000;
  while ((server.webrtc!.peerCount > 0 || server.sessions.liveCount > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(server.webrtc!.peerCount, 0);
  assert.equal(server.sessions.liveCount, 0);
  assert.deepEqual(errors, []);
});
