/**
 * The WebSocket transport's framework-free core (docs/protocol.md, "Session flow"): one StreamConnection per
 * socket, fed raw messages, answering through `send`. It knows frames, sessions and the bounded queue; it does not
 * know Fastify or `ws` — ws-plugin.ts is the thin adapter that authenticates the upgrade and wires a socket to it.
 *
 *   awaiting-hello ──hello{config|sessionId}──► negotiating ──ok──► ready ──audio──► antiNoise (or dropped)
 *         │                                        │ bad config: INVALID_CONFIG, back to awaiting-hello
 *         └──audio: NOT_READY                      └ unknown session: UNKNOWN_SESSION, close
 *
 * Frame-level errors (malformed, oversized, NaN, format mismatch, not ready) answer with an error frame and keep
 * the stream open; session-level errors (unknown session, session ended) answer and close it. A session created
 * by this connection's hello ends when the connection closes; a session created over REST lives on.
 */
import {
  decodeFrame, decodeSamplesInto, encodeAntiNoiseFrame, encodeErrorFrame, encodeJsonFrame, MAX_FRAME_BYTES, ProtocolError,
  readFrameHeader, createFrameHeader, HEADER_BYTES, HOST_LITTLE_ENDIAN, type ErrorCodeName, type FrameHeader,
} from '@antiphase/protocol';
import type { AntiNoiseFrame, AudioFrame, SessionStats } from '@antiphase/engine';
import { endsStream, toWireCode } from '../errors.js';
import type { Principal } from '../auth/service.js';
import type { ClientNoiseEvent, LiveSession, SessionService } from '../sessions.js';
import type { SessionTransport } from '../store/types.js';
import { FramePipeline } from './pipeline.js';

/** WebSocket close codes (RFC 6455 §7.4.1). */
export const WS_CLOSE = { normal: 1000, goingAway: 1001, policyViolation: 1008, tooBig: 1009, internal: 1011 } as const;

/**
 * Messages larger than this are cut off by the socket library itself (close 1009) before they are buffered; up to
 * it, an oversized frame is read and answered with FRAME_TOO_LARGE while the stream stays open.
 */
export const WS_MAX_PAYLOAD = 2 * MAX_FRAME_BYTES;

/** Outgoing bytes a slow reader may leave unread before anti-noise frames for it are dropped (counted late). */
export const MAX_SEND_BUFFER_BYTES = 1 << 20;

export interface StreamSocket {
  send(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
  /** Bytes queued for sending and not yet written to the network. */
  bufferedAmount(): number;
}

export interface StreamConnectionOptions {
  sessions: SessionService;
  principal: Principal;
  socket: StreamSocket;
  /** Frames held per connection (waiting + in the engine). */
  queueFrames: number;
  transport?: SessionTransport;
  /**
   * Opus track mode (webrtc.ts): the audio arrives on a media track through submitAudio() instead of as frames,
   * and the anti-noise goes back to the track instead of the socket. The socket still carries hello, ready, errors
   * and events.
   */
  media?: MediaSink;
}

export interface MediaSink {
  /** Why a hello's config cannot be streamed this way (checked before the session is created), or null. */
  refuseConfig(config: unknown): string | null;
  /** The session is negotiated: its format is known from here on. */
  onReady(session: LiveSession): void;
  onAntiNoise(sequence: number, antiNoise: Float32Array): void;
}

/** A frame from a media track (its buffers are copied before submitAudio returns). */
export interface MediaFrame {
  sequence: number;
  captureTimestampUs: number;
  reference: Float32Array;
  error: Float32Array;
}

/** One frame's sample buffers, and the same two as the channel list the codec decodes into. */
interface Samples {
  reference: Float32Array;
  error: Float32Array;
  channels: readonly Float32Array[];
}

function samples(frameSize: number): Samples {
  const reference = new Float32Array(frameSize);
  const error = new Float32Array(frameSize);
  return { reference, error, channels: [reference, error] };
}

interface PendingFrame extends Samples {
  sequence: number;
  captureTimestampUs: number;
  /** The client played silence in this frame's slot (docs/protocol.md, playout schedule). */
  antiNoiseMissing: boolean;
  receivedAt: number;
}

/** The samples part of an answer frame's bytes, where the engine writes the anti-noise. */
function answerSamples(wire: Buffer, session: LiveSession): Float32Array {
  return new Float32Array(wire.buffer, wire.byteOffset + HEADER_BYTES, session.frameSize);
}

type State = 'awaiting-hello' | 'negotiating' | 'ready' | 'closed';

/** The ready frame's payload: what the client needs to stream. */
export function readyPayload(session: LiveSession, stats: SessionStats, created: boolean): Record<string, unknown> {
  return {
    sessionId: session.id,
    created,
    sampleRate: session.sampleRate,
    frameSize: session.frameSize,
    sampleFormat: session.sampleFormat,
    channels: 2,
    phase: stats.phase,
    maxLatencyMs: stats.config.maxLatencyMs,
    secondaryPathTaps: stats.config.secondaryPathEstimate?.length ?? stats.config.identification?.taps ?? null,
    secondaryPathDelaySamples: stats.secondaryPathDelaySamples,
  };
}

export class StreamConnection {
  private state: State = 'awaiting-hello';
  private session: LiveSession | null = null;
  private ownsSession = false;
  /** Sessions on a worker thread: the bounded queue to the engine. */
  private pipeline: FramePipeline<PendingFrame> | null = null;
  /**
   * Sessions the engine runs on this thread: the one frame every message is decoded into and answered from before
   * the next message is read, so nothing waits and nothing is queued.
   */
  private frame: (AudioFrame & Samples) | null = null;
  private readonly header: FrameHeader = createFrameHeader();
  private readonly pool: Samples[] = [];
  private readonly transport: SessionTransport;
  /** Error frames sent, by code name (tests and debugging). */
  readonly errorsSent = new Map<ErrorCodeName, number>();

  constructor(private readonly options: StreamConnectionOptions) {
    this.transport = options.transport ?? 'ws';
  }

  get sessionId(): string | null {
    return this.session?.id ?? null;
  }

  /** One message from the socket. Never throws: every problem becomes an error frame. */
  onMessage(data: Uint8Array, isBinary = true): void {
    if (this.state === 'closed') return;
    const receivedAt = performance.now();
    if (!isBinary) {
      this.options.sessions.countInvalid(this.transport);
      this.frameError('MALFORMED_FRAME', 'text messages are not frames: send binary frames (docs/protocol.md)');
      return;
    }
    if (data.byteLength > MAX_FRAME_BYTES) {
      this.options.sessions.countInvalid(this.transport);
      this.frameError('FRAME_TOO_LARGE', `frame of ${data.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`);
      return;
    }
    let header: FrameHeader;
    try {
      header = readFrameHeader(data, this.header);
    } catch (error) {
      this.protocolError(error, 0);
      return;
    }
    switch (header.type) {
      case 'audio':
        this.onAudio(data, header, receivedAt);
        return;
      case 'hello':
        this.onHello(data);
        return;
      case 'event':
      case 'error':
        return; // accepted and ignored in protocol version 1
      default:
        this.frameError('UNKNOWN_TYPE', `the server does not accept ${header.type} frames`, header.sequence);
    }
  }

  /** The socket closed: drop waiting frames and end a session this connection created. Idempotent. */
  onClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.pipeline?.stop();
    if (this.session?.onNoiseEvent === this.onNoiseEvent) this.session.onNoiseEvent = null;
    if (this.session && this.ownsSession && !this.session.ending) {
      void this.options.sessions.finish(this.session.id, 'connection closed').catch(() => undefined);
    }
  }

  private onHello(data: Uint8Array): void {
    if (this.state !== 'awaiting-hello') {
      this.frameError('INVALID_CONFIG', this.state === 'ready' ? 'the session is already negotiated on this connection' : 'a hello is being processed');
      return;
    }
    let value: unknown;
    try {
      value = (decodeFrame(data) as { value: unknown }).value;
    } catch (error) {
      this.protocolError(error, 0);
      return;
    }
    const hello = (typeof value === 'object' && value !== null ? value : {}) as { sessionId?: unknown; config?: unknown };
    if ((hello.sessionId === undefined) === (hello.config === undefined)) {
      this.frameError('INVALID_CONFIG', 'hello must carry exactly one of {"sessionId": "..."} or {"config": {...}}');
      return;
    }
    if (this.options.media && hello.sessionId !== undefined) {
      // The track's timeline starts at sequence 0, which a session that already streamed would take as late.
      this.frameError('INVALID_CONFIG', 'the Opus track mode streams to a session it creates: send a hello with {"config": {...}}');
      return;
    }
    const refused = this.options.media?.refuseConfig(hello.config) ?? null;
    if (refused !== null) {
      this.frameError('INVALID_CONFIG', refused);
      return;
    }
    this.state = 'negotiating';
    void this.negotiate(hello);
  }

  private async negotiate(hello: { sessionId?: unknown; config?: unknown }): Promise<void> {
    const { sessions, principal } = this.options;
    try {
      let session: LiveSession;
      let stats: SessionStats;
      let created = false;
      if (hello.sessionId !== undefined) {
        session = sessions.attach(principal, hello.sessionId);
        stats = (await sessions.get(principal, session.id)).stats!;
      } else {
        ({ session, stats } = await sessions.create(principal, hello.config, this.transport));
        created = true;
      }
      if (this.state === 'closed') {
        if (created) await sessions.finish(session.id, 'connection closed').catch(() => undefined);
        return;
      }
      this.session = session;
      this.ownsSession = created;
      if (sessions.answersNow(session)) {
        this.frame = { sessionId: session.id, sequence: 0, captureTimestampUs: 0, antiNoiseMissing: false, ...samples(session.frameSize) };
      } else this.pipeline = new FramePipeline<PendingFrame>({
        capacity: this.options.queueFrames,
        maxSubmitted: Math.max(1, Math.min(8, Math.floor(this.options.queueFrames / 2))),
        submit: (frame) => this.submit(frame),
        onDrop: (frame) => {
          this.release(frame);
          sessions.countDropped(this.session ?? undefined, this.transport);
        },
      });
      this.state = 'ready';
      this.options.media?.onReady(session);
      this.options.socket.send(encodeJsonFrame('ready', readyPayload(session, stats, created)));
      session.onNoiseEvent = this.onNoiseEvent;
    } catch (error) {
      if (this.state === 'closed') return;
      this.state = 'awaiting-hello';
      const wire = toWireCode(error);
      if (wire.name === 'UNKNOWN_SESSION') this.sessionError('UNKNOWN_SESSION', wire.message);
      else this.frameError(wire.name, wire.message);
    }
  }

  /** Opus track mode: a frame from the track. False (and nothing sent to the engine) before the session is ready. */
  submitAudio(frame: MediaFrame, receivedAt = performance.now()): boolean {
    const session = this.session;
    if (this.state !== 'ready' || !session) return false;
    const samples = this.samplesFor(session);
    samples.reference.set(frame.reference);
    samples.error.set(frame.error);
    this.dispatch(session, samples, frame.sequence, frame.captureTimestampUs, false, receivedAt);
    return true;
  }

  private onAudio(data: Uint8Array, header: FrameHeader, receivedAt: number): void {
    if (this.options.media) {
      this.frameError('UNKNOWN_TYPE', 'in the Opus track mode the audio comes on the audio track; audio frames on a data channel are not accepted', header.sequence);
      return;
    }
    const session = this.session;
    if (this.state !== 'ready' || !session) {
      this.frameError('NOT_READY', 'send a hello and wait for ready before audio', header.sequence);
      return;
    }
    if (header.sampleRate !== session.sampleRate || header.sampleFormat !== session.sampleFormat || header.frameSize !== session.frameSize) {
      this.options.sessions.countInvalid(this.transport);
      this.frameError(
        'FORMAT_MISMATCH',
        `frame is ${header.sampleRate} Hz, ${header.frameSize} samples, ${header.sampleFormat}; the session negotiated ` +
          `${session.sampleRate} Hz, ${session.frameSize} samples, ${session.sampleFormat}`,
        header.sequence,
      );
      return;
    }
    const samples = this.samplesFor(session);
    try {
      decodeSamplesInto(data, header, samples.channels);
    } catch (error) {
      if (samples !== this.frame) this.pool.push(samples);
      this.protocolError(error, header.sequence);
      return;
    }
    this.dispatch(session, samples, header.sequence, header.captureTimestampUs, header.antiNoiseMissing, receivedAt);
  }

  /** Where a frame's samples go: the connection's one frame (a session on this thread) or a pooled pair (a worker's). */
  private samplesFor(session: LiveSession): Samples {
    return this.frame ?? this.pool.pop() ?? samples(session.frameSize);
  }

  /** A frame whose samples are in `samples` (from samplesFor): answered now, or queued for the worker thread. */
  private dispatch(
    session: LiveSession, samples: Samples, sequence: number, captureTimestampUs: number, antiNoiseMissing: boolean, receivedAt: number,
  ): void {
    const now = this.frame;
    if (now) {
      now.sequence = sequence;
      now.captureTimestampUs = captureTimestampUs;
      now.antiNoiseMissing = antiNoiseMissing;
      this.answerNow(session, now, receivedAt);
      return;
    }
    const { reference, error, channels } = samples;
    this.pipeline!.push({ sequence, captureTimestampUs, antiNoiseMissing, reference, error, channels, receivedAt });
  }

  private release(frame: PendingFrame): void {
    if (this.pool.length < this.options.queueFrames + 1) this.pool.push(frame); // its sample buffers, reused
  }

  /** A frame of a session this thread runs: processed and answered before the next message is read. */
  private answerNow(session: LiveSession, frame: AudioFrame, receivedAt: number): void {
    const wire = this.answerBytes(session);
    let result;
    try {
      result = this.options.sessions.processFrameNow(session, frame, this.transport, receivedAt, wire && answerSamples(wire, session));
    } catch (error) {
      this.refused(error, frame.sequence);
      return;
    }
    if (result) this.answer(session, result, wire);
  }

  /** A frame of a session on a worker thread, from the queue. */
  private async submit(frame: PendingFrame): Promise<void> {
    const session = this.session!;
    const wire = this.answerBytes(session);
    let pending;
    try {
      // The engine copies the samples before processFrame returns its promise: the buffers are free after this call.
      pending = this.options.sessions.processFrame(session, {
        sessionId: session.id, sequence: frame.sequence, captureTimestampUs: frame.captureTimestampUs,
        antiNoiseMissing: frame.antiNoiseMissing, reference: frame.reference, error: frame.error,
      }, this.transport, frame.receivedAt, wire && answerSamples(wire, session));
    } finally {
      this.release(frame);
    }
    try {
      const result = await pending;
      if (result) this.answer(session, result, wire);
    } catch (error) {
      this.refused(error, frame.sequence);
    }
  }

  /**
   * float32 answers: the engine writes the anti-noise straight into the frame that goes out. A fresh buffer per
   * answer (from Node's pool: no zero fill; every byte is written), never reused, so the socket library may hold it
   * for as long as it needs.
   */
  private answerBytes(session: LiveSession): Buffer | undefined {
    if (this.options.media || session.sampleFormat !== 'float32' || !HOST_LITTLE_ENDIAN) return undefined;
    return Buffer.allocUnsafe(HEADER_BYTES + 4 * session.frameSize);
  }

  private answer(session: LiveSession, result: AntiNoiseFrame, wire: Buffer | undefined): void {
    if (this.state === 'closed') return;
    if (this.options.media) {
      this.options.media.onAntiNoise(result.sequence, result.antiNoise);
      return;
    }
    if (this.options.socket.bufferedAmount() > MAX_SEND_BUFFER_BYTES) {
      this.options.sessions.countDropped(session, this.transport); // the client is not reading: never queue without bound
      return;
    }
    this.options.socket.send(encodeAntiNoiseFrame({
      sequence: result.sequence, captureTimestampUs: result.captureTimestampUs, sampleRate: session.sampleRate,
      antiNoise: result.antiNoise, processingUs: result.processingUs, sampleFormat: session.sampleFormat,
    }, wire));
  }

  /** The engine refused a frame: a frame-level error frame, or a session-level one that closes the stream. */
  private refused(error: unknown, sequence: number): void {
    if (this.state === 'closed') return;
    const wire = toWireCode(error);
    if (endsStream(error)) this.sessionError(wire.name, wire.message, sequence);
    else this.frameError(wire.name, wire.message, sequence);
  }

  /** Emergency bypass on/off and noise-type changes reach the client as event frames (docs/protocol.md). */
  private readonly onNoiseEvent = (event: ClientNoiseEvent): void => {
    if (this.state === 'ready') this.options.socket.send(encodeJsonFrame('event', event));
  };

  /** A frame the codec rejected: counted invalid, answered with the codec's code. */
  private protocolError(error: unknown, sequence: number): void {
    this.options.sessions.countInvalid(this.transport);
    if (error instanceof ProtocolError) this.frameError(error.codeName, error.message, sequence);
    else this.frameError('INTERNAL', 'internal server error', sequence);
  }

  private frameError(code: ErrorCodeName, message: string, sequence = 0): void {
    if (this.state === 'closed') return;
    this.errorsSent.set(code, (this.errorsSent.get(code) ?? 0) + 1);
    this.options.socket.send(encodeErrorFrame(code, message, sequence >>> 0));
  }

  private sessionError(code: ErrorCodeName, message: string, sequence = 0): void {
    this.frameError(code, message, sequence);
    this.options.socket.close(WS_CLOSE.policyViolation, code);
    this.onClose();
  }
}
