/**
 * SessionConfig validation, defaults and the real-time budget.
 *
 * Every check throws EngineError('INVALID_CONFIG') whose message starts with the field's name and whose `field`
 * holds it, so a transport can point at the bad field. Validation never mutates its input.
 */
import { isControllerAlgorithm, type ControllerAlgorithm } from '@antiphase/dsp';
import { EngineError } from './errors.js';
import type { SessionConfig, SessionPatch } from './types.js';

export const LIMITS = {
  sampleRate: { min: 8000, max: 48000 },
  frameSize: { min: 16, max: 4096 },
  taps: { min: 8, max: 4096 },
  /** FxRLS costs O(L²) per sample; 256 is the structural cap, the real-time budget usually allows fewer. */
  fxrlsTaps: 256,
  /** Identified taps of Ŝ, after the playout delay's playoutDelayFrames·frameSize known zeros. */
  identificationTaps: { min: 16, max: 8192 },
  playoutDelayFrames: { min: 1, max: 32 },
  identificationDurationS: { min: 0.1, max: 60 },
  secondaryPathTaps: { min: 1, max: 8192 },
} as const;

export const DEFAULTS = {
  algorithm: 'fxnlms' as ControllerAlgorithm,
  taps: 256,
  sampleFormat: 'float32' as const,
  intensity: 1,
  enabled: true,
  maxLatencyMs: 100,
  emergencyBypass: true,
  /** Seconds the anti-noise stays off after an alarm or siren was last heard. */
  bypassHoldS: 2,
  playoutDelayFrames: 2,
  identification: { durationS: 2, level: 0.02 },
  /** Identified taps of Ŝ after the playout delay: the acoustic response (16 ms at 16 kHz). */
  identificationExtraTaps: 256,
  /** Block size when the frame size is neither a power of two nor has a power-of-two factor ≥ 16. */
  blockSize: 64,
};

/**
 * Estimated processing cost on one core (Node 20, x86-64), ns per sample unless named otherwise. Used for the
 * config-time budget and for placing sessions on the least-loaded worker; each session's measured processing time
 * is in its stats. The FxLMS/FxNLMS, model and fixed terms were fitted on 2026-12-07 to `bench/session.ts` (the
 * fastest of 7 rounds, FxNLMS with 64, 256 and 1024 taps at 160 samples, 256 taps at 32 samples; each within 5 % of
 * the fit, docs/benchmarks.md "Service", "Admission"); the FxRLS and frequency-domain terms are older and unchecked.
 */
const COST_NS = {
  /** Per sample whatever the controller: the emergency detector, the histories, the NR bookkeeping. */
  fixed: 18,
  /** Per frame: the call, the checks, the result. */
  perFrame: 700,
  /** FxLMS/FxNLMS (WASM SIMD kernel): per tap of W (twice: filter and update) and of Ŝ after its leading zeros. */
  lmsPerTap: 0.1,
  /** FxRLS: per L² (scalar, P-matrix update). */
  rlsPerTapSquared: 4,
  /** Frequency-domain controllers: per tap of W (FFT cost amortised over the block). */
  fdPerTap: 1.5,
  pbPerTap: 1.0,
  /** The session's own internal model Ŝ*y (NR estimate and control-error correction), per tap of Ŝ. */
  modelPerTap: 0.02,
};

/**
 * A session's off-path work, share of a core: a second of audio classified (≈ 1.3 ms) and half a window analysed
 * (≈ 2 ms every 2 s) per second. It loads the thread that runs it: a worker, or the inline engine's own thread
 * unless a background thread takes it (engine.ts).
 */
export const OFF_PATH_LOAD = 0.0023;

/** Largest share of one core a single session may need (estimated) before its config is refused. */
export const MAX_SESSION_LOAD = 0.5;

export interface ResolvedConfig {
  sampleRate: number;
  frameSize: number;
  sampleFormat: 'float32' | 'int16';
  algorithm: ControllerAlgorithm;
  taps: number;
  stepSize: number | undefined;
  blockSize: number | undefined;
  secondaryPathEstimate: number[] | undefined;
  controlFilter: number[] | undefined;
  identification: { durationS: number; level: number; taps: number };
  intensity: number;
  enabled: boolean;
  maxLatencyMs: number;
  playoutDelayFrames: number;
  emergencyBypass: boolean;
  bypassHoldS: number;
  presets: string | undefined;
}

const KNOWN_FIELDS = new Set([
  'sampleRate', 'frameSize', 'sampleFormat', 'algorithm', 'taps', 'stepSize', 'blockSize', 'secondaryPathEstimate',
  'controlFilter', 'identification', 'intensity', 'enabled', 'maxLatencyMs', 'playoutDelayFrames', 'emergencyBypass', 'bypassHoldS',
  'presets',
]);
const PATCH_FIELDS = new Set(['algorithm', 'stepSize', 'intensity', 'enabled']);

function invalid(field: string, message: string): never {
  throw new EngineError('INVALID_CONFIG', `${field} ${message}`, field);
}

function integerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positive(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    invalid(field, `must be a finite number > 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

const isBlockAlgorithm = (a: ControllerAlgorithm): boolean => a === 'fdfxlms' || a === 'pbfxlms';

/** Default block for fdfxlms/pbfxlms: the frame if it is a power of two, else its largest power-of-two factor ≥ 16. */
export function defaultBlockSize(frameSize: number): number {
  if (isPowerOfTwo(frameSize)) return frameSize;
  const factor = frameSize & -frameSize;
  return factor >= 16 ? factor : DEFAULTS.blockSize;
}

/** Default Ŝ length: the playout delay (known zeros) plus 256 identified taps of acoustics. */
export function defaultIdentificationTaps(frameSize: number, playoutDelayFrames: number = DEFAULTS.playoutDelayFrames): number {
  return playoutDelayFrames * frameSize + DEFAULTS.identificationExtraTaps;
}

/** Largest control filter the real-time budget allows for an algorithm at a sample rate. */
export function maxTapsFor(algorithm: ControllerAlgorithm, sampleRate: number): number {
  if (algorithm !== 'fxrls') return LIMITS.taps.max;
  const byBudget = Math.floor(Math.sqrt((MAX_SESSION_LOAD * 1e9) / (COST_NS.rlsPerTapSquared * sampleRate)));
  return Math.max(LIMITS.taps.min, Math.min(LIMITS.fxrlsTaps, byBudget));
}

/** Estimated share of one core the session's frames need while controlling (0.01 = 1 %), off-path work aside. */
export function estimateLoad(config: ResolvedConfig): number {
  const L = config.taps;
  const estimate = config.secondaryPathEstimate;
  const M = estimate?.length ?? config.identification.taps;
  let ns = COST_NS.fixed + COST_NS.modelPerTap * M + COST_NS.perFrame / config.frameSize;
  switch (config.algorithm) {
    case 'fxlms':
    case 'fxnlms': {
      // x' skips Ŝ's leading zeros: the playout delay of an identified Ŝ, or however many a given one has.
      let zeros = config.playoutDelayFrames * config.frameSize;
      if (estimate) for (zeros = 0; zeros < M && estimate[zeros] === 0;) zeros++;
      ns += COST_NS.lmsPerTap * (2 * L + M - Math.min(M, zeros));
      break;
    }
    case 'fxrls':
      ns += COST_NS.rlsPerTapSquared * L * L + COST_NS.lmsPerTap * M;
      break;
    case 'fdfxlms':
      ns += COST_NS.fdPerTap * L;
      break;
    case 'pbfxlms':
      ns += COST_NS.pbPerTap * L;
      break;
  }
  return (ns * config.sampleRate) / 1e9;
}

/** Validates a SessionConfig and fills in the defaults. Throws EngineError('INVALID_CONFIG') naming the field. */
export function resolveConfig(config: SessionConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null) invalid('config', 'must be an object');
  for (const key of Object.keys(config)) if (!KNOWN_FIELDS.has(key)) invalid(key, 'is not a SessionConfig field');
  const sampleRate = integerIn('sampleRate', config.sampleRate, LIMITS.sampleRate.min, LIMITS.sampleRate.max);
  const frameSize = integerIn('frameSize', config.frameSize, LIMITS.frameSize.min, LIMITS.frameSize.max);
  const sampleFormat = config.sampleFormat ?? DEFAULTS.sampleFormat;
  if (sampleFormat !== 'float32' && sampleFormat !== 'int16') invalid('sampleFormat', `must be 'float32' or 'int16', got ${JSON.stringify(sampleFormat)}`);
  const algorithm = resolveAlgorithm(config.algorithm ?? DEFAULTS.algorithm);
  const taps = integerIn('taps', config.taps ?? DEFAULTS.taps, LIMITS.taps.min, LIMITS.taps.max);
  const tapCap = maxTapsFor(algorithm, sampleRate);
  if (taps > tapCap) {
    invalid('taps', `must be at most ${tapCap} for ${algorithm} at ${sampleRate} Hz (real-time budget: ${MAX_SESSION_LOAD} core per session), got ${taps}`);
  }
  const stepSize = config.stepSize === undefined ? undefined : positive('stepSize', config.stepSize);
  if (stepSize !== undefined && (algorithm === 'fxnlms' || algorithm === 'fdfxlms' || algorithm === 'pbfxlms') && stepSize >= 2) {
    invalid('stepSize', `must be below 2 for the normalised ${algorithm}, got ${stepSize}`);
  }
  let blockSize: number | undefined;
  if (isBlockAlgorithm(algorithm)) {
    blockSize = integerIn('blockSize', config.blockSize ?? defaultBlockSize(frameSize), 1, LIMITS.frameSize.max);
    if (algorithm === 'pbfxlms' && !isPowerOfTwo(blockSize)) invalid('blockSize', `must be a power of two for pbfxlms, got ${blockSize}`);
    if (frameSize % blockSize !== 0) invalid('frameSize', `must be a multiple of blockSize ${blockSize} for ${algorithm}, got ${frameSize}`);
  } else if (config.blockSize !== undefined) {
    integerIn('blockSize', config.blockSize, 1, LIMITS.frameSize.max);
  }
  let secondaryPathEstimate: number[] | undefined;
  if (config.secondaryPathEstimate !== undefined) {
    const s = config.secondaryPathEstimate;
    if (!Array.isArray(s) || s.length < LIMITS.secondaryPathTaps.min || s.length > LIMITS.secondaryPathTaps.max) {
      invalid('secondaryPathEstimate', `must be an array of ${LIMITS.secondaryPathTaps.min} to ${LIMITS.secondaryPathTaps.max} numbers`);
    }
    for (let i = 0; i < s.length; i++) {
      if (typeof s[i] !== 'number' || !Number.isFinite(s[i])) invalid('secondaryPathEstimate', `tap ${i} is not a finite number`);
    }
    secondaryPathEstimate = s.slice();
  }
  let controlFilter: number[] | undefined;
  if (config.controlFilter !== undefined) {
    const w = config.controlFilter;
    if (!Array.isArray(w) || w.length !== taps) invalid('controlFilter', `must be an array of taps (${taps}) numbers`);
    for (let i = 0; i < w.length; i++) {
      if (typeof w[i] !== 'number' || !Number.isFinite(w[i])) invalid('controlFilter', `tap ${i} is not a finite number`);
    }
    controlFilter = w.slice();
  }
  const ident = config.identification ?? {};
  if (typeof ident !== 'object' || ident === null) invalid('identification', 'must be an object');
  for (const key of Object.keys(ident)) if (!['durationS', 'level', 'taps'].includes(key)) invalid(`identification.${key}`, 'is not an identification field');
  const durationS = positive('identification.durationS', ident.durationS ?? DEFAULTS.identification.durationS);
  if (durationS < LIMITS.identificationDurationS.min || durationS > LIMITS.identificationDurationS.max) {
    invalid('identification.durationS', `must be from ${LIMITS.identificationDurationS.min} to ${LIMITS.identificationDurationS.max} s, got ${durationS}`);
  }
  const level = positive('identification.level', ident.level ?? DEFAULTS.identification.level);
  if (level > 1) invalid('identification.level', `must be at most 1 (full scale RMS), got ${level}`);
  const playoutDelayFrames = integerIn(
    'playoutDelayFrames', config.playoutDelayFrames ?? DEFAULTS.playoutDelayFrames,
    LIMITS.playoutDelayFrames.min, LIMITS.playoutDelayFrames.max,
  );
  const delayTaps = playoutDelayFrames * frameSize;
  const identTaps = ident.taps ?? defaultIdentificationTaps(frameSize, playoutDelayFrames);
  if (typeof identTaps !== 'number' || !Number.isInteger(identTaps)
    || identTaps < delayTaps + LIMITS.identificationTaps.min || identTaps > delayTaps + LIMITS.identificationTaps.max) {
    invalid('identification.taps', `must be an integer from ${delayTaps + LIMITS.identificationTaps.min} to ${delayTaps + LIMITS.identificationTaps.max} ` +
      `(the playout delay, ${playoutDelayFrames} × ${frameSize} taps known to be zero, plus ${LIMITS.identificationTaps.min} to ` +
      `${LIMITS.identificationTaps.max} identified taps), got ${JSON.stringify(identTaps)}`);
  }
  const intensity = resolveIntensity(config.intensity ?? DEFAULTS.intensity);
  const enabled = resolveEnabled(config.enabled ?? DEFAULTS.enabled);
  const maxLatencyMs = positive('maxLatencyMs', config.maxLatencyMs ?? DEFAULTS.maxLatencyMs);
  const emergencyBypass = config.emergencyBypass ?? DEFAULTS.emergencyBypass;
  if (typeof emergencyBypass !== 'boolean') invalid('emergencyBypass', `must be true or false, got ${JSON.stringify(emergencyBypass)}`);
  const bypassHoldS = config.bypassHoldS ?? DEFAULTS.bypassHoldS;
  if (typeof bypassHoldS !== 'number' || !(bypassHoldS >= 0 && bypassHoldS <= 60)) {
    invalid('bypassHoldS', `must be a number of seconds from 0 to 60, got ${JSON.stringify(bypassHoldS)}`);
  }
  const presets = config.presets;
  if (presets !== undefined && (typeof presets !== 'string' || presets.length === 0 || presets.length > 256)) {
    invalid('presets', `must be the id of a registered preset bank, got ${JSON.stringify(presets)}`);
  }
  return {
    sampleRate, frameSize, sampleFormat, algorithm, taps, stepSize, blockSize, secondaryPathEstimate, controlFilter,
    identification: { durationS, level, taps: identTaps }, intensity, enabled, maxLatencyMs, playoutDelayFrames,
    emergencyBypass, bypassHoldS, presets,
  };
}

/** Validates a live update against the session's config; returns the new resolved config. */
export function applyPatch(config: ResolvedConfig, patch: SessionPatch): ResolvedConfig {
  if (typeof patch !== 'object' || patch === null) invalid('patch', 'must be an object');
  for (const key of Object.keys(patch)) {
    if (!PATCH_FIELDS.has(key)) invalid(key, `cannot change while a session runs (changeable: ${[...PATCH_FIELDS].join(', ')})`);
  }
  const next: SessionConfig = { ...toSessionConfig(config), ...patch };
  if (patch.algorithm !== undefined && patch.algorithm !== config.algorithm) {
    // A new algorithm keeps the filter length; its block size is re-derived.
    delete next.blockSize;
    if (patch.stepSize === undefined) delete next.stepSize;
  }
  return resolveConfig(next);
}

/** The resolved config in SessionConfig form (what stats report). */
export function toSessionConfig(config: ResolvedConfig): SessionConfig {
  const out: SessionConfig = {
    sampleRate: config.sampleRate,
    frameSize: config.frameSize,
    sampleFormat: config.sampleFormat,
    algorithm: config.algorithm,
    taps: config.taps,
    identification: { ...config.identification },
    intensity: config.intensity,
    enabled: config.enabled,
    maxLatencyMs: config.maxLatencyMs,
    playoutDelayFrames: config.playoutDelayFrames,
    emergencyBypass: config.emergencyBypass,
    bypassHoldS: config.bypassHoldS,
  };
  if (config.stepSize !== undefined) out.stepSize = config.stepSize;
  if (config.blockSize !== undefined) out.blockSize = config.blockSize;
  if (config.secondaryPathEstimate !== undefined) out.secondaryPathEstimate = config.secondaryPathEstimate.slice();
  if (config.controlFilter !== undefined) out.controlFilter = config.controlFilter.slice();
  if (config.presets !== undefined) out.presets = config.presets;
  return out;
}

function resolveAlgorithm(value: unknown): ControllerAlgorithm {
  if (typeof value !== 'string' || !isControllerAlgorithm(value)) {
    invalid('algorithm', `must be one of fxlms, fxnlms, fxrls, fdfxlms, pbfxlms, got ${JSON.stringify(value)}`);
  }
  return value;
}

function resolveIntensity(value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) invalid('intensity', `must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  return value;
}

function resolveEnabled(value: unknown): boolean {
  if (typeof value !== 'boolean') invalid('enabled', `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}
