/**
 * Test access to ../shared/data (measured paths and real recordings, evaluation-only licences: read in place,
 * never copied into the repository). Tests that need it skip, saying why, where it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePath, readWav, resample, toMono, type AcousticPath } from '@antiphase/dsp';

export const sharedDataDir = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/** `false` when ../shared/data is present, else the reason to pass as a test's `skip` option. */
export const sharedDataMissing: false | string = existsSync(sharedDataDir)
  ? false
  : `../shared/data not found at ${sharedDataDir}: measured paths and recordings are needed for this test`;

export function sharedPath(file: string, trim?: string): AcousticPath {
  return parsePath(JSON.parse(readFileSync(`${sharedDataDir}paths/${file}`, 'utf8')), { trim, name: file });
}

/** A recording from noise-real/, mono, resampled to `sampleRate`. */
export function sharedNoise(file: string, sampleRate: number): Float32Array {
  const audio = readWav(new Uint8Array(readFileSync(`${sharedDataDir}noise-real/${file}`)));
  const mono = toMono(audio);
  return audio.sampleRate === sampleRate ? mono : resample(mono, audio.sampleRate, sampleRate);
}
