/**
 * @antiphase/engine — the transport-agnostic session engine (DESIGN.md §3). Transports use Engine (or Session for
 * a single in-process loop) and the types; everything else is internal.
 */
export type {
  AntiNoiseFrame, AudioFrame, SessionAnalysis, SessionConfig, SessionPatch, SessionPhase, SessionStats,
} from './types.js';
export { defaultWorkerCount, Engine, type EngineEvents, type EngineOptions } from './engine.js';
export { Session, type SessionOptions } from './session.js';
export { useSpecificWasmWrappers } from './wasm-wrappers.js';
export { DisturbanceAnalyser, welchAnalysis, type AnalyserOptions } from './analysis.js';
export type { NoiseEvent, NoiseEventType } from './noise-monitor.js';
export { EngineError, ENGINE_ERROR_CODES, isEngineErrorCode, type EngineErrorCode } from './errors.js';
export {
  resolveConfig, estimateLoad, maxTapsFor, defaultBlockSize, defaultIdentificationTaps, LIMITS, DEFAULTS, MAX_SESSION_LOAD,
  type ResolvedConfig,
} from './config.js';
