/**
 * RtcMediaClient: one ANC session over the WebRTC Opus track mode (docs/protocol.md, "Opus track mode"), for
 * clients that can only send media. The microphone goes up as a stereo Opus track (left = reference microphone,
 * right = error microphone) and the anti-noise comes back as an audio track on the same transceiver; the
 * anc-control channel carries hello, ready, errors and events exactly as in the data-channel mode.
 *
 *   connect ─► peer + anc-control + the microphone's track (sendrecv) ─► offer (ICE gathered) ─► POST …/webrtc/offer
 *           ─► answer (it asks for stereo Opus) ─► control open ─► hello {config} ─► ready
 *           ─► { info, antiNoise: the remote MediaStream — play it, or feed it to Web Audio }
 *   close   ─► DELETE /api/v1/webrtc/peers/:id, peer closed (the session the hello created ends with it).
 *
 * Browser-only: it needs MediaStream and the global RTCPeerConnection. Codec, jitter buffers and playout are the
 * browser's; the server's jitter buffer and resampling add about 10 ms, the browser's own playout buffer more, so
 * this mode suits sessions whose noise is predictable (engine orders, hums) rather than broadband (see the
 * causality margin in DESIGN.md §1).
 */
import { decodeFrame, encodeJsonFrame, ErrorCode } from '@antiphase/protocol';
import { parseReady, StreamError, type ReadyInfo } from './stream.js';
import { CONTROL_CHANNEL, postOffer, waitForGathering } from './rtc-client.js';
import type { SessionConfig } from './types.js';

export interface MediaConnectOptions {
  /** The service's base URL (http(s)://host:port). */
  url: string;
  token?: string;
  apiKey?: string;
  /** The session to create (the track mode always creates its own). */
  config: SessionConfig;
  /** Stereo capture: left = reference microphone, right = error microphone (getUserMedia with channelCount: 2). */
  microphone: MediaStream;
  /** How long connect() waits for ready, ms (default 10 000). */
  connectTimeoutMs?: number;
}

export interface MediaSession {
  info: ReadyInfo;
  peerId: string;
  /** The anti-noise track, as the browser decodes it. */
  antiNoise: MediaStream;
}

/** The parts of the browser's RTCPeerConnection used here. */
interface MediaPeer {
  createDataChannel(label: string, init: { ordered?: boolean }): RTCDataChannel;
  addTrack(track: MediaStreamTrack, stream: MediaStream): unknown;
  createOffer(): Promise<RTCSessionDescriptionInit>;
  setLocalDescription(description: RTCSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  readonly localDescription: { sdp: string } | null;
  readonly iceGatheringState: string;
  onicegatheringstatechange: ((event?: unknown) => void) | null;
  ontrack: ((event: { streams: readonly MediaStream[]; track: MediaStreamTrack }) => void) | null;
  readonly connectionState: string;
  onconnectionstatechange: ((event?: unknown) => void) | null;
  close(): void;
}

export class RtcMediaClient {
  readonly transport = 'webrtc' as const;
  /** Event frames from the service (emergency bypass on/off, noise type). */
  onEvent: ((event: unknown) => void) | null = null;
  /** Error frames, and the peer connection failing. */
  onError: ((error: StreamError) => void) | null = null;
  private pc: MediaPeer | null = null;
  private peerId: string | null = null;
  private base = '';
  private headers: Record<string, string> = {};

  constructor(
    private readonly createPeer: () => MediaPeer = () => new RTCPeerConnection() as unknown as MediaPeer,
    private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  ) {}

  async connect(options: MediaConnectOptions): Promise<MediaSession> {
    const track = options.microphone.getAudioTracks()[0];
    if (!track) throw new StreamError(0, 'the microphone stream has no audio track', true);
    const credential = options.token ?? options.apiKey;
    if (!credential) throw new StreamError(ErrorCode.UNAUTHORIZED, 'connect needs a token or an apiKey', true);
    this.base = new URL(options.url).origin;
    this.headers = { authorization: `Bearer ${credential}` };
    const pc = (this.pc = this.createPeer());
    const control = pc.createDataChannel(CONTROL_CHANNEL, { ordered: true });
    control.binaryType = 'arraybuffer';
    pc.addTrack(track, options.microphone);
    const antiNoise = new Promise<MediaStream>((resolve) => {
      pc.ontrack = (event) => resolve(event.streams[0] ?? new MediaStream([event.track]));
    });

    let settle: { resolve: (info: ReadyInfo) => void; reject: (error: StreamError) => void } | null = null;
    const ready = new Promise<ReadyInfo>((resolve, reject) => (settle = { resolve, reject }));
    ready.catch(() => undefined); // an error frame may come before connect() awaits it: awaited below, not unhandled
    control.onmessage = (event) => {
      let frame;
      try {
        frame = decodeFrame(new Uint8Array(event.data as ArrayBuffer));
      } catch (error) {
        this.onError?.(new StreamError(ErrorCode.MALFORMED_FRAME, (error as Error).message));
        return;
      }
      if (frame.type === 'ready') {
        try {
          settle?.resolve(parseReady(frame.value, { config: options.config }));
        } catch (error) {
          settle?.reject(error as StreamError);
        }
      } else if (frame.type === 'error') {
        const error = new StreamError(frame.code, frame.message);
        if (settle) settle.reject(error);
        else this.onError?.(error);
      } else if (frame.type === 'event') {
        this.onEvent?.(frame.value);
      }
    };
    control.onopen = () => control.send(encodeJsonFrame('hello', { config: options.config }) as Uint8Array<ArrayBuffer>);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') {
        const error = new StreamError(0, 'WebRTC: the peer connection failed');
        if (settle) settle.reject(error);
        else this.onError?.(error);
      }
    };

    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await waitForGathering(pc);
      const answer = await postOffer(this.base, this.headers, pc.localDescription!.sdp, this.fetchImpl).catch((error: Error) => {
        throw new StreamError(0, `WebRTC: ${error.message}`, /\b(400|401|403)\b/.test(error.message));
      });
      this.peerId = answer.peerId;
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StreamError(0, `no ready within ${timeoutMs} ms`)), timeoutMs);
      });
      const info = await Promise.race([ready, timeout]);
      settle = null;
      return { info, peerId: this.peerId ?? '', antiNoise: await Promise.race([antiNoise, timeout]) };
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Says goodbye (DELETE, best effort) and closes the peer. Idempotent. */
  async close(): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    this.pc = null;
    if (this.peerId !== null) {
      await this.fetchImpl(`${this.base}/api/v1/webrtc/peers/${this.peerId}`, { method: 'DELETE', headers: this.headers }).catch(() => undefined);
    }
    pc.close();
  }
}
