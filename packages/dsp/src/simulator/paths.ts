/**
 * Acoustic paths (primary P, secondary S) for the simulator: FIR impulse responses at a given sample rate.
 *
 * JSON form, as in ../shared/data/paths/*.json:
 *   { "sampleRate": 16000, "taps": [ … ], "trims": { "NAME": [start, end), … }, …any other fields ignored }
 * `trims` is optional; it names published ways of cutting a measured response (e.g. dropping the pre-delay), as
 * half-open index ranges into `taps`. parsePath() only reads — it never mutates its input.
 */
export interface AcousticPath {
  /** Sample rate of the impulse response, Hz. */
  sampleRate: number;
  /** Impulse response, tap 0 first. */
  taps: Float32Array;
  name?: string;
}

export interface ParsePathOptions {
  /** Name of an entry in the JSON's `trims` to slice the taps by. */
  trim?: string;
  /** Name to give the path (default: the JSON's `name` field, if a string). */
  name?: string;
}

export class PathError extends Error {
  override name = 'PathError';
}

export function parsePath(json: unknown, options: ParsePathOptions = {}): AcousticPath {
  const label = options.name !== undefined ? `path ${options.name}` : 'path';
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PathError(`${label}: expected an object with sampleRate and taps, got ${describe(json)}`);
  }
  const record = json as Record<string, unknown>;
  const { sampleRate, taps } = record;
  if (typeof sampleRate !== 'number' || !Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new PathError(`${label}: sampleRate must be a positive finite number of Hz, got ${describe(sampleRate)}`);
  }
  if (!Array.isArray(taps) && !(taps instanceof Float32Array) && !(taps instanceof Float64Array)) {
    throw new PathError(`${label}: taps must be an array of numbers, got ${describe(taps)}`);
  }
  if (taps.length === 0) throw new PathError(`${label}: taps is empty`);
  for (let i = 0; i < taps.length; i++) {
    const v: unknown = taps[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new PathError(`${label}: taps[${i}] is ${describe(v)}, not a finite number`);
  }

  let start = 0;
  let end = taps.length;
  if (options.trim !== undefined) [start, end] = trimRange(record.trims, options.trim, taps.length, label);

  const path: AcousticPath = { sampleRate, taps: Float32Array.from(taps.slice(start, end) as ArrayLike<number>) };
  const name = options.name ?? (typeof record.name === 'string' ? record.name : undefined);
  if (name !== undefined) path.name = name;
  return path;
}

function trimRange(trims: unknown, trim: string, length: number, label: string): [number, number] {
  if (typeof trims !== 'object' || trims === null || Array.isArray(trims)) {
    throw new PathError(`${label}: trim '${trim}' requested but the path has no trims`);
  }
  const available = Object.keys(trims);
  if (!Object.hasOwn(trims, trim)) {
    throw new PathError(`${label}: unknown trim '${trim}'; available trims: ${available.length > 0 ? available.join(', ') : '(none)'}`);
  }
  const range: unknown = (trims as Record<string, unknown>)[trim];
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => Number.isInteger(v))) {
    throw new PathError(`${label}: trims.${trim} must be [start, end) integer indices, got ${describe(range)}`);
  }
  const [start, end] = range as [number, number];
  if (!(start >= 0 && start < end && end <= length)) {
    throw new PathError(`${label}: trims.${trim} = [${start}, ${end}) is outside the ${length} taps or empty`);
  }
  return [start, end];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
