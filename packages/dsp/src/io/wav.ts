/**
 * RIFF/WAVE reader and writer, after Microsoft/IBM "Multimedia Programming Interface and Data Specifications 1.0"
 * (1991) and Microsoft "Multiple Channel Audio Data and WAVE Files" (WAVE_FORMAT_EXTENSIBLE, 2001).
 *
 *   offset  size  field (all integers little-endian)
 *   0       4     "RIFF"
 *   4       4     riff size = file size − 8        (not trusted: streaming writers leave it 0 or 0xFFFFFFFF)
 *   8       4     "WAVE"
 *   12      …     chunks: id (4 ASCII) · size u32 · body (size bytes) · 1 pad byte when size is odd
 *
 *   "fmt " body   0 formatTag u16 · 2 channels u16 · 4 sampleRate u32 · 8 byteRate u32 · 12 blockAlign u16 ·
 *                 14 bitsPerSample u16 · [16 cbSize u16 · 18 validBitsPerSample u16 · 20 channelMask u32 ·
 *                 24 subFormat GUID (16 bytes; its first two bytes are the real formatTag)]       (0xFFFE only)
 *   "data" body   interleaved frames of blockAlign bytes. 8-bit PCM is unsigned with 128 as zero; wider PCM is
 *                 two's complement; formatTag 3 is IEEE 754 float.
 *
 * Other chunks (LIST, fact, cue, bext…) are skipped. Integer PCM is scaled by 2^(bits−1), so samples lie in [−1, 1);
 * float data is passed through unchanged (it may exceed ±1).
 */

export interface WavAudio {
  sampleRate: number;
  /** One array per channel, all the same length. */
  channels: Float32Array[];
}

export interface WriteWavOptions {
  /** Sample format of the data chunk. Default 'pcm16' (rounded to nearest, clipped to the int16 range). */
  format?: 'pcm16' | 'float32';
}

/** Stable codes for every way a WAV file can be rejected. */
export type WavErrorCode =
  | 'EMPTY'
  | 'NOT_RIFF_WAVE'
  | 'TRUNCATED'
  | 'MISSING_FMT'
  | 'MISSING_DATA'
  | 'UNSUPPORTED_FORMAT'
  | 'UNSUPPORTED_BIT_DEPTH'
  | 'INVALID_FORMAT'
  | 'CHANNEL_LENGTH_MISMATCH'
  | 'NON_FINITE_SAMPLE'
  | 'TOO_LARGE';

export class WavError extends Error {
  override readonly name = 'WavError';
  constructor(
    readonly code: WavErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2…15 shared by every KSDATAFORMAT_SUBTYPE_* GUID (00000000-0000-0010-8000-00aa00389b71 minus the tag). */
const KSDATAFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** Largest float32 below 1: 32-bit PCM near full scale would otherwise round up to exactly 1. */
const BELOW_ONE = 1 - 2 ** -24;

interface Format {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

function fourCC(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

function parseFmt(view: DataView, offset: number, size: number): Format {
  if (size < 16) throw new WavError('INVALID_FORMAT', `fmt chunk is ${size} bytes, need at least 16`);
  let formatTag = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavError('INVALID_FORMAT', `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, need 40`);
    formatTag = view.getUint16(offset + 24, true);
    const guidOk = KSDATAFORMAT_GUID_TAIL.every((b, i) => view.getUint8(offset + 26 + i) === b);
    if (!guidOk) throw new WavError('UNSUPPORTED_FORMAT', 'WAVE_FORMAT_EXTENSIBLE sub-format GUID is not a KSDATAFORMAT');
  }
  if (channels === 0) throw new WavError('INVALID_FORMAT', 'fmt chunk declares zero channels');
  if (sampleRate === 0) throw new WavError('INVALID_FORMAT', 'fmt chunk declares a sample rate of zero');
  if (formatTag !== WAVE_FORMAT_PCM && formatTag !== WAVE_FORMAT_IEEE_FLOAT) {
    const hex = formatTag.toString(16).padStart(4, '0');
    throw new WavError('UNSUPPORTED_FORMAT', `unsupported format code 0x${hex} (only PCM 0x0001 and IEEE float 0x0003)`);
  }
  const depths = formatTag === WAVE_FORMAT_PCM ? [8, 16, 24, 32] : [32, 64];
  if (!depths.includes(bitsPerSample)) {
    const kind = formatTag === WAVE_FORMAT_PCM ? 'PCM' : 'IEEE float';
    throw new WavError('UNSUPPORTED_BIT_DEPTH', `unsupported bit depth ${bitsPerSample} for ${kind} (need ${depths.join('/')})`);
  }
  if (blockAlign !== (channels * bitsPerSample) / 8) {
    throw new WavError(
      'INVALID_FORMAT',
      `block align ${blockAlign} does not match ${channels} channels × ${bitsPerSample} bits`,
    );
  }
  return { formatTag, channels, sampleRate, blockAlign, bitsPerSample };
}

/** Reads one sample of the given format at byte offset o, scaled to [−1, 1) for integer PCM. */
function sampleReader(format: Format): (view: DataView, o: number) => number {
  if (format.formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    return format.bitsPerSample === 32 ? (v, o) => v.getFloat32(o, true) : (v, o) => v.getFloat64(o, true);
  }
  switch (format.bitsPerSample) {
    case 8:
      return (v, o) => (v.getUint8(o) - 128) / 128;
    case 16:
      return (v, o) => v.getInt16(o, true) / 32768;
    case 24:
      return (v, o) => (((v.getUint8(o) | (v.getUint8(o + 1) << 8) | (v.getUint8(o + 2) << 16)) << 8) >> 8) / 8388608;
    default:
      return (v, o) => Math.min(v.getInt32(o, true) / 2147483648, BELOW_ONE);
  }
}

/** Decodes a RIFF/WAVE file. Throws WavError naming the defect for anything it cannot read faithfully. */
export function readWav(bytes: Uint8Array): WavAudio {
  if (bytes.length === 0) throw new WavError('EMPTY', 'empty file (0 bytes)');
  if (bytes.length < 12) throw new WavError('TRUNCATED', `file is ${bytes.length} bytes, too short for a RIFF header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') {
    throw new WavError('NOT_RIFF_WAVE', 'not a RIFF/WAVE file (expected "RIFF" at byte 0 and "WAVE" at byte 8)');
  }

  let format: Format | undefined;
  let data: { offset: number; size: number } | undefined;
  let offset = 12;
  // Walk the chunks until both fmt and data are known; anything after that (often a broken trailing LIST) is ignored.
  while ((!format || !data) && offset + 8 <= bytes.length) {
    const id = fourCC(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (body + size > bytes.length) {
      throw new WavError(
        'TRUNCATED',
        `truncated data: "${id}" chunk declares ${size} bytes but only ${bytes.length - body} remain`,
      );
    }
    if (id === 'fmt ') format = parseFmt(view, body, size);
    else if (id === 'data') data = { offset: body, size };
    offset = body + size + (size & 1);
  }
  if (!format) throw new WavError('MISSING_FMT', 'missing fmt chunk');
  if (!data) throw new WavError('MISSING_DATA', 'missing data chunk');

  const { channels: channelCount, blockAlign } = format;
  if (data.size % blockAlign !== 0) {
    throw new WavError(
      'TRUNCATED',
      `truncated data: data chunk of ${data.size} bytes is not a whole number of ${blockAlign}-byte frames`,
    );
  }
  const frames = data.size / blockAlign;
  const bytesPerSample = format.bitsPerSample / 8;
  const read = sampleReader(format);
  const channels: Float32Array[] = [];
  for (let c = 0; c < channelCount; c++) {
    const out = new Float32Array(frames);
    for (let i = 0, o = data.offset + c * bytesPerSample; i < frames; i++, o += blockAlign) out[i] = read(view, o);
    channels.push(out);
  }
  return { sampleRate: format.sampleRate, channels };
}

/**
 * Encodes audio as a canonical WAV file. pcm16: the 44-byte header (16-byte fmt, no cbSize), x·32768 rounded to
 * nearest and clipped to [−32768, 32767], so it inverts readWav exactly for 16-bit input. float32: an 18-byte fmt
 * (cbSize 0) and the fact chunk that the 1991 spec requires for every non-PCM format. More than two channels are
 * still written as plain PCM/float rather than WAVE_FORMAT_EXTENSIBLE; every common reader accepts that.
 */
export function writeWav(audio: WavAudio, options: WriteWavOptions = {}): Uint8Array {
  const format = options.format ?? 'pcm16';
  const { sampleRate, channels } = audio;
  if (channels.length === 0) throw new WavError('INVALID_FORMAT', 'cannot write zero channels');
  if (channels.length > 0xffff) throw new WavError('INVALID_FORMAT', `${channels.length} channels exceed 65535`);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffffff) {
    throw new WavError('INVALID_FORMAT', `sample rate ${sampleRate} Hz is not a positive 32-bit integer`);
  }
  const frames = channels[0].length;
  channels.forEach((ch, c) => {
    if (ch.length !== frames) {
      throw new WavError(
        'CHANNEL_LENGTH_MISMATCH',
        `channel arrays of different lengths: channel ${c} has ${ch.length} samples, channel 0 has ${frames}`,
      );
    }
    for (let i = 0; i < frames; i++) {
      if (!Number.isFinite(ch[i])) {
        throw new WavError('NON_FINITE_SAMPLE', `sample ${i} of channel ${c} is ${ch[i]}`);
      }
    }
  });

  const isFloat = format === 'float32';
  const bytesPerSample = isFloat ? 4 : 2;
  const blockAlign = channels.length * bytesPerSample;
  const dataSize = frames * blockAlign;
  const fmtSize = isFloat ? 18 : 16;
  const headerSize = 12 + (8 + fmtSize) + (isFloat ? 12 : 0) + 8;
  if (headerSize + dataSize + (dataSize & 1) - 8 > 0xffffffff) {
    throw new WavError('TOO_LARGE', `${dataSize} bytes of audio do not fit a RIFF file (4 GiB limit)`);
  }
  const bytes = new Uint8Array(headerSize + dataSize + (dataSize & 1));
  const view = new DataView(bytes.buffer);
  const ascii = (o: number, s: string): void => {
    for (let i = 0; i < 4; i++) view.setUint8(o + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bytesPerSample * 8, true);
  let o = 36;
  if (isFloat) {
    view.setUint16(36, 0, true); // cbSize
    ascii(38, 'fact');
    view.setUint32(42, 4, true);
    view.setUint32(46, frames, true); // samples per channel
    o = 50;
  }
  ascii(o, 'data');
  view.setUint32(o + 4, dataSize, true);
  o += 8;
  for (let i = 0; i < frames; i++) {
    for (const ch of channels) {
      if (isFloat) view.setFloat32(o, ch[i], true);
      else view.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(ch[i] * 32768))), true);
      o += bytesPerSample;
    }
  }
  return bytes;
}

/** Average of all channels (a copy even for mono input). */
export function toMono(audio: WavAudio): Float32Array {
  const { channels } = audio;
  if (channels.length === 0) throw new WavError('INVALID_FORMAT', 'cannot mix zero channels to mono');
  const frames = channels[0].length;
  if (channels.some((ch) => ch.length !== frames)) {
    throw new WavError('CHANNEL_LENGTH_MISMATCH', 'channel arrays of different lengths cannot be mixed to mono');
  }
  const mono = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (const ch of channels) sum += ch[i];
    mono[i] = sum / channels.length;
  }
  return mono;
}
