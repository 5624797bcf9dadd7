/**
 * The Opus track mode with the browser users run: Chromium's fake microphone plays a known stereo WAV
 * (--use-file-for-fake-audio-capture; left = reference, right = error), our browser client (RtcMediaClient) sends it
 * as Chromium's own Opus track, the session runs a fixed control filter on it, and the page records the anti-noise
 * track that comes back through Web Audio and measures it against the output that filter must give: correlation
 * and level, not just "packets arrived".
 *
 * The WAV is one period of band-limited noise, 2¹⁶ samples at 48 kHz, which Chromium loops: wherever the page starts
 * recording, one period of the anti-noise is a circular shift of the expected one (circularAlignedCorrelation).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random, resample, writeWav } from '@antiphase/dsp';
import { signedUpClient, startTestServer } from '../client/support.js';
import { api } from '../server/helpers.js';
import { bundleForBrowser, chromiumMissing, launchChromium, openTestPage } from '../support/browser.js';
import { fixedFilterConfig, fixedFilterOutput } from '../support/opus-track.js';

const PERIOD = 1 << 16;

/** One period of noise band-limited to 6 kHz (so every resampler on the way passes it whole). */
function periodicNoise(seed: number, level: number): Float32Array {
  const random = new Random(seed);
  const white = Float32Array.from({ length: PERIOD / 4 }, () => random.gaussian() * level);
  // Resampling one period tiled three times and keeping the middle one keeps it periodic.
  const tiled = new Float32Array(3 * white.length);
  for (let k = 0; k < 3; k++) tiled.set(white, k * white.length);
  return resample(tiled, 12000, 48000).slice(PERIOD, 2 * PERIOD);
}

/**
 * The page's measure: the correlation of each 4096-sample window (85 ms) of what it heard with the expected output
 * at that window's own best lag. Chromium's playout (NetEq) stretches or shrinks time now and then to manage its
 * buffer, which shifts the lag for the rest of the recording; a window that straddles such a shift scores low. The
 * median window says whether the waveform is right, the lags how often playout adjusted.
 */
const PAGE_SCRIPT = `
  import { RtcMediaClient } from '@antiphase/client';
  import { circularAlignedCorrelation } from '@antiphase/dsp';
  const WINDOW = 4096;
  function windowedMatch(expected, heard) {
    const period = expected.length;
    const windows = [];
    for (let start = 0; start + WINDOW <= heard.length; start += WINDOW) {
      const padded = new Float32Array(period);
      padded.set(heard.subarray(start, start + WINDOW), start);
      const { lag } = circularAlignedCorrelation(expected, padded);
      let eh = 0, ee = 0, hh = 0;
      for (let j = start; j < start + WINDOW; j++) {
        const e = expected[(j - lag + period) % period];
        eh += e * heard[j]; ee += e * e; hh += heard[j] * heard[j];
      }
      windows.push({ r: ee > 0 && hh > 0 ? eh / Math.sqrt(ee * hh) : 0, lag, gain: Math.sqrt(hh / ee) });
    }
    return windows;
  }
  globalThis.antiphase = { RtcMediaClient, circularAlignedCorrelation, windowedMatch };
  globalThis.antiphaseReady = true;
`;

/** Records `samples` of a MediaStream at 48 kHz through an AudioWorklet, after `skipS` seconds. */
const RECORDER = `
  registerProcessor('recorder', class extends AudioWorkletProcessor {
    process(inputs) {
      if (inputs[0] && inputs[0][0]) this.port.postMessage(inputs[0][0].slice());
      return true;
    }
  });
`;

test('Chromium\'s fake microphone goes up as an Opus track; the anti-noise track that comes back matches the session\'s fixed filter in level and waveform', { skip: chromiumMissing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'antiphase-opus-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const reference = periodicNoise(1, 0.25);
  const error = periodicNoise(2, 0.1);
  const wav = join(dir, 'microphone.wav');
  writeFileSync(wav, writeWav({ sampleRate: 48000, channels: [reference, error] }));
  const expected = fixedFilterOutput(reference, true);

  const server = await startTestServer(t, { webrtcAddresses: ['127.0.0.1'] });
  const user = await signedUpClient(server);
  const browser = await launchChromium(t, [`--use-file-for-fake-audio-capture=${wav}`]);
  const { page, errors } = await openTestPage(browser, server.url, await bundleForBrowser(PAGE_SCRIPT));
  const config = fixedFilterConfig();

  const result = await page.evaluate(async ({ url, token, config, expected, recorder, period }) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const { RtcMediaClient, circularAlignedCorrelation, windowedMatch } = (globalThis as any).antiphase;
    const microphone = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 2, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const client = new RtcMediaClient();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (globalThis as any).lastClient = client;
    const { info, peerId, antiNoise } = await client.connect({ url, token, config, microphone });
    // Chromium delivers a remote WebRTC track to Web Audio only while a media element plays it too.
    const element = new Audio();
    element.srcObject = antiNoise;
    element.muted = true;
    await element.play();
    const context = new AudioContext({ sampleRate: 48000 });
    await context.audioWorklet.addModule(URL.createObjectURL(new Blob([recorder], { type: 'text/javascript' })));
    const node = new AudioWorkletNode(context, 'recorder');
    context.createMediaStreamSource(antiNoise).connect(node);
    const heard = new Float32Array(period);
    let skip = 48000 * 1.5; // let the loop settle: identification is skipped, but the jitter buffers start empty
    let filled = 0;
    await new Promise<void>((resolve) => {
      node.port.onmessage = (event: MessageEvent<Float32Array>) => {
        let chunk = event.data;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
        }
        const take = Math.min(chunk.length, period - filled);
        heard.set(chunk.subarray(0, take), filled);
        filled += take;
        if (filled === period) resolve();
      };
    });
    await context.close();
    const match = circularAlignedCorrelation(Float32Array.from(expected), heard);
    let peak = 0;
    for (const v of heard) peak = Math.max(peak, Math.abs(v));
    const settings = microphone.getAudioTracks()[0].getSettings();
    return { match, windows: windowedMatch(Float32Array.from(expected), heard), peak, peerId, sessionId: info.sessionId, channelCount: settings.channelCount ?? null };
  }, { url: server.url, token: user.token, config, expected: Array.from(expected), recorder: RECORDER, period: PERIOD })

  const view = await api(server, 'GET', `/api/v1/webrtc/peers/${result.peerId}`, { token: user.token });
  const media = view.body.media;
  const windows = result.windows as { r: number; lag: number; gain: number }[];
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const medianR = median(windows.map((w) => w.r));
  const medianGain = median(windows.map((w) => w.gain));
  const lagShifts = windows.filter((w, i) => i > 0 && w.lag !== windows[i - 1].lag).length;
  t.diagnostic(`Chromium Opus track: anti-noise vs the fixed filter's output, per 85 ms window: median r ${medianR.toFixed(3)}, ` +
    `worst ${Math.min(...windows.map((w) => w.r)).toFixed(3)}, median level ${medianGain.toFixed(3)}, playout lag shifts ${lagShifts}; ` +
    `whole period r ${result.match.r.toFixed(3)}, level ${result.match.gain.toFixed(3)}, ` +
    `peak ${result.peak.toFixed(3)}; microphone channels ${result.channelCount}; jitter buffer ${JSON.stringify(media.jitter)}, ` +
    `frames submitted ${media.framesSubmitted}, concealed ${media.framesConcealed}, packets before ready ${media.packetsBeforeReady}`);
  assert.ok(medianR > 0.9, `median window correlation with the expected anti-noise ${medianR.toFixed(3)}`);
  assert.ok(medianGain > 0.8 && medianGain < 1.2, `level ${medianGain.toFixed(3)} of the expected`);
  assert.ok(result.match.gain > 0.8 && result.match.gain < 1.2, `level over the whole period ${result.match.gain.toFixed(3)}`);
  assert.ok(media.jitter.received > 100 && media.framesSubmitted > 200);

  // The page's goodbye frees the peer and ends the session.
  await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await (globalThis as any).lastClient.close();
  });
  for (let i = 0; i < 100 && (server.webrtc!.peerCount > 0 || server.sessions.liveCount > 0); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.webrtc!.peerCount, 0);
  assert.equal(server.sessions.liveCount, 0);
  assert.deepEqual(errors, []);
});
