/**
 * Loads the WASM SIMD kernels once per runtime. Where WebAssembly or its SIMD proposal is unavailable, the loader
 * reports null and controllers fall back to the plain TypeScript reference kernels.
 */
import { wasmBase64 as fxlmsBase64 } from './generated/fxlms.wasm.js';
import { wasmBase64 as jointBase64 } from './generated/joint.wasm.js';
import { wasmBase64 as modelBase64 } from './generated/model.wasm.js';
import { wasmBase64 as partitionedBase64 } from './generated/partitioned.wasm.js';

export interface FxlmsWasmExports {
  fxlmsBlock(
    scalars: number, w: number, s: number, xh: number, fh: number, ref: number, err: number, out: number,
    L: number, Ls: number, H: number, M: number, n: number,
  ): void;
}

/** The partitioned-block filtered-x kernel (assembly/partitioned.ts); pointers per kernels/partitioned-layout.ts. */
export interface PartitionedWasmExports {
  setup(sizes: number, pointers: number): void;
  filterBlock(inputHead: number, regressorHead: number, kernelStart: number): void;
  adapt(
    step: number, leak: number, delta: number, beta: number, powerScale: number, rho: number,
    inputHead: number, regressorHead: number, constrainA: number, constrainB: number,
  ): void;
  constrainPartition(partition: number): void;
}

/** The joint NLMS identifier kernel (assembly/joint.ts); pointers per kernels/joint-layout.ts. */
export interface JointWasmExports {
  jointBlock(
    scalars: number, a: number, b: number, vh: number, xh: number, probe: number, ref: number, err: number, res: number,
    M: number, K: number, n: number,
  ): void;
}

/** The secondary-path model kernel (assembly/model.ts); see src/path-model.ts. */
export interface ModelWasmExports {
  modelBlock(s: number, h: number, out: number, n: number, fromBase: number, endBase: number, endCap: number): void;
}

const modules = new Map<string, WebAssembly.Module | null>();

function compile(name: string, base64: string): WebAssembly.Module | null {
  let module = modules.get(name);
  if (module === undefined) {
    try {
      module = typeof WebAssembly === 'object' ? new WebAssembly.Module(decodeBase64(base64)) : null;
    } catch {
      module = null; // no SIMD support: compiling the module fails validation
    }
    modules.set(name, module);
  }
  return module;
}

/** The compiled filtered-x LMS kernel module, or null where WASM SIMD cannot run. */
export function fxlmsWasmModule(): WebAssembly.Module | null {
  return compile('fxlms', fxlmsBase64);
}

/** The compiled partitioned-block filtered-x kernel module, or null where WASM SIMD cannot run. */
export function partitionedWasmModule(): WebAssembly.Module | null {
  return compile('partitioned', partitionedBase64);
}

/** The compiled joint-identifier kernel module, or null where WASM SIMD cannot run. */
export function jointWasmModule(): WebAssembly.Module | null {
  return compile('joint', jointBase64);
}

/** The compiled secondary-path model kernel module, or null where WASM SIMD cannot run. */
export function modelWasmModule(): WebAssembly.Module | null {
  return compile('model', modelBase64);
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
