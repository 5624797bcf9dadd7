/**
 * Versioned binary state snapshots.
 *
 *   0        4        6        8              8+n
 *   +--------+--------+--------+--------------+------------------------------------------+
 *   | "APSN" | ver u16| len u16| kind (UTF-8) | fields…                                  |
 *   +--------+--------+--------+--------------+------------------------------------------+
 *   field: name-len u8 | name UTF-8 | dtype u8 (1 = f32, 2 = f64, 3 = i32, 4 = u8) | count u32 | pad to 8 | data (LE)
 *
 * A u8 field can hold a nested snapshot, so composite objects snapshot their parts.
 *
 * Little-endian throughout. Fields are read by name, so a reader rejects a snapshot whose kind or shapes differ
 * from the live object instead of silently misreading it.
 */
const MAGIC = 0x4e535041; // "APSN" little-endian
export const SNAPSHOT_VERSION = 1;

type Field = Float32Array | Float64Array | Int32Array | Uint8Array;
const DTYPE = { f32: 1, f64: 2, i32: 3, u8: 4 } as const;

// Created on first use: AudioWorkletGlobalScope has neither TextEncoder nor TextDecoder, and module-level ones
// would stop the whole DSP core from loading in a worklet that never takes or restores a snapshot.
let textEncoder: TextEncoder | null = null;
let textDecoder: TextDecoder | null = null;
const encoder = { encode: (text: string): Uint8Array => (textEncoder ??= new TextEncoder()).encode(text) };
const decoder = { decode: (bytes: Uint8Array): string => (textDecoder ??= new TextDecoder()).decode(bytes) };

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export class SnapshotWriter {
  private readonly fields: { name: Uint8Array; data: Field }[] = [];
  constructor(private readonly kind: string) {}

  add(name: string, data: Field): this {
    this.fields.push({ name: encoder.encode(name), data });
    return this;
  }

  /** Convenience for scalar state. */
  addNumbers(name: string, values: readonly number[]): this {
    return this.add(name, Float64Array.from(values));
  }

  finish(): Uint8Array {
    const kind = encoder.encode(this.kind);
    let size = align8(8 + kind.length);
    for (const f of this.fields) size = align8(size + 1 + f.name.length + 1 + 4) + f.data.byteLength;
    const bytes = new Uint8Array(align8(size));
    const view = new DataView(bytes.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint16(4, SNAPSHOT_VERSION, true);
    view.setUint16(6, kind.length, true);
    bytes.set(kind, 8);
    let at = align8(8 + kind.length);
    for (const f of this.fields) {
      bytes[at++] = f.name.length;
      bytes.set(f.name, at);
      at += f.name.length;
      bytes[at++] = dtypeOf(f.data);
      view.setUint32(at, f.data.length, true);
      at = align8(at + 4);
      // Typed arrays are little-endian on every platform we run on (x86, ARM); a copy keeps it simple.
      bytes.set(new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength), at);
      at += f.data.byteLength;
    }
    return bytes;
  }
}

export class SnapshotReader {
  private readonly fields = new Map<string, Field>();
  readonly version: number;
  readonly kind: string;

  constructor(bytes: Uint8Array, expectedKind: string) {
    if (bytes.byteLength < 8) throw new SnapshotError('snapshot is truncated');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC) throw new SnapshotError('not an Antiphase snapshot (bad magic)');
    this.version = view.getUint16(4, true);
    if (this.version !== SNAPSHOT_VERSION) {
      throw new SnapshotError(`snapshot version ${this.version} is not supported (this build reads ${SNAPSHOT_VERSION})`);
    }
    const kindLength = view.getUint16(6, true);
    this.kind = decoder.decode(bytes.subarray(8, 8 + kindLength));
    if (this.kind !== expectedKind) throw new SnapshotError(`snapshot is of a ${this.kind}, expected ${expectedKind}`);
    let at = align8(8 + kindLength);
    while (at < bytes.byteLength && bytes[at] !== 0) {
      const nameLength = bytes[at++];
      const name = decoder.decode(bytes.subarray(at, at + nameLength));
      at += nameLength;
      const dtype = bytes[at++];
      if (at + 4 > bytes.byteLength) throw new SnapshotError('snapshot is truncated');
      const count = view.getUint32(at, true);
      at = align8(at + 4);
      const width = dtype === DTYPE.f64 ? 8 : dtype === DTYPE.u8 ? 1 : 4;
      if (at + count * width > bytes.byteLength) throw new SnapshotError(`snapshot field ${name} is truncated`);
      const slice = bytes.slice(at, at + count * width).buffer;
      const data =
        dtype === DTYPE.f32 ? new Float32Array(slice)
        : dtype === DTYPE.f64 ? new Float64Array(slice)
        : dtype === DTYPE.i32 ? new Int32Array(slice)
        : dtype === DTYPE.u8 ? new Uint8Array(slice)
        : null;
      if (!data) throw new SnapshotError(`snapshot field ${name} has unknown type ${dtype}`);
      this.fields.set(name, data);
      at += count * width;
    }
  }

  /** Copies a field into `target`, which must have the same type and length. */
  read(name: string, target: Field): void {
    const field = this.fields.get(name);
    if (!field) throw new SnapshotError(`snapshot has no field ${name}`);
    if (field.constructor !== target.constructor || field.length !== target.length) {
      throw new SnapshotError(`snapshot field ${name} has ${field.length} values, this ${this.kind} needs ${target.length}`);
    }
    target.set(field as never);
  }

  /** A u8 field of any length (e.g. a nested snapshot). */
  bytes(name: string): Uint8Array {
    const field = this.fields.get(name);
    if (!(field instanceof Uint8Array)) throw new SnapshotError(`snapshot has no byte field ${name}`);
    return field;
  }

  numbers(name: string, count: number): Float64Array {
    const out = new Float64Array(count);
    this.read(name, out);
    return out;
  }
}

function dtypeOf(data: Field): number {
  if (data instanceof Float32Array) return DTYPE.f32;
  if (data instanceof Float64Array) return DTYPE.f64;
  if (data instanceof Uint8Array) return DTYPE.u8;
  return DTYPE.i32;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
