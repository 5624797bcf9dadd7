/**
 * The demo's noise scenes at 48 kHz, and its room. Scenes come from the DSP core's simulator (engine harmonics,
 * broadband, chirp) and from the noise-intelligence generator (road traffic, aircraft, a siren), so the sounds are
 * the ones the service's classifier and emergency detector are built on. The room is the SDK's 'duct' geometry
 * (a 6 ms acoustic lead from reference to error mic), the one VirtualRoom streams to the service.
 */
import { generateScene, Random, resample } from '@antiphase/dsp';
import { GENERATOR_SAMPLE_RATE, siren, SOURCES } from '@antiphase/intelligence';
import { SAMPLE_RATE } from './demo-constants.js';

/** Level of the intelligence-generator scenes (their sources are normalised to RMS 1): −20 dBFS like the simulator's. */
const RMS = 0.1;

export const DEMO_SCENES = ['engine', 'traffic', 'aircraft', 'broadband', 'chirp', 'siren'] as const;
export type DemoScene = (typeof DEMO_SCENES)[number];

export const SCENE_LABELS: Record<DemoScene, string> = {
  engine: 'Engine harmonics',
  traffic: 'Road traffic',
  aircraft: 'Aircraft (broadband)',
  broadband: 'White broadband noise',
  chirp: 'Chirp (20 Hz → 1.6 kHz sweeps)',
  siren: 'Traffic, then a siren (emergency bypass)',
};

export function isDemoScene(name: string): name is DemoScene {
  return (DEMO_SCENES as readonly string[]).includes(name);
}

/** When the siren starts in the 'siren' scene, s: first the loop converges on the traffic, then the bypass acts. */
export const SIREN_ONSET_S = 3;

/** `durationS` of scene `name` at SAMPLE_RATE, seed 1 (the same samples every run). */
export function demoScene(name: DemoScene, durationS: number): Float32Array {
  switch (name) {
    case 'engine':
    case 'broadband':
    case 'chirp':
      return generateScene(name, { sampleRate: SAMPLE_RATE, durationS, seed: 1 });
    case 'traffic':
    case 'aircraft':
      return generated((rng, n) => SOURCES[name](rng, n), durationS);
    case 'siren':
      return generated((rng, n) => {
        const bed = SOURCES.traffic(rng, n);
        const onset = SIREN_ONSET_S * GENERATOR_SAMPLE_RATE;
        const tone = siren(rng, n - onset, 'wail');
        // The siren 6 dB over the traffic: loud enough to be a warning, as a real one is.
        for (let i = 0; i < tone.length; i++) bed[onset + i] = 0.5 * bed[onset + i] + tone[i];
        return bed;
      }, durationS);
  }
}

function generated(make: (rng: Random, n: number) => Float32Array, durationS: number): Float32Array {
  const signal = make(new Random(1), Math.round(durationS * GENERATOR_SAMPLE_RATE));
  let energy = 0;
  for (const v of signal) energy += v * v;
  const gain = RMS / Math.sqrt(energy / signal.length || 1);
  for (let i = 0; i < signal.length; i++) signal[i] *= gain;
  return resample(signal, GENERATOR_SAMPLE_RATE, SAMPLE_RATE);
}
