/**
 * Versioned session snapshot envelope. (The dsp core's SnapshotWriter is internal to @antiphase/dsp; the engine
 * only needs a JSON header for scalars plus named binary blobs, so it carries its own small format.)
 *
 *   0        4         6         8              12                 12+h    (aligned to 8)
 *   +--------+---------+---------+--------------+------------------+-------+-------------------------------+
 *   | "APSE" | ver u16 | 0 u16   | headerLen u32| header, JSON UTF-8 | pad   | blob 0 | pad | blob 1 | …      |
 *   +--------+---------+---------+--------------+------------------+-------+-------------------------------+
 *   header = { kind, state: {...scalars}, blobs: { name: [offset, byteLength] } }   (offsets from byte 0)
 *
 * Little-endian. Float64 scalars survive JSON exactly (shortest round-trip representation). Blobs are raw bytes:
 * nested dsp snapshots, or Float32Array contents.
 */
import { EngineError } from './errors.js';

const MAGIC = 0x45535041; // "APSE" little-endian
export const ENVELOPE_VERSION = 1;
/** Refuse absurd snapshots before parsing them (a 4096-tap FxRLS state is far below this). */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bad(message: string): never {
  throw new EngineError('INVALID_SNAPSHOT', message);
}

const align8 = (n: number): number => (n + 7) & ~7;

export function writeEnvelope(kind: string, state: Record<string, unknown>, blobs: Record<string, Uint8Array | Float32Array>): Uint8Array {
  const names = Object.keys(blobs);
  // The header holds the blob offsets, which depend on the header length: lay out with placeholder offsets of the
  // final width by iterating until the header length settles (twice at most in practice).
  let offsets: Record<string, [number, number]> = {};
  let header = encoder.encode(JSON.stringify({ kind, state, blobs: offsets }));
  for (let pass = 0; pass < 4; pass++) {
    let at = align8(12 + header.length);
    const next: Record<string, [number, number]> = {};
    for (const name of names) {
      next[name] = [at, blobs[name].byteLength];
      at = align8(at + blobs[name].byteLength);
    }
    offsets = next;
    const encoded = encoder.encode(JSON.stringify({ kind, state, blobs: offsets }));
    if (encoded.length === header.length) {
      header = encoded;
      break;
    }
    header = encoded;
  }
  let size = align8(12 + header.length);
  for (const name of names) size = align8(size + blobs[name].byteLength);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, ENVELOPE_VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  for (const name of names) {
    const blob = blobs[name];
    bytes.set(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), offsets[name][0]);
  }
  return bytes;
}

export class EnvelopeReader {
  readonly state: Record<string, unknown>;
  private readonly blobs: Record<string, [number, number]>;

  constructor(private readonly bytes: Uint8Array, kind: string) {
    if (!(bytes instanceof Uint8Array)) bad('snapshot must be a Uint8Array');
    if (bytes.byteLength < 12) bad('snapshot is truncated');
    if (bytes.byteLength > MAX_SNAPSHOT_BYTES) bad(`snapshot is larger than ${MAX_SNAPSHOT_BYTES} bytes`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC) bad('not an Antiphase session snapshot (bad magic)');
    const version = view.getUint16(4, true);
    if (version !== ENVELOPE_VERSION) bad(`session snapshot version ${version} is not supported (this build reads ${ENVELOPE_VERSION})`);
    const headerLength = view.getUint32(8, true);
    if (12 + headerLength > bytes.byteLength) bad('snapshot header is truncated');
    let header: { kind?: unknown; state?: unknown; blobs?: unknown };
    try {
      header = JSON.parse(decoder.decode(bytes.subarray(12, 12 + headerLength)));
    } catch {
      bad('snapshot header is not valid JSON');
    }
    if (header.kind !== kind) bad(`snapshot is of a ${String(header.kind)}, expected ${kind}`);
    if (typeof header.state !== 'object' || header.state === null) bad('snapshot has no state');
    if (typeof header.blobs !== 'object' || header.blobs === null) bad('snapshot has no blob table');
    this.state = header.state as Record<string, unknown>;
    this.blobs = header.blobs as Record<string, [number, number]>;
    for (const [name, range] of Object.entries(this.blobs)) {
      if (!Array.isArray(range) || range.length !== 2 || !range.every((n) => Number.isInteger(n) && n >= 0) || range[0] + range[1] > bytes.byteLength) {
        bad(`snapshot blob ${name} lies outside the snapshot`);
      }
    }
  }

  number(name: string): number {
    const value = this.state[name];
    if (typeof value !== 'number') bad(`snapshot field ${name} is missing or not a number`);
    return value;
  }

  value(name: string): unknown {
    if (!(name in this.state)) bad(`snapshot field ${name} is missing`);
    return this.state[name];
  }

  /** A header field that older snapshots may lack: undefined where absent. */
  optional(name: string): unknown {
    return Object.hasOwn(this.state, name) ? this.state[name] : undefined;
  }

  has(blob: string): boolean {
    return Object.hasOwn(this.blobs, blob);
  }

  /** A copy of a blob's bytes. */
  bytesOf(name: string): Uint8Array {
    const range = this.blobs[name];
    if (!range) bad(`snapshot has no blob ${name}`);
    return this.bytes.slice(range[0], range[0] + range[1]);
  }

  /** Copies a Float32Array blob into `target`, which must have its length. */
  readFloats(name: string, target: Float32Array): void {
    const bytes = this.bytesOf(name);
    if (bytes.byteLength !== target.byteLength) bad(`snapshot blob ${name} has ${bytes.byteLength / 4} values, this session needs ${target.length}`);
    target.set(new Float32Array(bytes.buffer, bytes.byteOffset, target.length));
  }
}
