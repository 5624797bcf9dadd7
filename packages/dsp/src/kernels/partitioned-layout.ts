/**
 * Memory layout of the partitioned-block filtered-x core's WASM SIMD kernel (../../assembly/partitioned.ts), owned by
 * PartitionedSimdCore (../filters/partitioned-simd-core.ts). Offsets are bytes from the start of the instance's own
 * WebAssembly.Memory; every region starts 16-byte aligned. Spectra hold Kp = pad4(B + 1) bins (the padding bins stay
 * 0, so f32x4 loops need no scalar tail); FDLs are `slots × Kp` bins, slot after slot.
 *
 *   header (sizes i32 × 8, region pointers u32 × 24) | time, inputWindow, filteredWindow (2B each) | spec re/im |
 *   input FDL re/im (depth) | Ŝ re/im (Q) | regressor FDL re/im (P) | W re/im (P) | power, inputPower |
 *   FFT work re/im (B) | bit reversal (u32 × B) | stage twiddles cos/−sin (B) | packing twiddles cos/sin (B) |
 *   source block (B) | output block (B)
 */
export interface PartitionedLayout {
  blockSize: number;
  paddedBins: number;
  partitions: number;
  kernelPartitions: number;
  depth: number;
  taps: number;
  /** Byte offsets, in the order setup() reads them. */
  time: number;
  inputWindow: number;
  filteredWindow: number;
  specRe: number;
  specIm: number;
  inputRe: number;
  inputIm: number;
  kernelRe: number;
  kernelIm: number;
  regressorRe: number;
  regressorIm: number;
  weightRe: number;
  weightIm: number;
  power: number;
  inputPower: number;
  workRe: number;
  workIm: number;
  reversed: number;
  stageCos: number;
  stageSin: number;
  packCos: number;
  packSin: number;
  source: number;
  output: number;
  /** Header: sizes at 0 (i32 × 8), pointers at POINTERS_OFFSET (u32 × 24). */
  bytes: number;
}

export const SIZES_OFFSET = 0;
export const POINTERS_OFFSET = 32;
const HEADER_BYTES = 128;
/** Region names in the order of the pointer table (assembly/partitioned.ts setup()). */
export const POINTER_ORDER = [
  'time', 'inputWindow', 'filteredWindow', 'specRe', 'specIm', 'inputRe', 'inputIm', 'kernelRe', 'kernelIm',
  'regressorRe', 'regressorIm', 'weightRe', 'weightIm', 'power', 'inputPower', 'workRe', 'workIm', 'reversed',
  'stageCos', 'stageSin', 'packCos', 'packSin', 'source', 'output',
] as const;

export function partitionedLayout(taps: number, blockSize: number, kernelLength: number): PartitionedLayout {
  const B = blockSize;
  const paddedBins = (B + 1 + 3) & ~3;
  const partitions = Math.ceil(taps / B);
  const kernelPartitions = Math.ceil(kernelLength / B);
  const depth = Math.max(partitions, kernelPartitions);
  let at = HEADER_BYTES;
  const take = (floats: number): number => {
    const offset = at;
    at = (at + floats * 4 + 15) & ~15;
    return offset;
  };
  const layout = {
    blockSize: B, paddedBins, partitions, kernelPartitions, depth, taps,
    time: take(2 * B), inputWindow: take(2 * B), filteredWindow: take(2 * B),
    specRe: take(paddedBins), specIm: take(paddedBins),
    inputRe: take(depth * paddedBins), inputIm: take(depth * paddedBins),
    kernelRe: take(kernelPartitions * paddedBins), kernelIm: take(kernelPartitions * paddedBins),
    regressorRe: take(partitions * paddedBins), regressorIm: take(partitions * paddedBins),
    weightRe: take(partitions * paddedBins), weightIm: take(partitions * paddedBins),
    power: take(paddedBins), inputPower: take(paddedBins),
    workRe: take(B), workIm: take(B), reversed: take(B),
    stageCos: take(Math.max(4, B)), stageSin: take(Math.max(4, B)), packCos: take(B), packSin: take(B),
    source: take(B), output: take(B),
    bytes: 0,
  };
  layout.bytes = at;
  return layout;
}

/** Writes the header and the FFT tables (2B-point real FFT as a B-point complex one, as in ../fft.ts). */
export function writePartitionedTables(buffer: ArrayBuffer, layout: PartitionedLayout): void {
  const sizes = new Int32Array(buffer, SIZES_OFFSET, 8);
  sizes.set([layout.blockSize, layout.paddedBins, layout.partitions, layout.kernelPartitions, layout.depth, layout.taps]);
  new Uint32Array(buffer, POINTERS_OFFSET, POINTER_ORDER.length).set(POINTER_ORDER.map((name) => layout[name]));
  const M = layout.blockSize;
  const bits = Math.round(Math.log2(M));
  const reversed = new Uint32Array(buffer, layout.reversed, M);
  for (let n = 0; n < M; n++) {
    let r = 0;
    for (let b = 0, v = n; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    reversed[n] = r;
  }
  // Radix-2 stages h = 4 … M/2: W_{2h}^j = cos(πj/h) − i·sin(πj/h), j < h, stored from offset h − 4.
  const stageCos = new Float32Array(buffer, layout.stageCos, Math.max(4, M));
  const stageSin = new Float32Array(buffer, layout.stageSin, Math.max(4, M));
  for (let h = 4; h < M; h *= 2) {
    for (let j = 0; j < h; j++) {
      stageCos[h - 4 + j] = Math.cos((Math.PI * j) / h);
      stageSin[h - 4 + j] = -Math.sin((Math.PI * j) / h);
    }
  }
  const packCos = new Float32Array(buffer, layout.packCos, M);
  const packSin = new Float32Array(buffer, layout.packSin, M);
  for (let k = 0; k < M; k++) {
    packCos[k] = Math.cos((Math.PI * k) / M);
    packSin[k] = Math.sin((Math.PI * k) / M);
  }
}
