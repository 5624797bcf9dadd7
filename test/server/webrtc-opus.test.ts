/**
 * The WebRTC Opus track mode end to end with a Node peer (test/support/opus-track.ts; Chromium's own stack is
 * tested in test/browser/opus-track.test.ts): a stereo track up, the session's anti-noise down on the same track,
 * checked against the output the session's fixed control filter must give; the jitter buffer's counts under
 * injected loss; and the bad inputs of the mode. Every test ends with no peer and no live session left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedCorrelation, Random, resample } from '@antiphase/dsp';
import type { RunningServer } from '@antiphase/server';
import { fixedFilterConfig, fixedFilterOutput, OPUS_RATE, OpusTrackPeer, TRACK_FRAME, TRACK_RATE, until } from '../support/opus-track.js';
import { api, startTestServer, userToken } from './helpers.js';

const LOOPBACK = { webrtcAddresses: ['127.0.0.1'] };

/** Band-limited noise (below 6 kHz, inside the session's 8 kHz Nyquist) at 48 kHz. */
function noise(seed: number, seconds: number, level = 0.15): Float32Array {
  const random = new Random(seed);
  const white = Float32Array.from({ length: 12000 * seconds }, () => random.gaussian() * level);
  return resample(white, 12000, OPUS_RATE);
}

async function assertNoLeaks(server: RunningServer): Promise<void> {
  await until(() => server.webrtc!.peerCount === 0 && server.sessions.liveCount === 0, `peers (${server.webrtc!.peerCount}) and live sessions (${server.sessions.liveCount}) to reach 0`);
}

test('Opus track mode: a stereo track streams into the session and the anti-noise that comes back is the fixed filter\'s output', async (t) => {
  const server = await startTestServer(t, LOOPBACK);
  const token = await userToken(server, 'opus-track@example.com');
  const peer = new OpusTrackPeer();
  t.after(() => peer.close());
  await peer.connect(server.url, token);
  peer.hello({ config: fixedFilterConfig() });
  const ready = await peer.nextFrame('ready');
  const sessionId = (ready as { value: { sessionId: string } }).value.sessionId;

  const seconds = 3;
  const reference = noise(1, seconds);
  const error = noise(2, seconds, 0.05);
  const sent = await peer.stream(reference, error, new Set([40])); // packet 40 "lost"
  await until(() => peer.received.length >= seconds * 100 - 10, 'the anti-noise track');

  // The downlink, against the expected output: same waveform (r), same level (gain), a lag of tens of ms.
  const expected = fixedFilterOutput(reference).subarray(0, OPUS_RATE); // the first second, before the loss
  const got = peer.receivedSignal();
  const match = alignedCorrelation(expected, got, OPUS_RATE / 10);
  t.diagnostic(`anti-noise track vs the fixed filter's output: r ${match.r.toFixed(3)}, gain ${match.gain.toFixed(3)}, lag ${(match.lag / 48).toFixed(1)} ms; ` +
    `${peer.received.length} packets down for ${sent} up`);
  assert.ok(match.r > 0.9, `correlation ${match.r.toFixed(3)}`);
  assert.ok(Math.abs(match.gain - 1) < 0.15, `level ${match.gain.toFixed(3)} of the expected`);
  assert.ok(match.lag < 48 * 60, `lag ${match.lag} samples`);

  // The jitter buffer and the session saw the loss as what it is.
  const view = await api(server, 'GET', `/api/v1/webrtc/peers/${peer.peerId}`, { token });
  assert.equal(view.status, 200);
  assert.equal(view.body.mode, 'opus-track');
  assert.equal(view.body.sessionId, sessionId);
  const media = view.body.media;
  t.diagnostic(`jitter buffer: ${JSON.stringify(media.jitter)}; frames submitted ${media.framesSubmitted}, concealed ${media.framesConcealed}, before ready ${media.packetsBeforeReady}`);
  assert.equal(media.jitter.lost, 1);
  assert.equal(media.jitter.late + media.jitter.duplicates, 0);
  assert.ok(media.jitter.waitMsMax <= 40 + 25, `longest wait ${media.jitter.waitMsMax} ms (bound 40 ms, plus a timer tick)`);
  assert.ok(media.framesConcealed >= 2 && media.framesConcealed <= 4);
  const stats = (await api(server, 'GET', `/api/v1/sessions/${sessionId}`, { token })).body;
  assert.equal(stats.stats.framesProcessed, media.framesSubmitted);
  assert.ok(stats.stats.framesLost >= 2, `framesLost ${stats.stats.framesLost}`);
  assert.match(await (await fetch(`${server.url}/metrics`)).text(), /antiphase_webrtc_media_packets_total\{direction="up"\} [1-9]/);

  await api(server, 'DELETE', `/api/v1/webrtc/peers/${peer.peerId}`, { token });
  await assertNoLeaks(server);
});

test('Opus track mode, bad input: offers without Opus or with a one-way track, a resumed session, audio frames on the channel, an unstreamable rate', async (t) => {
  const server = await startTestServer(t, LOOPBACK);
  const token = await userToken(server, 'opus-bad@example.com');
  const offerOf = async (mangle: (sdp: string) => string) => {
    const peer = new OpusTrackPeer();
    t.after(() => peer.close());
    return api(server, 'POST', '/api/v1/webrtc/offer', { token, json: await peer.offer({ mangleOffer: mangle }) });
  };
  const noOpus = await offerOf((sdp) => sdp.replace(/opus\/48000\/2/g, 'PCMU/8000'));
  assert.equal(noOpus.status, 400);
  assert.match(noOpus.body.error.message, /must offer Opus/);
  const oneWay = await offerOf((sdp) => sdp.replace('a=sendrecv', 'a=sendonly'));
  assert.equal(oneWay.status, 400);
  assert.match(oneWay.body.error.message, /sendrecv/);
  const noChannel = await offerOf((sdp) => sdp.replace(/m=application[\s\S]*?(?=m=|$)/, ''));
  assert.equal(noChannel.status, 400);
  assert.match(noChannel.body.error.message, /anc-control/);

  // Connected, the mode refuses what it cannot do, with error frames, and the stream stays usable.
  const peer = new OpusTrackPeer();
  t.after(() => peer.close());
  await peer.connect(server.url, token);
  const existing = await api(server, 'POST', '/api/v1/sessions', { token, json: fixedFilterConfig() });
  assert.equal(existing.status, 201);
  peer.hello({ sessionId: existing.body.id });
  assert.match((await peer.nextFrame('error') as { message: string }).message, /session it creates/);
  peer.hello({ config: fixedFilterConfig() });
  await peer.nextFrame('ready');
  const { encodeAudioFrame } = await import('@antiphase/protocol');
  peer.control.send(Buffer.from(encodeAudioFrame({ sequence: 0, captureTimestampUs: 0, sampleRate: TRACK_RATE, reference: new Float32Array(TRACK_FRAME), error: new Float32Array(TRACK_FRAME) })));
  const refused = await peer.nextFrame('error') as { codeName: string; message: string };
  assert.equal(refused.codeName, 'UNKNOWN_TYPE');
  assert.match(refused.message, /audio track/);
  assert.equal((await api(server, 'DELETE', `/api/v1/webrtc/peers/${peer.peerId}`, { token })).status, 204);

  // A rate the track's resamplers cannot reach is refused before any session exists; a good hello then works.
  const odd = new OpusTrackPeer();
  t.after(() => odd.close());
  await odd.connect(server.url, token);
  odd.hello({ config: { ...fixedFilterConfig(), sampleRate: 16001 } });
  const rate = await odd.nextFrame('error') as { codeName: string; message: string };
  assert.equal(rate.codeName, 'INVALID_CONFIG');
  assert.match(rate.message, /16001 Hz cannot be streamed on an Opus track/);
  assert.equal(server.sessions.liveCount, 1, 'only the REST session is live: the refused hello created none');
  odd.hello({ config: fixedFilterConfig() });
  await odd.nextFrame('ready');
  assert.equal((await api(server, 'DELETE', `/api/v1/webrtc/peers/${odd.peerId}`, { token })).status, 204);
  await api(server, 'DELETE', `/api/v1/sessions/${existing.body.id}`, { token });
  await assertNoLeaks(server);
});
