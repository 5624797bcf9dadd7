import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder, Encoder } from '@evan/opus';
import { alignedCorrelation, Random, resample } from '@antiphase/dsp';
import type { MediaFrame } from '../ws.js';
import { OpusBridge, OPUS_RATE } from './opus-bridge.js';

/** Band-limited noise (below 4 kHz), so that the 16 kHz session sees all of it. */
function noise(seed: number, n: number): Float32Array {
  const random = new Random(seed);
  const white = Float32Array.from({ length: n }, () => random.gaussian() * 0.2);
  return resample(resample(white, OPUS_RATE, 8000), 8000, OPUS_RATE);
}

function packets(left: Float32Array, right: Float32Array): { sequenceNumber: number; timestamp: number; payload: Uint8Array }[] {
  const encoder = new Encoder({ channels: 2, sample_rate: OPUS_RATE, application: 'audio' });
  encoder.bitrate = 128000;
  const out = [];
  const pcm = new Int16Array(2 * 960);
  for (let at = 0, k = 0; at + 960 <= left.length; at += 960, k++) {
    for (let i = 0; i < 960; i++) {
      pcm[2 * i] = Math.round(left[at + i] * 32767);
      pcm[2 * i + 1] = Math.round(right[at + i] * 32767);
    }
    out.push({ sequenceNumber: (65500 + k) & 0xffff, timestamp: (4294960000 + at) >>> 0, payload: encoder.encode(pcm) });
  }
  return out;
}

test('the Opus bridge turns a lossy, reordered stereo track into session frames and answers on a mono track on the same timeline', (t) => {
  const seconds = 2;
  const reference = noise(1, OPUS_RATE * seconds);
  const error = noise(2, OPUS_RATE * seconds);
  const uplink = packets(reference, error);
  const frames: MediaFrame[] = [];
  const downlink: { payload: Buffer; timestamp: number; sequenceNumber: number }[] = [];
  const bridge = new OpusBridge({
    sampleRate: 16000, frameSize: 160, jitterDelayMs: 40,
    submit: (frame) => frames.push({ ...frame, reference: frame.reference.slice(), error: frame.error.slice() }),
    send: (payload, timestamp, sequenceNumber) => downlink.push({ payload, timestamp, sequenceNumber }),
  });
  // 100 packets of 20 ms: #30 lost, #50 and #51 swapped, #70 twice; one packet every 20 ms of clock.
  const order = uplink.map((_, i) => i).filter((i) => i !== 30);
  order.splice(order.indexOf(50), 2, 51, 50);
  order.splice(order.indexOf(70), 0, 70);
  let clock = 0;
  let answered = 0;
  for (const i of order) {
    bridge.receive(uplink[i], (clock += 20));
    // The engine's part, done here by hand: anti-noise = −½ · reference.
    for (; answered < frames.length; answered++) bridge.antiNoise(frames[answered].sequence, frames[answered].reference.map((v) => -0.5 * v));
  }
  bridge.drain(clock + 100);
  const stats = bridge.stats;
  assert.equal(stats.jitter.lost, 1);
  assert.equal(stats.jitter.duplicates, 1);
  assert.equal(stats.jitter.reordered, 1);
  assert.equal(stats.jitter.waitMsMax, 40, 'the packets behind the lost one waited the bound, 40 ms, no more');

  // 2 s at 16 kHz = 200 frames; the lost 20 ms touches 2 frames plus the kernel's spread, the tail waits for input.
  const sequences = frames.map((f) => f.sequence);
  assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b), 'frames go to the engine in order');
  const missing = [];
  for (let k = 0; k <= sequences.at(-1)!; k++) if (!sequences.includes(k)) missing.push(k);
  assert.ok(missing.length >= 2 && missing.length <= 4 && missing.every((k) => k >= 58 && k <= 62), `frames not submitted: ${missing}`);
  assert.equal(stats.framesConcealed, missing.length);
  assert.ok(frames.length >= 190, `${frames.length} frames`);

  // The frames are the track's channels at 16 kHz (Opus is lossy: correlation, not equality).
  const expected = resample(reference, OPUS_RATE, 16000);
  const expectedError = resample(error, OPUS_RATE, 16000);
  const first = frames.slice(0, 50);
  const got = new Float32Array(first.flatMap((f) => Array.from(f.reference)));
  const gotError = new Float32Array(first.flatMap((f) => Array.from(f.error)));
  const up = alignedCorrelation(expected, got, 200);
  const upError = alignedCorrelation(expectedError, gotError, 200);
  assert.ok(up.r > 0.95 && upError.r > 0.95, `uplink correlation: reference ${up.r.toFixed(3)} at ${up.lag}, error ${upError.r.toFixed(3)}`);
  assert.ok(alignedCorrelation(expected, gotError, 200).r < 0.2, 'left and right stay apart');

  // Downlink: 10 ms packets, consecutive RTP sequence numbers and timestamps, with −½ · reference in them.
  assert.ok(downlink.length >= 2 * frames.length / 2 - 4, `${downlink.length} downlink packets`);
  for (let i = 1; i < downlink.length; i++) {
    assert.equal(downlink[i].sequenceNumber, (downlink[i - 1].sequenceNumber + 1) & 0xffff);
    assert.equal(downlink[i].timestamp, (downlink[i - 1].timestamp + 480) >>> 0);
  }
  const decoder = new Decoder({ channels: 1, sample_rate: OPUS_RATE });
  const decoded = new Float32Array(downlink.length * 480);
  downlink.forEach((p, k) => {
    const pcm = new Int16Array(decoder.decode(p.payload).slice().buffer);
    for (let i = 0; i < 480; i++) decoded[k * 480 + i] = pcm[i] / 32768;
  });
  const down = alignedCorrelation(reference.subarray(0, OPUS_RATE).map((v) => -v), decoded.subarray(0, OPUS_RATE + 2000), 1000);
  assert.ok(down.r > 0.9, `downlink correlation with −reference: ${down.r.toFixed(3)} at lag ${down.lag} samples`);
  const level = down.gain;
  assert.ok(Math.abs(level - 0.5) < 0.05, `downlink level ${level.toFixed(3)} of the reference (expected 0.5)`);
  assert.equal(stats.framesSilent, missing.length, 'the frames never answered went out as silence');
  t.diagnostic(`uplink r ${up.r.toFixed(3)} (lag ${up.lag} samples at 16 kHz), error r ${upError.r.toFixed(3)}; downlink r ${down.r.toFixed(3)} ` +
    `(lag ${down.lag} samples at 48 kHz), level ${level.toFixed(3)}; frames concealed ${missing.join(',')}`);
});

test('a sender that goes quiet for seconds restarts the timeline: frames keep their clock, no seconds of silence go down', () => {
  const reference = noise(3, OPUS_RATE * 2);
  const uplink = packets(reference, reference);
  const frames: number[] = [];
  let sent = 0;
  const bridge = new OpusBridge({
    sampleRate: 16000, frameSize: 160, jitterDelayMs: 40,
    submit: (frame) => {
      frames.push(frame.sequence);
      bridge.antiNoise(frame.sequence, frame.reference);
    },
    send: () => sent++,
  });
  // 1 s of packets, then the RTP clock jumps 3 s ahead (a paused sender: sequence numbers carry on, timestamps do not).
  uplink.slice(0, 50).forEach((p, k) => bridge.receive(p, k * 20));
  uplink.slice(50).forEach((p, k) => bridge.receive({ ...p, timestamp: (p.timestamp + 3 * OPUS_RATE) >>> 0 }, 1000 + k * 20));
  const after = frames.filter((k) => k >= 100);
  assert.deepEqual(frames, [...frames].sort((a, b) => a - b), 'in order across the restart');
  assert.ok(after.length >= 90, `${after.length} frames after the pause`);
  assert.ok(after[0] >= 400 && after[0] <= 404, `the first frame after the pause is numbered by its time (${after[0]}, expected about 400)`);
  assert.ok(bridge.stats.framesSilent < 10, `${bridge.stats.framesSilent} silent frames sent for the pause`);
  assert.ok(sent >= 180, `${sent} packets down`);
});
