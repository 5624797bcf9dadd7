/**
 * Classifier and detector speed: `node --import tsx packages/intelligence/bench/classifier.ts [--json]`.
 *  - classify 1 s of 16 kHz audio (features included: 61 frames, one window, MLP) with the shipped model;
 *  - the same split into frame analysis / window summary / MLP;
 *  - EmergencySoundDetector cost per sample (blocks of 128).
 * Reports the median over runs of CPU time (process.cpuUsage: less sensitive to other processes on a shared
 * machine than wall time) and wall time, after a warm-up. Input: generated audio (engine, siren), fixed seeds.
 */
import { NoiseClassifier, EmergencySoundDetector, FeatureExtractor, generateExample } from '@antiphase/intelligence';
import { loadModelFile, SHIPPED_MODEL_PATH } from '@antiphase/intelligence/node';
import { statSync } from 'node:fs';

function measure(fn: () => void, reps: number, runs = 7): { cpuMs: number; wallMs: number } {
  for (let i = 0; i < reps; i++) fn();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const c = process.cpuUsage(c0);
    wall.push((performance.now() - t0) / reps);
    cpu.push((c.user + c.system) / 1000 / reps);
  }
  const med = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { cpuMs: med(cpu), wallMs: med(wall) };
}

const model = loadModelFile();
const classifier = new NoiseClassifier(model);
const fx = new FeatureExtractor();
const engine = generateExample('engine', 1, { minDurationS: 1, maxDurationS: 1 }).samples;
const siren = generateExample('siren', 2, { minDurationS: 1, maxDurationS: 1 }).samples;
const analysis = fx.analyse(engine);
const features = fx.summarise(analysis, 0, analysis.count);

const results = {
  modelBytes: statSync(SHIPPED_MODEL_PATH).size,
  modelVersion: model.version,
  classify1s: measure(() => classifier.classify(engine), 200),
  classify1sSiren: measure(() => classifier.classify(siren), 200),
  frameAnalysis1s: measure(() => fx.analyse(engine), 200),
  windowSummary: measure(() => fx.summarise(analysis, 0, analysis.count), 500),
  mlp: measure(() => model.predict(features), 5000),
  detectorPerSampleUs: (() => {
    const d = new EmergencySoundDetector();
    const m = measure(() => {
      for (let i = 0; i < siren.length; i += 128) d.process(siren.subarray(i, i + 128));
    }, 50);
    return { cpuUs: (m.cpuMs * 1000) / siren.length, wallUs: (m.wallMs * 1000) / siren.length };
  })(),
};
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
else {
  const f = (m: { cpuMs: number; wallMs: number }) => `${m.cpuMs.toFixed(3)} ms CPU (${m.wallMs.toFixed(3)} ms wall)`;
  process.stdout.write(`model ${results.modelVersion}: ${results.modelBytes} bytes
classify 1 s (engine)    ${f(results.classify1s)}
classify 1 s (siren)     ${f(results.classify1sSiren)}
  frame analysis 1 s     ${f(results.frameAnalysis1s)}
  window summary         ${f(results.windowSummary)}
  MLP                    ${f(results.mlp)}
detector                 ${results.detectorPerSampleUs.cpuUs.toFixed(4)} µs/sample CPU (${results.detectorPerSampleUs.wallUs.toFixed(4)} µs wall)
`);
}
