/**
 * What every stream client (WebSocket, gRPC) offers: connect → ready, send(reference, error) with the sequence
 * managed here, anti-noise / error / close events, and reconnection that resumes the same session. Browser-safe:
 * no `node:` imports in this file.
 */
import { ErrorCode, errorCodeName, type ErrorCodeName, type SampleFormat } from '@antiphase/protocol';
import type { SessionConfig } from './types.js';

/** How to reach a session: an existing one (created over REST) or a config to create one. */
export interface StreamConnectOptions {
  /**
   * Where the service is. WebSocket: the service's base URL (http(s)://host:port, the stream path is added) or
   * the full ws(s)://…/api/v1/stream URL. gRPC: host:port, grpc://host:port, or an http(s) base URL whose
   * service reports the gRPC port (GrpcStreamClient asks it).
   */
  url: string;
  /** A JWT (from ApiClient.login/register). */
  token?: string;
  /** An API key; sent like a token (`Authorization: Bearer <key>`). */
  apiKey?: string;
  /** Resume this session (created over REST, or by an earlier connect). */
  sessionId?: string;
  /** Create a session with this config (ignored when sessionId is given). */
  config?: SessionConfig;
  /** PCM on the wire; default: the session's negotiated format (WebSocket only; gRPC is always float32). */
  sampleFormat?: SampleFormat;
  /** Reconnection after an unexpected drop (default on, see ReconnectOptions). `false` turns it off. */
  reconnect?: boolean | ReconnectOptions;
  /** How long connect() waits for `ready`, ms (default 10 000). */
  connectTimeoutMs?: number;
  /**
   * Back-pressure: frames the transport may hold unsent before send() drops new ones (counted in framesUnsent)
   * instead of queueing stale audio (default 8). WebSocket: measured by bufferedAmount; gRPC: the call's own
   * write buffer (send() drops while it waits for 'drain').
   */
  maxQueuedFrames?: number;
}

/** Exponential backoff: delay(n) = min(maxDelayMs, initialDelayMs · factor^n) · (1 ± jitter). */
export interface ReconnectOptions {
  /** Attempts after a drop before giving up (default 8). */
  retries?: number;
  /** ms, default 100. */
  initialDelayMs?: number;
  /** ms, default 5000. */
  maxDelayMs?: number;
  /** default 2. */
  factor?: number;
  /** Relative random spread of each delay, 0…1 (default 0.2). */
  jitter?: number;
}

/** The session as the server reported it when the stream became ready. */
export interface ReadyInfo {
  sessionId: string;
  sampleRate: number;
  frameSize: number;
  sampleFormat: SampleFormat;
  /** identifying | controlling | disabled | … (as the server says). */
  phase: string;
  /** Taps of the secondary-path estimate, when the server reports them. */
  secondaryPathTaps: number | null;
  /** The server's ready payload, untouched. */
  raw: unknown;
}

export interface AntiNoiseEvent {
  /** Echo of the audio frame's sequence. */
  sequence: number;
  /** Echo of the audio frame's capture timestamp, µs. */
  captureTimestampUs: number;
  antiNoise: Float32Array;
  /** Server time from receiving the frame to answering it, µs. */
  processingUs: number;
  /** performance.now() when the frame arrived, ms. */
  receivedAtMs: number;
  /** gRPC only: the session's phase, NR estimate and noise class with this chunk (null over WebSocket). */
  phase: string | null;
  cancellationDb: number | null;
  noiseType: string | null;
}

/** An error the server reported (error frame, error chunk) or a local fault, with its protocol code. */
export class StreamError extends Error {
  override readonly name = 'StreamError';
  constructor(
    /** Wire code (docs/protocol.md); 0 for a local fault without one (socket error, timeout). */
    readonly code: number,
    message: string,
    /** The session cannot continue over this stream (no reconnect is attempted). */
    readonly fatal = false,
  ) {
    super(message);
  }

  get codeName(): ErrorCodeName | undefined {
    return errorCodeName(this.code);
  }
}

/** Errors after which the session cannot be resumed: reconnecting would only fail again. */
const SESSION_LEVEL_CODES = new Set<number>([
  ErrorCode.UNKNOWN_SESSION, ErrorCode.UNAUTHORIZED, ErrorCode.SESSION_ENDED, ErrorCode.INVALID_CONFIG,
  ErrorCode.UNSUPPORTED_VERSION,
]);

export function isSessionLevelCode(code: number): boolean {
  return SESSION_LEVEL_CODES.has(code);
}

export interface CloseEvent {
  /** True once the client gave up (closed by the caller, a session-level error, or retries exhausted). */
  final: boolean;
  /** Why, for humans. */
  reason: string;
  /** The error that ended the stream, if any. */
  error: StreamError | null;
}

export interface ReconnectingEvent {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
}

export interface StreamEvents {
  ready: ReadyInfo;
  antiNoise: AntiNoiseEvent;
  error: StreamError;
  /**
   * A noise event from the server (WebSocket event frame, gRPC event_json chunk): {sessionId, type: 'bypass-on' |
   * 'bypass-off' | 'noise-type', atS, t, detail}.
   */
  event: unknown;
  /** The transport dropped; `final` says whether a reconnect follows. */
  close: CloseEvent;
  reconnecting: ReconnectingEvent;
  /** The stream is back, on the same session (also emitted as `ready`). */
  reconnected: ReadyInfo;
}

/** Per-frame options of StreamClient.send. */
export interface SendOptions {
  /**
   * The anti-noise due in this frame's capture period (the answer to frame sequence − playoutDelayFrames) did not
   * arrive in time, so the loudspeaker played silence while this frame was captured. The server then models the
   * loop with what was really played (audio frame flags bit 1 / AudioChunk.anti_noise_missing). Default false.
   */
  antiNoiseMissing?: boolean;
}

export interface SendResult {
  /** The sequence number this frame took (it is consumed even when the frame could not go out). */
  sequence: number;
  /**
   * False while disconnected/reconnecting or while the transport's send buffer is full (back-pressure): the frame
   * was not transmitted (it counts as a gap on the server).
   */
  sent: boolean;
}

/** The common surface of WsStreamClient, RtcStreamClient and GrpcStreamClient. */
export interface StreamClient {
  readonly transport: 'ws' | 'grpc' | 'webrtc';
  connect(options: StreamConnectOptions): Promise<ReadyInfo>;
  send(reference: Float32Array, error: Float32Array, captureTimestampUs?: number, options?: SendOptions): SendResult;
  on<K extends keyof StreamEvents>(event: K, listener: (value: StreamEvents[K]) => void): () => void;
  /** The session's info once ready (null before). */
  readonly info: ReadyInfo | null;
  /** True while frames can go out. */
  readonly connected: boolean;
  /** Next sequence number send() will use. */
  readonly nextSequence: number;
  close(): Promise<void>;
}

/** A tiny typed emitter (browser-safe; node:events is not). A throwing listener does not stop the others. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(value: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  protected emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (value: Events[K]) => void)(value);
      } catch (error) {
        // A listener's bug must not break the stream; surface it asynchronously like an unhandled error.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  protected listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}

const RECONNECT_DEFAULTS: Required<ReconnectOptions> = { retries: 8, initialDelayMs: 100, maxDelayMs: 5000, factor: 2, jitter: 0.2 };

export function resolveReconnect(value: boolean | ReconnectOptions | undefined): Required<ReconnectOptions> | null {
  if (value === false) return null;
  const options = { ...RECONNECT_DEFAULTS, ...(typeof value === 'object' ? value : {}) };
  if (!(Number.isInteger(options.retries) && options.retries >= 0)) throw new RangeError(`reconnect.retries must be a whole number ≥ 0, got ${options.retries}`);
  if (!(options.initialDelayMs >= 0 && options.maxDelayMs >= options.initialDelayMs)) {
    throw new RangeError(`reconnect delays must satisfy 0 ≤ initialDelayMs ≤ maxDelayMs, got ${options.initialDelayMs}, ${options.maxDelayMs}`);
  }
  if (!(options.factor >= 1)) throw new RangeError(`reconnect.factor must be ≥ 1, got ${options.factor}`);
  if (!(options.jitter >= 0 && options.jitter <= 1)) throw new RangeError(`reconnect.jitter must be in [0, 1], got ${options.jitter}`);
  return options;
}

/** Delay before retry `attempt` (1-based), ms. */
export function backoffDelayMs(options: Required<ReconnectOptions>, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** (attempt - 1));
  return Math.max(0, base * (1 + options.jitter * (2 * random() - 1)));
}

/** The session id, format and phase out of a `ready` payload; tolerant of `id`/`sessionId` and a nested `format`. */
export function parseReady(value: unknown, fallback: { sampleFormat?: SampleFormat; config?: SessionConfig }): ReadyInfo {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const nested = [record, record.format, record.session, record.config].filter(
    (v): v is Record<string, unknown> => typeof v === 'object' && v !== null,
  );
  const pick = (key: string): unknown => nested.map((r) => r[key]).find((v) => v !== undefined);
  const sessionId = pick('sessionId') ?? pick('id');
  if (typeof sessionId !== 'string' || sessionId === '') {
    throw new StreamError(ErrorCode.MALFORMED_FRAME, `ready carries no session id: ${JSON.stringify(value)}`, true);
  }
  const number = (key: string, otherwise: number | undefined): number => {
    const v = pick(key);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (otherwise !== undefined) return otherwise;
    throw new StreamError(ErrorCode.MALFORMED_FRAME, `ready carries no ${key}: ${JSON.stringify(value)}`, true);
  };
  const format = pick('sampleFormat');
  const taps = pick('secondaryPathTaps') ?? pick('secondaryPathEstimateTaps');
  return {
    sessionId,
    sampleRate: number('sampleRate', fallback.config?.sampleRate),
    frameSize: number('frameSize', fallback.config?.frameSize),
    sampleFormat: format === 'int16' || format === 'float32' ? format : (fallback.sampleFormat ?? fallback.config?.sampleFormat ?? 'float32'),
    phase: typeof pick('phase') === 'string' ? (pick('phase') as string) : 'unknown',
    secondaryPathTaps: typeof taps === 'number' ? taps : null,
    raw: value,
  };
}

/** Checks one frame's channels against the negotiated frame size. */
export function checkFrame(reference: Float32Array, error: Float32Array, frameSize: number): void {
  if (reference.length !== frameSize || error.length !== frameSize) {
    throw new RangeError(`frames carry ${frameSize} samples per channel, got reference ${reference.length}, error ${error.length}`);
  }
}

/** Wall-clock µs (epoch), for capture timestamps when the caller gives none. */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
