/**
 * V8 first calls each export of a WebAssembly instance through a generic JS-to-WASM wrapper and, after that export
 * of that instance has been called 1000 times, compiles a specific wrapper on the calling thread (about 0.3 ms
 * here). Every session has kernel instances of its own (its controller's and its path model's), called once per
 * frame, so sessions that start together reach their 1000th frame together: 100 sessions of 160-sample frames
 * stalled the engine's thread 29 ms at once, 10 s in, and every frame in flight was late (docs/benchmarks.md,
 * "Wrapper tier-up"). With the generic wrapper off, V8 builds the specific wrappers when it instantiates: no stall
 * later, the same speed per call. Process-wide; call before the first kernel is instantiated (instances that
 * already exist keep their generic wrappers), and harmless to repeat.
 */
import { setFlagsFromString } from 'node:v8';

export function useSpecificWasmWrappers(): void {
  setFlagsFromString('--no-wasm-generic-wrapper');
}
