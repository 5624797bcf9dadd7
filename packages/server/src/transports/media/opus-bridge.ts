/**
 * Between an Opus audio track and the session engine (docs/protocol.md, "WebRTC: Opus track mode").
 *
 *   up:   RTP ─► JitterBuffer ─► Opus decode (48 kHz stereo: left = reference, right = error)
 *             ─► StreamResampler to the session rate ─► frames of frameSize ─► engine
 *   down: anti-noise frames ─► StreamResampler to 48 kHz ─► 10 ms packets ─► Opus encode (mono) ─► RTP
 *
 * Frame k of the session starts at 48 kHz sample k · frameSize · 48000 / sampleRate of the uplink (counted from the
 * first packet's RTP timestamp), and its anti-noise goes out at the same position of the downlink: the sequence
 * numbers the engine sees are positions in the stream, so a lost packet is a sequence gap (framesLost) and the
 * frames its concealment touched are never submitted. Anti-noise that never came back is sent as silence, so the
 * downlink keeps the uplink's timeline.
 */
import { Decoder, Encoder } from '@evan/opus';
import { StreamResampler } from '@antiphase/dsp';
import type { MediaFrame } from '../ws.js';
import { JitterBuffer, type JitterBufferStats, type RtpPacketLike } from './jitter-buffer.js';

export const OPUS_RATE = 48000;
/** Longest Opus packet, samples per channel at 48 kHz (120 ms). */
const MAX_PACKET_SAMPLES = 5760;
/** Downlink packet length: 10 ms, the shortest Chromium plays without complaint. */
const DOWNLINK_PACKET_SAMPLES = 480;
/**
 * Resampler design for the loop: 80 % of the lower Nyquist passed, 70 dB stop band. Half the kernel (the lag) is
 * 65 samples at 48 kHz, 1.4 ms; the default 90 dB design would cost 3.6 ms each way.
 */
const RESAMPLER = { passband: 0.8, attenuationDb: 70 };
/** A gap in the uplink longer than this (a muted or paused sender) restarts the timeline instead of being filled. */
const MAX_FILL_SAMPLES = OPUS_RATE;

export interface OpusBridgeOptions {
  sampleRate: number;
  frameSize: number;
  /** Longest a packet waits for a missing one, ms (the jitter buffer's bound). */
  jitterDelayMs: number;
  /** A frame for the engine; its buffers are reused after the call returns. */
  submit: (frame: MediaFrame) => void;
  /** An encoded downlink packet with its RTP timestamp (48 kHz units) and sequence number. */
  send: (payload: Buffer, timestamp: number, sequenceNumber: number, marker: boolean) => void;
}

export interface OpusBridgeStats {
  jitter: JitterBufferStats;
  /** Frames whose audio was complete and went to the engine. */
  framesSubmitted: number;
  /** Frames touched by a lost packet (not submitted: the engine sees them as a sequence gap). */
  framesConcealed: number;
  packetsUndecodable: number;
  packetsSent: number;
  /** Downlink frames sent as silence because their anti-noise never came back. */
  framesSilent: number;
}

/** A 48 kHz ↔ session-rate stream of one channel. */
function resampler(from: number, to: number, maxInput: number) {
  const stream = new StreamResampler(from, to, maxInput, RESAMPLER);
  return { stream, out: new Float32Array(stream.maxOutput(maxInput)) };
}

export class OpusBridge {
  private readonly jitter: JitterBuffer;
  private readonly decoder = new Decoder({ channels: 2, sample_rate: OPUS_RATE });
  private readonly encoder = new Encoder({ channels: 1, sample_rate: OPUS_RATE, application: 'restricted_lowdelay' });
  private readonly left = new Float32Array(MAX_PACKET_SAMPLES);
  private readonly right = new Float32Array(MAX_PACKET_SAMPLES);
  private readonly up: [ReturnType<typeof resampler>, ReturnType<typeof resampler>];
  private readonly down: ReturnType<typeof resampler>;
  private readonly frame: MediaFrame;
  /** Session-rate samples per 48 kHz sample, as a ratio for exact frame positions. */
  private readonly samplesPer48k: number;
  // Uplink timeline: the first packet's RTP timestamp, the 48 kHz samples consumed, the frame being filled.
  private firstTimestamp: number | null = null;
  private consumed = 0;
  private frameIndex = 0;
  private framePosition = 0;
  /** Where the resamplers' timeline began (it restarts after a long silence): 48 kHz position and frame index. */
  private timelineStart = 0;
  private timelineFrame = 0;
  /** 48 kHz sample positions [from, to) of concealed audio not yet passed by the frames (kernel spread included). */
  private concealed: { from: number; to: number }[] = [];
  // Downlink timeline.
  private nextDownFrame = 0;
  private readonly pcm = new Int16Array(DOWNLINK_PACKET_SAMPLES);
  private pcmFill = 0;
  private readonly downSilence: Float32Array;
  private rtpSequence = (Math.random() * 0x10000) >>> 0;
  private rtpTimestamp = (Math.random() * 0x100000000) >>> 0;
  private readonly counts = { framesSubmitted: 0, framesConcealed: 0, packetsUndecodable: 0, packetsSent: 0, framesSilent: 0 };
  private closed = false;

  constructor(private readonly options: OpusBridgeOptions) {
    const { sampleRate, frameSize } = options;
    this.up = [resampler(OPUS_RATE, sampleRate, MAX_PACKET_SAMPLES), resampler(OPUS_RATE, sampleRate, MAX_PACKET_SAMPLES)];
    this.down = resampler(sampleRate, OPUS_RATE, frameSize);
    this.frame = { sequence: 0, captureTimestampUs: 0, reference: new Float32Array(frameSize), error: new Float32Array(frameSize) };
    this.downSilence = new Float32Array(frameSize);
    this.samplesPer48k = sampleRate / OPUS_RATE;
    this.jitter = new JitterBuffer({ maxDelayMs: options.jitterDelayMs, capacity: 64, onPacket: (packet) => this.decode(packet) });
    this.encoder.bitrate = 64000;
  }

  /** Why a session rate cannot be bridged (the stream resamplers need a small rational ratio to 48 kHz), or null. */
  static unsupportedRate(sampleRate: number): string | null {
    return StreamResampler.unsupported(OPUS_RATE, sampleRate) ?? StreamResampler.unsupported(sampleRate, OPUS_RATE);
  }

  /** An uplink RTP packet. */
  receive(packet: RtpPacketLike, now = performance.now()): void {
    if (!this.closed) this.jitter.push(packet, now);
  }

  /** When the jitter buffer next needs drain() (a hole is pending), or null. */
  nextDeadline(): number | null {
    return this.jitter.nextDeadline();
  }

  drain(now = performance.now()): void {
    if (!this.closed) this.jitter.drain(now);
  }

  /** The engine's answer to frame `sequence`; frames it skipped go out as silence. */
  antiNoise(sequence: number, antiNoise: Float32Array): void {
    if (this.closed || sequence < this.nextDownFrame) return;
    if (sequence - this.nextDownFrame > MAX_FILL_SAMPLES * this.samplesPer48k / this.options.frameSize) {
      this.nextDownFrame = sequence; // a restarted uplink timeline: do not send seconds of silence
    }
    while (this.nextDownFrame < sequence) {
      this.counts.framesSilent++;
      this.downFrame(this.downSilence);
    }
    this.downFrame(antiNoise);
  }

  get stats(): OpusBridgeStats {
    return { jitter: this.jitter.stats, ...this.counts };
  }

  close(): void {
    this.closed = true; // the codecs' native state is freed with them by the garbage collector
  }

  private decode(packet: RtpPacketLike): void {
    if (this.firstTimestamp === null) this.firstTimestamp = packet.timestamp;
    const position = (packet.timestamp - this.firstTimestamp) >>> 0; // RTP timestamps wrap at 2³²
    let pcm: Uint8Array;
    try {
      pcm = this.decoder.decode(packet.payload);
    } catch {
      this.counts.packetsUndecodable++;
      return; // its samples become a gap when the next packet comes
    }
    const samples = Math.min(MAX_PACKET_SAMPLES, pcm.byteLength >> 2);
    const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    for (let i = 0; i < samples; i++) {
      this.left[i] = view.getInt16(4 * i, true) / 32768;
      this.right[i] = view.getInt16(4 * i + 2, true) / 32768;
    }
    const gap = position - this.consumed;
    if (gap < 0 || gap > 0x80000000) return; // overlaps what was consumed already (a restarted sender): skip it
    if (gap > MAX_FILL_SAMPLES) this.restart(position);
    else if (gap > 0) this.fill(gap);
    this.feed(this.left.subarray(0, samples), this.right.subarray(0, samples));
  }

  /** A lost stretch of `samples` at 48 kHz: zeros keep the resamplers' timing, and the frames it touches are skipped. */
  private fill(samples: number): void {
    const spread = this.up[0].stream.latencyInputSamples;
    this.concealed.push({ from: this.consumed - spread, to: this.consumed + samples + spread });
    this.left.fill(0);
    this.right.fill(0);
    for (let left = samples; left > 0; left -= MAX_PACKET_SAMPLES) {
      const n = Math.min(left, MAX_PACKET_SAMPLES);
      this.feed(this.left.subarray(0, n), this.right.subarray(0, n));
    }
  }

  /** The sender went quiet for a long time: start a new timeline at `position`, frames numbered as if filled. */
  private restart(position: number): void {
    for (const { stream } of this.up) stream.reset();
    this.frameIndex += Math.ceil(((position - this.consumed) * this.samplesPer48k) / this.options.frameSize) + 1;
    this.framePosition = 0;
    this.consumed = this.timelineStart = position;
    this.timelineFrame = this.frameIndex;
    const spread = this.up[0].stream.latencyInputSamples;
    this.concealed = [{ from: position - spread, to: position + spread }]; // the restarted kernels start on zeros
  }

  private feed(left: Float32Array, right: Float32Array): void {
    const [l, r] = this.up;
    const n = l.stream.process(left, l.out);
    r.stream.process(right, r.out);
    this.consumed += left.length;
    const { frameSize } = this.options;
    const frame = this.frame;
    for (let i = 0; i < n; ) {
      const take = Math.min(n - i, frameSize - this.framePosition);
      frame.reference.set(l.out.subarray(i, i + take), this.framePosition);
      frame.error.set(r.out.subarray(i, i + take), this.framePosition);
      this.framePosition += take;
      i += take;
      if (this.framePosition === frameSize) this.completeFrame();
    }
  }

  private completeFrame(): void {
    const { frameSize, sampleRate } = this.options;
    const k = this.frameIndex++;
    this.framePosition = 0;
    // Resampled sample n sits at 48 kHz position n / ratio of its timeline (the kernel is centred).
    const from = this.timelineStart + ((k - this.timelineFrame) * frameSize) / this.samplesPer48k;
    const to = from + frameSize / this.samplesPer48k;
    // Spans come in stream order: once those ending before this frame are gone, only the first can overlap it.
    while (this.concealed.length > 0 && this.concealed[0].to <= from) this.concealed.shift();
    if (this.concealed.length > 0 && this.concealed[0].from < to) {
      this.counts.framesConcealed++;
      return;
    }
    this.frame.sequence = k;
    this.frame.captureTimestampUs = Math.round((k * frameSize * 1e6) / sampleRate);
    this.counts.framesSubmitted++;
    this.options.submit(this.frame);
  }

  private downFrame(antiNoise: Float32Array): void {
    this.nextDownFrame++;
    const { stream, out } = this.down;
    const n = stream.process(antiNoise, out);
    for (let i = 0; i < n; i++) {
      const v = Math.max(-1, Math.min(1, out[i]));
      this.pcm[this.pcmFill++] = Math.round(v * 32767);
      if (this.pcmFill === DOWNLINK_PACKET_SAMPLES) this.sendPacket();
    }
  }

  private sendPacket(): void {
    this.pcmFill = 0;
    const payload = this.encoder.encode(this.pcm);
    this.options.send(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), this.rtpTimestamp, this.rtpSequence, this.counts.packetsSent === 0);
    this.counts.packetsSent++;
    this.rtpTimestamp = (this.rtpTimestamp + DOWNLINK_PACKET_SAMPLES) >>> 0;
    this.rtpSequence = (this.rtpSequence + 1) & 0xffff;
  }
}
