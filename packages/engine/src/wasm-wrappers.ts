/**
 * V8 first calls each export of a WebAssembly instance through a generic JS-to-WASM wrapper and, after that export
 * of that instance has been called 1000 times, compiles a specific wrapper on the calling thread (about 0.3 ms
 * here). Every session (and every simulated room) has kernel instances of its own, called once per frame, so
 * sessions that start together reach their 1000th frame together: 100 sessions of 160-sample frames stalled the
 * engine's thread 29 ms at once, 10 s in, and every frame in flight was late (docs/benchmarks.md, "wrapper
 * tier-up"). With the generic wrapper off, V8 builds the specific wrappers when it instantiates: no stall later,
 * the same speed per call. Process-wide; call before the first kernel is instantiated (it is a no-op afterwards
 * for instances that already exist, and harmless to repeat).
 */
import { setFlagsFromString } from 'node:v8';

export function useSpecificWasmWrappers(): void {
  setFlagsFromString('--no-wasm-generic-wrapper');
}
