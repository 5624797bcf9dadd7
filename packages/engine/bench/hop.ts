/**
 * Cost of the worker hop: per-frame latency added by sending a frame to a worker thread and back, compared with
 * the session's own processing time. 160-sample frames at 16 kHz, FxNLMS with 256 taps and a known 576-tap Ŝ,
 * 1 and 100 sessions, every session submitting one frame per tick (as a transport would on a burst).
 *
 *   node --import tsx packages/engine/bench/hop.ts [ticks]
 *
 * hop = processingUs − computeUs: transfer, queueing behind the other frames of the same batch, and the reply.
 */
import { Random } from '@antiphase/dsp';
import { Engine, type AudioFrame, type SessionConfig } from '../src/index.js';

const ticks = Number(process.argv[2] ?? 500);
const estimate = new Array<number>(576).fill(0);
estimate[324] = 0.8;
estimate[325] = 0.3;
const config: SessionConfig = { sampleRate: 16000, frameSize: 160, algorithm: 'fxnlms', taps: 256, secondaryPathEstimate: estimate };

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(p * (sorted.length - 1))];
}

async function measure(workers: number, sessions: number): Promise<void> {
  const engine = new Engine({ workers, maxWorkerLoad: 100 }); // admission off: this measures the hop
  const random = new Random(1);
  const ids = Array.from({ length: sessions }, (_, i) => `s${i}`);
  for (const id of ids) await engine.createSession(config, id);
  const hop: number[] = [];
  const total: number[] = [];
  const compute: number[] = [];
  const started = performance.now();
  // Audio is generated up front (a pool of 8 frames per session) so the loop measures the engine only.
  const pool = ids.map(() => Array.from({ length: 8 }, () => {
    const reference = new Float32Array(160);
    const error = new Float32Array(160);
    for (let i = 0; i < 160; i++) {
      reference[i] = 0.1 * random.gaussian();
      error[i] = 0.1 * random.gaussian();
    }
    return { reference, error };
  }));
  for (let k = 0; k < ticks; k++) {
    const frames: AudioFrame[] = ids.map((id, s) => ({ sessionId: id, sequence: k, captureTimestampUs: k * 10_000, ...pool[s][k % 8] }));
    const results = await Promise.all(frames.map((f) => engine.processFrame(f)));
    if (k < 50) continue; // warm-up (JIT)
    for (const r of results) {
      hop.push(r!.processingUs - r!.computeUs);
      total.push(r!.processingUs);
      compute.push(r!.computeUs);
    }
  }
  const wallUsPerFrame = ((performance.now() - started) * 1000) / (ticks * sessions);
  await engine.close();
  const fmt = (v: number): string => v.toFixed(1).padStart(8);
  console.log(
    `workers=${workers} sessions=${String(sessions).padStart(3)}  hop p50 ${fmt(percentile(hop, 0.5))} µs  p99 ${fmt(percentile(hop, 0.99))} µs  ` +
    `| latency p50 ${fmt(percentile(total, 0.5))} p99 ${fmt(percentile(total, 0.99))} µs | compute p50 ${fmt(percentile(compute, 0.5))} mean ${fmt(compute.reduce((a, b) => a + b, 0) / compute.length)} µs | wall/frame ${fmt(wallUsPerFrame)} µs`,
  );
}

for (const sessions of [1, 100]) {
  await measure(0, sessions);
  await measure(1, sessions);
  await measure(2, sessions);
}
