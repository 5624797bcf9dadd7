import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readWav, toMono, writeWav, WavError, type WavErrorCode } from './wav.js';

const NOISE_REAL = fileURLToPath(new URL('../../../../../shared/data/noise-real/', import.meta.url));
const noData = existsSync(NOISE_REAL) ? false : `shared data not found at ${NOISE_REAL}`;

// ---- fixture builders: the byte layout drawn in wav.ts, assembled by hand so each test names its defect ----

function chunk(id: string, body: Uint8Array, declaredSize = body.length): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  const v = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  v.setUint32(4, declaredSize, true);
  out.set(body, 8);
  return out;
}

function riff(...chunks: Uint8Array[]): Uint8Array {
  const size = 12 + chunks.reduce((s, c) => s + c.length, 0);
  const out = new Uint8Array(size);
  out.set([...'RIFF'].map((c) => c.charCodeAt(0)), 0);
  new DataView(out.buffer).setUint32(4, size - 8, true);
  out.set([...'WAVE'].map((c) => c.charCodeAt(0)), 8);
  let o = 12;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function fmt(tag: number, channels: number, sampleRate: number, bits: number, subFormat?: number): Uint8Array {
  const body = new Uint8Array(subFormat === undefined ? 16 : 40);
  const v = new DataView(body.buffer);
  const blockAlign = (channels * bits) / 8;
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, sampleRate, true);
  v.setUint32(8, sampleRate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, bits, true);
  if (subFormat !== undefined) {
    v.setUint16(16, 22, true);
    v.setUint16(18, bits, true);
    v.setUint32(20, 0x4, true); // front centre
    v.setUint16(24, subFormat, true);
    body.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return chunk('fmt ', body);
}

const bytes = (...b: number[]) => new Uint8Array(b);

function throwsWav(fn: () => unknown, code: WavErrorCode, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WavError, `expected WavError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

// ---- decoding each sample format ----

test('8-bit PCM is unsigned with 128 as zero', () => {
  const audio = readWav(riff(fmt(1, 1, 8000, 8), chunk('data', bytes(0, 128, 255, 64))));
  assert.equal(audio.sampleRate, 8000);
  assert.deepEqual([...audio.channels[0]], [-1, 0, 127 / 128, -0.5]);
});

test('16-bit PCM scales by 32768 and de-interleaves stereo', () => {
  const data = new Uint8Array(8);
  const v = new DataView(data.buffer);
  [-32768, 32767, 16384, -1].forEach((s, i) => v.setInt16(2 * i, s, true));
  const audio = readWav(riff(fmt(1, 2, 44100, 16), chunk('data', data)));
  assert.deepEqual([...audio.channels[0]], [-1, 0.5]);
  assert.deepEqual([...audio.channels[1]], [32767 / 32768, -1 / 32768]);
});

test('24-bit PCM is sign-extended and scaled by 2^23', () => {
  const audio = readWav(riff(fmt(1, 1, 96000, 24), chunk('data', bytes(0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff))));
  assert.deepEqual([...audio.channels[0]], [-1, 1 - 2 ** -23, 2 ** -23, -(2 ** -23)]);
});

test('32-bit PCM stays inside [-1, 1) although float32 cannot hold 1 − 2^-31', () => {
  const data = new Uint8Array(12);
  const v = new DataView(data.buffer);
  [-2147483648, 2147483647, 1073741824].forEach((s, i) => v.setInt32(4 * i, s, true));
  const [ch] = readWav(riff(fmt(1, 1, 48000, 32), chunk('data', data))).channels;
  assert.equal(ch[0], -1);
  assert.ok(ch[1] < 1 && ch[1] > 0.9999999);
  assert.equal(ch[2], 0.5);
});

test('IEEE float 32 and 64 pass through unchanged, even beyond ±1', () => {
  const f32 = new Uint8Array(8);
  new DataView(f32.buffer).setFloat32(0, 1.5, true);
  new DataView(f32.buffer).setFloat32(4, -0.25, true);
  assert.deepEqual([...readWav(riff(fmt(3, 1, 16000, 32), chunk('data', f32))).channels[0]], [1.5, -0.25]);
  const f64 = new Uint8Array(16);
  new DataView(f64.buffer).setFloat64(0, 0.125, true);
  new DataView(f64.buffer).setFloat64(8, -2, true);
  assert.deepEqual([...readWav(riff(fmt(3, 1, 16000, 64), chunk('data', f64))).channels[0]], [0.125, -2]);
});

test('WAVE_FORMAT_EXTENSIBLE is read through its PCM or float sub-format', () => {
  const pcm = readWav(riff(fmt(0xfffe, 1, 48000, 24, 1), chunk('data', bytes(0x00, 0x00, 0x40))));
  assert.deepEqual([...pcm.channels[0]], [0.5]);
  const f = new Uint8Array(4);
  new DataView(f.buffer).setFloat32(0, -0.75, true);
  const flt = readWav(riff(fmt(0xfffe, 1, 48000, 32, 3), chunk('data', f)));
  assert.deepEqual([...flt.channels[0]], [-0.75]);
});

test('unknown chunks are skipped, including odd-sized ones with their pad byte', () => {
  const list = chunk('LIST', new Uint8Array([...'INFOabc'].map((c) => c.charCodeAt(0)))); // 7 bytes + pad
  const audio = readWav(riff(list, fmt(1, 1, 22050, 8), chunk('junk', bytes(1)), chunk('data', bytes(192, 64))));
  assert.equal(audio.sampleRate, 22050);
  assert.deepEqual([...audio.channels[0]], [0.5, -0.5]);
});

test('an odd-sized 8-bit data chunk is followed by its pad byte and a trailing chunk', () => {
  const file = riff(fmt(1, 1, 8000, 8), chunk('data', bytes(128, 160, 96)), chunk('LIST', bytes(0, 0)));
  assert.deepEqual([...readWav(file).channels[0]], [0, 0.25, -0.25]);
});

test('fmt after data is accepted and any sample rate is kept', () => {
  const audio = readWav(riff(chunk('data', bytes(128)), fmt(1, 1, 11025, 8)));
  assert.equal(audio.sampleRate, 11025);
});

test('a subarray view into a larger buffer is read at its own offset', () => {
  const file = riff(fmt(1, 1, 8000, 8), chunk('data', bytes(255)));
  const padded = new Uint8Array(file.length + 5);
  padded.set(file, 3);
  assert.deepEqual([...readWav(padded.subarray(3, 3 + file.length)).channels[0]], [127 / 128]);
});

// ---- rejection, each error naming its defect ----

test('readWav rejects malformed files with a WavError that names the defect', () => {
  throwsWav(() => readWav(new Uint8Array(0)), 'EMPTY', /empty file/);
  throwsWav(() => readWav(bytes(1, 2, 3)), 'TRUNCATED', /too short/);
  const notWave = riff(fmt(1, 1, 8000, 8), chunk('data', bytes(128)));
  notWave.set([...'AVI '].map((c) => c.charCodeAt(0)), 8);
  throwsWav(() => readWav(notWave), 'NOT_RIFF_WAVE', /not a RIFF\/WAVE/);
  throwsWav(() => readWav(new TextEncoder().encode('ID3\u0004 this is an mp3 file')), 'NOT_RIFF_WAVE', /RIFF/);

  const cut = riff(fmt(1, 1, 8000, 16), chunk('data', new Uint8Array(100)));
  throwsWav(() => readWav(cut.subarray(0, cut.length - 10)), 'TRUNCATED', /truncated data: "data" chunk declares 100 bytes but only 90/);
  throwsWav(() => readWav(riff(fmt(1, 2, 8000, 16), chunk('data', new Uint8Array(6)))), 'TRUNCATED', /not a whole number of 4-byte frames/);
  throwsWav(() => readWav(riff(chunk('data', bytes(1, 2)))), 'MISSING_FMT', /missing fmt chunk/);
  throwsWav(() => readWav(riff(fmt(1, 1, 8000, 8))), 'MISSING_DATA', /missing data chunk/);
  throwsWav(() => readWav(riff(fmt(1, 1, 8000, 8), chunk('LIST', bytes(1, 2)))), 'MISSING_DATA', /missing data chunk/);

  throwsWav(() => readWav(riff(fmt(2, 1, 8000, 4), chunk('data', bytes(0)))), 'UNSUPPORTED_FORMAT', /unsupported format code 0x0002/);
  throwsWav(() => readWav(riff(fmt(0x55, 1, 8000, 16), chunk('data', bytes(0, 0)))), 'UNSUPPORTED_FORMAT', /0x0055/);
  throwsWav(() => readWav(riff(fmt(0xfffe, 1, 8000, 16, 0x55), chunk('data', bytes(0, 0)))), 'UNSUPPORTED_FORMAT', /0x0055/);
  throwsWav(() => readWav(riff(fmt(1, 1, 8000, 12), chunk('data', bytes(0, 0)))), 'UNSUPPORTED_BIT_DEPTH', /bit depth 12 for PCM/);
  throwsWav(() => readWav(riff(fmt(3, 1, 8000, 16), chunk('data', bytes(0, 0)))), 'UNSUPPORTED_BIT_DEPTH', /bit depth 16 for IEEE float/);
  throwsWav(() => readWav(riff(fmt(1, 0, 8000, 16), chunk('data', bytes()))), 'INVALID_FORMAT', /zero channels/);
  throwsWav(() => readWav(riff(fmt(1, 1, 0, 16), chunk('data', bytes()))), 'INVALID_FORMAT', /sample rate of zero/);
  throwsWav(() => readWav(riff(chunk('fmt ', bytes(1, 0, 1, 0)), chunk('data', bytes()))), 'INVALID_FORMAT', /fmt chunk is 4 bytes/);
});

test('an extensible fmt with a foreign GUID is refused rather than misread', () => {
  const f = fmt(0xfffe, 1, 8000, 16, 1);
  f[8 + 30] = 0x11; // corrupt the GUID tail
  throwsWav(() => readWav(riff(f, chunk('data', bytes(0, 0)))), 'UNSUPPORTED_FORMAT', /GUID/);
});

// ---- writing ----

test('pcm16 round trip is exact for samples on the 16-bit grid, across three channels', () => {
  const grid = (k: number) => Float32Array.from({ length: 50 }, (_, i) => (((i * 977 * k) % 65536) - 32768) / 32768);
  const audio = { sampleRate: 32000, channels: [grid(1), grid(3), grid(7)] };
  const file = writeWav(audio);
  assert.equal(file.length, 44 + 50 * 3 * 2, 'canonical header is 44 bytes for PCM');
  assert.deepEqual(readWav(file), audio);
});

test('pcm16 rounds to nearest and clips to [-32768, 32767]', () => {
  const x = Float32Array.of(1, -1, 1.5, -3, 0.4 / 32768, 0.6 / 32768, -0.6 / 32768);
  const file = writeWav({ sampleRate: 8000, channels: [x] });
  const v = new DataView(file.buffer, 44);
  assert.deepEqual(
    Array.from({ length: x.length }, (_, i) => v.getInt16(2 * i, true)),
    [32767, -32768, 32767, -32768, 0, 1, -1],
  );
});

test('float32 round trip is bit-exact and carries a fact chunk', () => {
  const audio = { sampleRate: 48000, channels: [Float32Array.of(0.1, -1.75, 3e-9), Float32Array.of(2, 0, -0)] };
  const file = writeWav(audio, { format: 'float32' });
  assert.equal(new TextDecoder().decode(file.subarray(38, 42)), 'fact');
  assert.equal(new DataView(file.buffer).getUint16(20, true), 3);
  assert.deepEqual(readWav(file), audio);
});

test('writeWav names the channel and sample that cannot be written', () => {
  const bad = new Float32Array(200);
  bad[123] = NaN;
  throwsWav(() => writeWav({ sampleRate: 16000, channels: [bad] }), 'NON_FINITE_SAMPLE', /^sample 123 of channel 0 is NaN$/);
  const inf = new Float32Array(4);
  inf[2] = -Infinity;
  throwsWav(() => writeWav({ sampleRate: 16000, channels: [new Float32Array(4), inf] }, { format: 'float32' }), 'NON_FINITE_SAMPLE', /sample 2 of channel 1 is -Infinity/);
  throwsWav(() => writeWav({ sampleRate: 16000, channels: [new Float32Array(4), new Float32Array(3)] }), 'CHANNEL_LENGTH_MISMATCH', /channel 1 has 3 samples, channel 0 has 4/);
  throwsWav(() => writeWav({ sampleRate: 16000, channels: [] }), 'INVALID_FORMAT', /zero channels/);
  throwsWav(() => writeWav({ sampleRate: 0, channels: [new Float32Array(1)] }), 'INVALID_FORMAT', /sample rate 0/);
  throwsWav(() => writeWav({ sampleRate: 44100.5, channels: [new Float32Array(1)] }), 'INVALID_FORMAT', /44100.5/);
});

test('toMono averages the channels', () => {
  const mono = toMono({ sampleRate: 8000, channels: [Float32Array.of(1, 0.5, -1), Float32Array.of(0, 0.5, 0), Float32Array.of(0.5, -1, 0.25)] });
  assert.deepEqual([...mono], [0.5, 0, -0.25]);
  const single = Float32Array.of(0.25);
  const copy = toMono({ sampleRate: 8000, channels: [single] });
  assert.notEqual(copy, single, 'mono input is copied, not aliased');
  assert.deepEqual([...copy], [0.25]);
  throwsWav(() => toMono({ sampleRate: 8000, channels: [new Float32Array(2), new Float32Array(1)] }), 'CHANNEL_LENGTH_MISMATCH', /different lengths/);
});

// ---- the real recordings (README table: rate, frames, RMS and peak dBFS) ----

test('noise-real recordings decode with the rates, lengths and levels their README lists', { skip: noData }, () => {
  const table: [string, number, number, number, number][] = [
    ['Traffic.wav', 44100, 581862, -14.2, -1.1],
    ['Aircraft.wav', 48000, 480000, -16.2, -0.8],
    ['extra/Large_SUV_Pass_By.wav', 22050, 226404, -13.6, 0.0],
    ['extra/cleaner.wav', 16000, 482144, -24.1, -11.3],
  ];
  for (const [name, rate, frames, rmsDb, peakDb] of table) {
    const audio = readWav(readFileSync(NOISE_REAL + name));
    assert.equal(audio.sampleRate, rate, name);
    assert.equal(audio.channels.length, 1, name);
    const [x] = audio.channels;
    assert.equal(x.length, frames, name);
    let sum = 0;
    let peak = 0;
    for (const v of x) {
      sum += v * v;
      peak = Math.max(peak, Math.abs(v));
    }
    assert.ok(Math.abs(10 * Math.log10(sum / x.length) - rmsDb) < 0.06, `${name} RMS`);
    assert.ok(Math.abs(20 * Math.log10(peak) - peakDb) < 0.06, `${name} peak`);
  }
});

test('writeWav reproduces a real PCM16 recording byte for byte', { skip: noData }, () => {
  const original = readFileSync(NOISE_REAL + 'Aircraft.wav');
  const rewritten = writeWav(readWav(original));
  assert.equal(Buffer.compare(Buffer.from(rewritten), original), 0);
});
