/**
 * Loads the WASM SIMD kernels once per runtime. Where WebAssembly or its SIMD proposal is unavailable, the loader
 * reports null and controllers fall back to the plain TypeScript reference kernels.
 */
import { wasmBase64 as fxlmsBase64 } from './generated/fxlms.wasm.js';

export interface FxlmsWasmExports {
  fxlmsBlock(
    scalars: number, w: number, s: number, xh: number, fh: number, ref: number, err: number, out: number,
    L: number, Ls: number, H: number, M: number, n: number,
  ): void;
}

let fxlmsModule: WebAssembly.Module | null | undefined;

/** The compiled filtered-x LMS kernel module, or null where WASM SIMD cannot run. */
export function fxlmsWasmModule(): WebAssembly.Module | null {
  if (fxlmsModule === undefined) {
    try {
      fxlmsModule = typeof WebAssembly === 'object' ? new WebAssembly.Module(decodeBase64(fxlmsBase64)) : null;
    } catch {
      fxlmsModule = null; // no SIMD support: compiling the module fails validation
    }
  }
  return fxlmsModule;
}

/** Instantiates a kernel on memory the caller owns. */
export function instantiateKernel<T>(module: WebAssembly.Module, memory: WebAssembly.Memory): T {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as T;
}

// AudioWorkletGlobalScope has neither atob nor Buffer, so decode by hand (runs once per module).
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lookup = new Uint8Array(128);
  for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const bytes = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < clean.length; i++) {
    value = (value << 6) | lookup[clean.charCodeAt(i)];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (value >> bits) & 0xff;
    }
  }
  return bytes;
}
