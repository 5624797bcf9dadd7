/**
 * npm run bench:media — what the WebRTC Opus track mode costs the server per session, against the session's own DSP
 * (docs/benchmarks.md, "Opus track mode"). Both jobs handle the same seconds of audio in alternating rounds in one
 * process, so machine load hits both alike:
 *
 *   bridge   the OpusBridge of one peer (packages/server/src/transports/media): jitter buffer, Opus decode of 20 ms
 *            stereo packets, two 48 → 16 kHz stream resamplers, re-framing to 160 samples, then for every frame the
 *            way back: 16 → 48 kHz, 10 ms packets, Opus encode (mono, low delay). The engine's part is skipped: the
 *            frame's reference goes straight back as its anti-noise.
 *   session  Session.processFrame on the same frames: FxNLMS 256 taps, a known Ŝ of 576 taps, 16 kHz (the engine's
 *            cost per session, as in bench/session.ts).
 *
 * Figures: the median over rounds of µs per second of audio, and their ratio (bridge / session). Packets are encoded
 * before timing starts (that is the client's work).
 *
 *   node --import tsx bench/media.ts [--seconds 5] [--rounds 11] [--json]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Encoder } from '@evan/opus';
import { Random, resample } from '@antiphase/dsp';
import { Session } from '@antiphase/engine';
import { OpusBridge, OPUS_RATE } from '../packages/server/src/transports/media/opus-bridge.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '11' }, json: { type: 'boolean' } },
});
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const RATE = 16000;
const FRAME = 160;

const random = new Random(7);
const noise = () => resample(Float32Array.from({ length: 12000 * seconds }, () => 0.2 * random.gaussian()), 12000, OPUS_RATE);
const left = noise();
const right = noise();
const encoder = new Encoder({ channels: 2, sample_rate: OPUS_RATE, application: 'audio' });
encoder.bitrate = 128000;
const packets: { sequenceNumber: number; timestamp: number; payload: Uint8Array }[] = [];
const pcm = new Int16Array(2 * 960);
for (let at = 0; at + 960 <= left.length; at += 960) {
  for (let i = 0; i < 960; i++) {
    pcm[2 * i] = Math.round(left[at + i] * 32767);
    pcm[2 * i + 1] = Math.round(right[at + i] * 32767);
  }
  packets.push({ sequenceNumber: packets.length & 0xffff, timestamp: at, payload: encoder.encode(pcm).slice() });
}
const reference16 = resample(left, OPUS_RATE, RATE);
const error16 = resample(right, OPUS_RATE, RATE);

function bridgeRound(): number {
  let bridge: OpusBridge | null = null;
  bridge = new OpusBridge({
    sampleRate: RATE, frameSize: FRAME, jitterDelayMs: 40,
    submit: (frame) => bridge!.antiNoise(frame.sequence, frame.reference),
    send: () => undefined,
  });
  const start = performance.now();
  for (let k = 0; k < packets.length; k++) bridge.receive(packets[k], k * 20);
  return ((performance.now() - start) * 1000) / seconds;
}

function sessionRound(): number {
  const random = new Random(3);
  const secondaryPathEstimate = Array.from({ length: 576 }, (_, n) => (n < 320 ? 0 : 0.5 * Math.exp(-(n - 320) / 40) * random.gaussian()));
  const session = new Session('bench', { sampleRate: RATE, frameSize: FRAME, taps: 256, algorithm: 'fxnlms', secondaryPathEstimate, emergencyBypass: false });
  const output = new Float32Array(FRAME);
  const frames = Math.floor(reference16.length / FRAME);
  const start = performance.now();
  for (let k = 0; k < frames; k++) {
    session.processFrame({
      sessionId: 'bench', sequence: k, captureTimestampUs: (k * FRAME * 1e6) / RATE,
      reference: reference16.subarray(k * FRAME, (k + 1) * FRAME), error: error16.subarray(k * FRAME, (k + 1) * FRAME),
    }, output);
  }
  return ((performance.now() - start) * 1000) / seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
bridgeRound();
sessionRound(); // warm-up: JIT and WASM compilation
const bridge: number[] = [];
const session: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const b = bridgeRound();
  const s = sessionRound();
  bridge.push(b);
  session.push(s);
  ratios.push(b / s);
}
const result = {
  command: `node --import tsx bench/media.ts --seconds ${seconds} --rounds ${rounds}`,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: loadavg().map((v) => Number(v.toFixed(2))) },
  bridgeUsPerAudioSecond: Math.round(median(bridge)),
  sessionUsPerAudioSecond: Math.round(median(session)),
  ratioMedian: Number(median(ratios).toFixed(3)),
  bridgeShareOfCore: Number((median(bridge) / 1e6).toFixed(4)),
};
if (args.json) console.log(JSON.stringify(result));
else {
  console.log(`Opus track mode bridge: ${result.bridgeUsPerAudioSecond} µs per second of audio (${(100 * result.bridgeShareOfCore).toFixed(2)} % of a core)`);
  console.log(`session DSP (FxNLMS 256, Ŝ 576): ${result.sessionUsPerAudioSecond} µs per second of audio`);
  console.log(`ratio bridge / session, median of ${rounds} paired rounds: ${result.ratioMedian}`);
  console.log(`load average ${result.machine.loadAverage.join(' ')} on ${result.machine.cpus} × ${result.machine.model}`);
}
