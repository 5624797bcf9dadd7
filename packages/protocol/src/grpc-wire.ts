/**
 * Hand-written protobuf encoders for the two per-frame messages of anc.proto (AudioChunk, AntiNoiseChunk): the
 * same bytes as @grpc/proto-loader's serializer (protobufjs `encode(fromObject(x))`), which every present field
 * writes in field order, defaults included, and skips null/undefined ones, without building a message object and
 * a growable writer per frame. grpc-wire.test.ts compares them with protobufjs on many messages.
 * Anything these do not expect (bytes given as a base64 string, a string with a lone surrogate) is for the
 * caller's fallback: they return null.
 */
import type { AntiNoiseChunk, AudioChunk } from './grpc.js';

const textEncoder = new TextEncoder();

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/**
 * UTF-8 length of a JS string; -1 for a lone surrogate, which protobufjs and TextEncoder write differently (the
 * caller then falls back to protobufjs).
 */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c < 0xd800 || c > 0xdfff) n += 3;
    else if (c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else return -1;
  }
  return n;
}

/** A field plan: what to write, with its size known up front (one exact allocation). */
type Field =
  | { kind: 'varint'; tag: number; value: number }
  | { kind: 'double'; tag: number; value: number }
  | { kind: 'bytes'; tag: number; value: Uint8Array }
  | { kind: 'string'; tag: number; value: string; length: number };

class Plan {
  readonly fields: Field[] = [];
  size = 0;

  varint(field: number, value: unknown): void {
    if (value == null) return;
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : (value as number) >>> 0;
    this.fields.push({ kind: 'varint', tag: field << 3, value: v });
    this.size += 1 + varintSize(v);
  }

  bool(field: number, value: unknown): void {
    if (value == null) return;
    this.varint(field, Boolean(value));
  }

  double(field: number, value: unknown): void {
    if (value == null) return;
    this.fields.push({ kind: 'double', tag: (field << 3) | 1, value: Number(value) });
    this.size += 9;
  }

  /** false: a string protobufjs must write itself (a lone surrogate). */
  string(field: number, value: unknown): boolean {
    if (value == null) return true;
    const s = String(value);
    const length = utf8Length(s);
    if (length < 0) return false;
    this.fields.push({ kind: 'string', tag: (field << 3) | 2, value: s, length });
    this.size += 1 + varintSize(length) + length;
    return true;
  }

  /** false: not a byte array (the caller falls back to protobufjs). */
  bytes(field: number, value: unknown): boolean {
    if (value == null) return true;
    if (!(value instanceof Uint8Array)) return false;
    this.fields.push({ kind: 'bytes', tag: (field << 3) | 2, value });
    this.size += 1 + varintSize(value.byteLength) + value.byteLength;
    return true;
  }

  write<T extends Uint8Array>(alloc: (size: number) => T): T {
    const out = alloc(this.size);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    let at = 0;
    const varint = (v: number): void => {
      while (v >= 0x80) {
        out[at++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      out[at++] = v;
    };
    for (const f of this.fields) {
      out[at++] = f.tag; // every tag of these messages is below 128
      if (f.kind === 'varint') varint(f.value);
      else if (f.kind === 'double') {
        view.setFloat64(at, f.value, true);
        at += 8;
      } else if (f.kind === 'bytes') {
        varint(f.value.byteLength);
        out.set(f.value, at);
        at += f.value.byteLength;
      } else {
        varint(f.length);
        if (f.length === f.value.length) {
          for (let i = 0; i < f.length; i++) out[at + i] = f.value.charCodeAt(i); // ASCII
        } else {
          textEncoder.encodeInto(f.value, out.subarray(at, at + f.length));
        }
        at += f.length;
      }
    }
    return out;
  }
}

/** AntiNoiseChunk → protobuf bytes in `alloc(size)`, or null when the chunk needs protobufjs's own conversions. */
export function encodeAntiNoiseChunk<T extends Uint8Array>(chunk: Partial<AntiNoiseChunk>, alloc: (size: number) => T): T | null {
  const p = new Plan();
  if (!p.bytes(1, chunk.antiNoiseData)) return null;
  p.double(2, chunk.cancellationDb);
  p.double(3, chunk.latencyUs);
  if (!p.string(4, chunk.noiseType) || !p.string(5, chunk.sessionId)) return null;
  p.varint(6, chunk.sequence);
  p.double(7, chunk.timestampUs);
  if (!p.string(8, chunk.phase)) return null;
  p.varint(9, chunk.errorCode);
  if (!p.string(10, chunk.errorMessage) || !p.string(11, chunk.eventJson)) return null;
  return p.write(alloc);
}

/** AudioChunk → protobuf bytes in `alloc(size)`, or null when the chunk needs protobufjs's own conversions. */
export function encodeAudioChunk<T extends Uint8Array>(chunk: Partial<AudioChunk>, alloc: (size: number) => T): T | null {
  const p = new Plan();
  if (!p.bytes(1, chunk.audioData)) return null;
  p.varint(2, chunk.sampleRate);
  p.varint(3, chunk.channels);
  p.double(4, chunk.timestampUs);
  if (!p.string(5, chunk.sessionId)) return null;
  p.varint(6, chunk.sequence);
  p.varint(7, chunk.frameSize);
  if (!p.string(8, chunk.configJson)) return null;
  p.bool(9, chunk.antiNoiseMissing);
  return p.write(alloc);
}
