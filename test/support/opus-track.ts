/**
 * A Node client for the WebRTC Opus track mode, as a browser would be one (werift for the peer, @evan/opus for the
 * codec a browser has built in): the anc-control channel for hello / ready / events and a sendrecv Opus track that
 * carries a stereo signal up (left = reference, right = error) and the mono anti-noise down. Used by the track-mode
 * tests; browsers are tested with Chromium's own stack in test/browser.
 */
import { Decoder, Encoder } from '@evan/opus';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import { decodeFrame, encodeJsonFrame, type DecodedFrame } from '@antiphase/protocol';

export const OPUS_RATE = 48000;
const PACKET = 960; // 20 ms, as browsers send

export const TRACK_RATE = 16000;
export const TRACK_FRAME = 160;
const TAPS = 64;

/**
 * A session whose anti-noise is known in advance: a fixed control filter y[n] = −0.4·x[n] + 0.2·x[n − 8] at 16 kHz
 * (a tiny step keeps it where it starts) and a known Ŝ (the playout delay, then a unit tap), so control starts at once.
 */
export function fixedFilterConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sampleRate: TRACK_RATE, frameSize: TRACK_FRAME, taps: TAPS, algorithm: 'fxnlms', stepSize: 1e-9,
    controlFilter: Array.from({ length: TAPS }, (_, n) => (n === 0 ? -0.4 : n === 8 ? 0.2 : 0)),
    secondaryPathEstimate: Array.from({ length: 2 * TRACK_FRAME + 16 }, (_, n) => (n === 2 * TRACK_FRAME ? 1 : 0)),
    ...extra,
  };
}

/**
 * What a fixedFilterConfig session answers for `reference` at 48 kHz: x[n − 8] at 16 kHz is x(t − 0.5 ms), i.e.
 * x[m − 24] at 48 kHz, exact for a reference band-limited inside the session's band. `periodic`: the reference is
 * one period of a loop.
 */
export function fixedFilterOutput(reference: Float32Array, periodic = false): Float32Array {
  const n = reference.length;
  return Float32Array.from(reference, (x, m) => -0.4 * x + 0.2 * (m >= 24 ? reference[m - 24] : periodic ? reference[m - 24 + n] : 0));
}

export interface TrackPeerOptions {
  /** Extra SDP surgery on the offer (bad-input tests). */
  mangleOffer?: (sdp: string) => string;
}

export class OpusTrackPeer {
  readonly pc = new RTCPeerConnection({
    iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle',
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: OPUS_RATE, channels: 2, parameters: 'minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1' })], video: [] },
  });
  readonly control = this.pc.createDataChannel('anc-control', { ordered: true });
  readonly frames: DecodedFrame[] = [];
  /** The decoded anti-noise track, 48 kHz mono, in arrival order (one entry per packet, with its RTP timestamp). */
  readonly received: { timestamp: number; samples: Float32Array }[] = [];
  peerId = '';
  private readonly track = new MediaStreamTrack({ kind: 'audio' });
  private readonly encoder = new Encoder({ channels: 2, sample_rate: OPUS_RATE, application: 'audio' });
  private readonly decoder = new Decoder({ channels: 1, sample_rate: OPUS_RATE });
  private sequenceNumber = 1000;
  private timestamp = 123456;

  constructor() {
    this.encoder.bitrate = 128000;
    this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    this.control.onMessage.subscribe((data) => {
      if (typeof data !== 'string') this.frames.push(decodeFrame(new Uint8Array(data)));
    });
    this.pc.onTrack.subscribe((remote) => {
      remote.onReceiveRtp.subscribe((rtp) => {
        const pcm = this.decoder.decode(rtp.payload);
        const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
        const samples = new Float32Array(pcm.byteLength >> 1);
        for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(2 * i, true) / 32768;
        this.received.push({ timestamp: rtp.header.timestamp, samples });
      });
    });
  }

  /** The gathered offer (non-trickle). */
  async offer(options: TrackPeerOptions = {}): Promise<{ type: 'offer'; sdp: string }> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await until(() => this.pc.iceGatheringState === 'complete', 'ICE gathering');
    const sdp = this.pc.localDescription!.sdp;
    return { type: 'offer', sdp: options.mangleOffer ? options.mangleOffer(sdp) : sdp };
  }

  /** Signals over the service's API and waits for the control channel to open. */
  async connect(url: string, token: string): Promise<void> {
    const response = await fetch(`${url}/api/v1/webrtc/offer`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(await this.offer()),
    });
    const body = (await response.json()) as { peerId: string; sdp: string };
    if (!response.ok) throw new Error(`signalling answered ${response.status}: ${JSON.stringify(body)}`);
    this.peerId = body.peerId;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: body.sdp });
    await until(() => this.control.readyState === 'open', 'the control channel to open');
  }

  hello(payload: unknown): void {
    this.control.send(Buffer.from(encodeJsonFrame('hello', payload)));
  }

  async nextFrame(type: DecodedFrame['type'], timeoutMs = 10_000): Promise<DecodedFrame> {
    await until(() => this.frames.some((f) => f.type === type), `a ${type} frame`, timeoutMs);
    return this.frames.splice(this.frames.findIndex((f) => f.type === type), 1)[0];
  }

  /** Sends 20 ms stereo packets of (left, right) in real time; `skip` packet indices are "lost" on the way. */
  async stream(left: Float32Array, right: Float32Array, skip: ReadonlySet<number> = new Set()): Promise<number> {
    const pcm = new Int16Array(2 * PACKET);
    const start = performance.now();
    let sent = 0;
    for (let k = 0; (k + 1) * PACKET <= left.length; k++) {
      for (let i = 0; i < PACKET; i++) {
        pcm[2 * i] = Math.round(Math.max(-1, Math.min(1, left[k * PACKET + i])) * 32767);
        pcm[2 * i + 1] = Math.round(Math.max(-1, Math.min(1, right[k * PACKET + i])) * 32767);
      }
      const payload = Buffer.from(this.encoder.encode(pcm));
      if (!skip.has(k)) {
        this.track.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: this.sequenceNumber, timestamp: this.timestamp, payloadType: 111 }), payload));
        sent++;
      }
      this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
      this.timestamp = (this.timestamp + PACKET) >>> 0;
      const due = start + (k + 1) * 20;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
    return sent;
  }

  /** The anti-noise track laid out on its RTP timeline from the first packet (gaps are zeros). */
  receivedSignal(): Float32Array {
    if (this.received.length === 0) return new Float32Array(0);
    const first = this.received[0].timestamp;
    const end = Math.max(...this.received.map((p) => ((p.timestamp - first) >>> 0) + p.samples.length));
    const out = new Float32Array(end);
    for (const p of this.received) out.set(p.samples, (p.timestamp - first) >>> 0);
    return out;
  }

  /** Closes the peer (its UDP sockets: with max-bundle there is one ICE transport, and close() frees it). */
  close(): void {
    void this.pc.close().catch(() => undefined);
  }
}

export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
