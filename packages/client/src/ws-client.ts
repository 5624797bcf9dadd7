/**
 * WsStreamClient: one ANC session over the WebSocket transport (docs/protocol.md, "Session flow (WebSocket)").
 *
 *   connect ─► upgrade (Authorization: Bearer …, or ?token=… where headers cannot be set)
 *           ─► hello {sessionId} | {config} ─► ready {sessionId, format, phase}
 *   send(x, e) ─► audio frame (sequence += 1)      antiNoise frame (same sequence) ─► 'antiNoise'
 *   error frame ─► 'error' (frame-level: the stream stays open; session-level: the server closes it)
 *   unexpected close ─► 'close' {final: false} ─► backoff ─► hello {sessionId} (same session) ─► 'reconnected'
 *
 * The sequence counter belongs to the session, not to the socket: it carries on across reconnects, so the server
 * sees the frames that could not go out as a gap (zero frames that keep its histories aligned with the room).
 * Back-pressure: when the socket already holds maxQueuedFrames unsent, a new frame is dropped rather than queued
 * behind stale audio (real-time: an old frame is worth less than a new one).
 *
 * Browser-safe: the WebSocket constructor is injected. The Node entry (index.ts) passes one built on `ws`; the
 * browser entry (browser.ts) passes the global WebSocket, which cannot set headers, so the credential goes in the
 * query string there.
 */
import { ErrorCode, HEADER_BYTES, ProtocolError, decodeFrame, encodeAudioFrame, encodeJsonFrame, type SampleFormat } from '@antiphase/protocol';
import {
  Emitter, StreamError, backoffDelayMs, checkFrame, isSessionLevelCode, nowUs, parseReady, resolveReconnect,
  type ReadyInfo, type ReconnectOptions, type SendOptions, type SendResult, type StreamClient, type StreamConnectOptions,
  type StreamEvents,
} from './stream.js';

/** The part of the WebSocket API this client uses: the browser's WebSocket and `ws` both have it. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export interface WebSocketFactory {
  /** Opens a socket; `headers` is only given when `supportsHeaders` is true. */
  create(url: string, headers: Record<string, string> | undefined): WebSocketLike;
  /** False in browsers: the credential then travels as `?token=`. */
  supportsHeaders: boolean;
}

/** The browser's (or any runtime's) global WebSocket. */
export function globalWebSocketFactory(): WebSocketFactory {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (Ctor === undefined) throw new Error('this runtime has no global WebSocket; pass a WebSocketFactory (in Node: import from @antiphase/client)');
  return { create: (url) => new Ctor(url), supportsHeaders: false };
}

const OPEN = 1;
const STREAM_PATH = '/api/v1/stream';
/** Frames the socket may hold unsent before send() drops new ones (StreamConnectOptions.maxQueuedFrames). */
const DEFAULT_MAX_QUEUED_FRAMES = 8;
/** Close code sent when the caller closes the stream. */
const NORMAL_CLOSURE = 1000;

/** ws(s)://host/api/v1/stream from a base http(s) URL or a ws(s) URL (a bare origin gets the stream path). */
export function streamUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  else if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new RangeError(`stream URL must be http(s):// or ws(s)://, got ${url}`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  if (path === '' || path === '/api/v1') parsed.pathname = STREAM_PATH;
  return parsed;
}

interface Attempt {
  resolve: (info: ReadyInfo) => void;
  reject: (error: StreamError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class WsStreamClient extends Emitter<StreamEvents> implements StreamClient {
  /** 'webrtc' for RtcStreamClient, which streams the same frames over data channels. */
  readonly transport: 'ws' | 'webrtc' = 'ws';
  private readonly factory: WebSocketFactory;
  private socket: WebSocketLike | null = null;
  private options: StreamConnectOptions | null = null;
  private reconnectOptions: Required<ReconnectOptions> | null = null;
  private attempt: Attempt | null = null;
  private readyInfo: ReadyInfo | null = null;
  private format: SampleFormat = 'float32';
  private sequence = 0;
  private closed = false;
  private reconnecting = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private fatalError: StreamError | null = null;
  /** Frames that could not go out: the socket was down, or its send buffer full (back-pressure). */
  framesUnsent = 0;
  /** Reconnections that succeeded. */
  reconnects = 0;

  constructor(factory?: WebSocketFactory) {
    super();
    this.factory = factory ?? globalWebSocketFactory();
  }

  get info(): ReadyInfo | null {
    return this.readyInfo;
  }

  get connected(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN && this.attempt === null && this.readyInfo !== null && !this.closed;
  }

  get nextSequence(): number {
    return this.sequence;
  }

  /** Bytes queued in the socket and not yet sent (back-pressure indicator). */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Opens the stream and resolves with the session's ready info. Rejects with StreamError. */
  async connect(options: StreamConnectOptions): Promise<ReadyInfo> {
    if (this.closed) throw new StreamError(0, 'this client was closed; create a new one', true);
    if (this.options !== null) throw new StreamError(0, 'connect() was called already; one client streams one session', true);
    if (options.sessionId === undefined && options.config === undefined) {
      throw new RangeError('connect needs a sessionId (an existing session) or a config (to create one)');
    }
    this.options = options;
    this.reconnectOptions = resolveReconnect(options.reconnect);
    try {
      const info = await this.open(options.sessionId !== undefined ? { sessionId: options.sessionId } : { config: options.config });
      this.emit('ready', info);
      return info;
    } catch (error) {
      // A client whose first connect failed is done: nothing to resume.
      this.closed = true;
      const socket = this.socket;
      this.socket = null;
      socket?.close();
      throw error;
    }
  }

  /**
   * Sends one frame of reference and error samples (each frameSize long). The sequence is managed here; the
   * capture timestamp defaults to now (µs). While the stream is down the frame is counted in framesUnsent.
   * `options.antiNoiseMissing`: the loudspeaker played silence during this frame (see SendOptions).
   */
  send(reference: Float32Array, error: Float32Array, captureTimestampUs: number = nowUs(), options: SendOptions = {}): SendResult {
    if (this.closed) throw new StreamError(0, 'send() after close()', true);
    const info = this.readyInfo;
    if (info === null) throw new StreamError(ErrorCode.NOT_READY, 'send() before connect() resolved', false);
    checkFrame(reference, error, info.frameSize);
    const sequence = this.sequence;
    this.sequence = (sequence + 1) >>> 0;
    const frameBytes = HEADER_BYTES + 2 * info.frameSize * (this.format === 'int16' ? 2 : 4);
    if (!this.connected || this.socket!.bufferedAmount > (this.options!.maxQueuedFrames ?? DEFAULT_MAX_QUEUED_FRAMES) * frameBytes) {
      this.framesUnsent++;
      return { sequence, sent: false };
    }
    const bytes = encodeAudioFrame({
      sequence, captureTimestampUs, sampleRate: info.sampleRate, reference, error, sampleFormat: this.format,
      antiNoiseMissing: options.antiNoiseMissing === true,
    });
    this.socket!.send(bytes);
    return { sequence, sent: true };
  }

  /** Closes the stream (idempotent). The session stays on the server (end it over REST). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.failAttempt(new StreamError(0, 'closed by the caller', true));
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      await new Promise<void>((resolve) => {
        if (socket.readyState > OPEN) return resolve();
        const timer = setTimeout(resolve, 1000);
        socket.onclose = () => {
          clearTimeout(timer);
          resolve();
        };
        socket.onerror = () => undefined;
        socket.onmessage = null;
        try {
          socket.close(NORMAL_CLOSURE, 'client closed');
        } catch {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    this.emit('close', { final: true, reason: 'closed by the caller', error: null });
  }

  // ---- internals ----

  private open(hello: { sessionId?: string; config?: unknown }): Promise<ReadyInfo> {
    const options = this.options!;
    const url = streamUrl(options.url);
    const credential = options.token ?? options.apiKey;
    let headers: Record<string, string> | undefined;
    if (credential !== undefined) {
      if (this.factory.supportsHeaders) headers = { authorization: `Bearer ${credential}` };
      else url.searchParams.set('token', credential);
    }
    return new Promise<ReadyInfo>((resolve, reject) => {
      const timeoutMs = options.connectTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.failAttempt(new StreamError(0, `no ready from ${url.origin} within ${timeoutMs} ms`));
        this.socket?.close();
      }, timeoutMs);
      this.attempt = { resolve, reject, timer };
      let socket: WebSocketLike;
      try {
        socket = this.factory.create(url.href, headers);
      } catch (error) {
        this.failAttempt(new StreamError(0, `cannot open ${url.origin}: ${(error as Error).message}`));
        return;
      }
      this.socket = socket;
      if (socket.binaryType !== 'nodebuffer') socket.binaryType = 'arraybuffer';
      socket.onopen = () => socket.send(encodeJsonFrame('hello', hello));
      socket.onmessage = (event) => this.onMessage(socket, event.data);
      socket.onerror = (event) => {
        const message = (event as { message?: string; error?: Error }).message ?? (event as { error?: Error }).error?.message ?? 'socket error';
        // ws reports a refused upgrade as "Unexpected server response: 401".
        const unauthorized = /\b401\b/.test(message);
        const error = new StreamError(unauthorized ? ErrorCode.UNAUTHORIZED : 0, `${url.origin}: ${message}`, unauthorized);
        if (unauthorized) this.fatalError = error;
        if (this.attempt !== null) this.failAttempt(error);
      };
      socket.onclose = (event) => this.onClose(socket, event.code, event.reason);
    });
  }

  private failAttempt(error: StreamError): void {
    const attempt = this.attempt;
    if (attempt === null) return;
    this.attempt = null;
    clearTimeout(attempt.timer);
    attempt.reject(error);
  }

  private onMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.socket) return;
    let bytes: Uint8Array;
    if (data instanceof Uint8Array) bytes = data;
    else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else {
      this.emit('error', new StreamError(ErrorCode.MALFORMED_FRAME, 'the server sent a text message; the protocol is binary'));
      return;
    }
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      const code = error instanceof ProtocolError ? error.code : ErrorCode.MALFORMED_FRAME;
      this.emit('error', new StreamError(code, `undecodable frame from the server: ${(error as Error).message}`));
      return;
    }
    switch (frame.type) {
      case 'antiNoise':
        this.emit('antiNoise', {
          sequence: frame.sequence,
          captureTimestampUs: frame.captureTimestampUs,
          antiNoise: frame.antiNoise,
          processingUs: frame.processingUs,
          receivedAtMs: performance.now(),
          phase: null,
          cancellationDb: null,
          noiseType: null,
        });
        return;
      case 'ready': {
        const attempt = this.attempt;
        if (attempt === null) return; // a repeated ready changes nothing
        let info: ReadyInfo;
        try {
          info = parseReady(frame.value, { sampleFormat: this.options!.sampleFormat, config: this.options!.config });
        } catch (error) {
          this.failAttempt(error as StreamError);
          socket.close();
          return;
        }
        if (this.readyInfo !== null && info.sessionId !== this.readyInfo.sessionId) {
          this.failAttempt(new StreamError(ErrorCode.UNKNOWN_SESSION, `resumed ${this.readyInfo.sessionId} but the server answered ${info.sessionId}`, true));
          socket.close();
          return;
        }
        this.attempt = null;
        clearTimeout(attempt.timer);
        this.readyInfo = info;
        this.format = this.options!.sampleFormat ?? info.sampleFormat;
        attempt.resolve(info);
        return;
      }
      case 'error': {
        const fatal = isSessionLevelCode(frame.code);
        const error = new StreamError(frame.code, frame.message, fatal);
        if (fatal) this.fatalError = error;
        if (this.attempt !== null) this.failAttempt(error);
        else this.emit('error', error);
        return;
      }
      case 'event':
        this.emit('event', frame.value);
        return;
      default:
        this.emit('error', new StreamError(ErrorCode.UNKNOWN_TYPE, `unexpected ${frame.type} frame from the server`));
    }
  }

  private onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = null;
    const why = `socket closed (${code}${reason ? `: ${reason}` : ''})`;
    if (this.attempt !== null) {
      this.failAttempt(this.fatalError ?? new StreamError(0, why));
      return; // the reconnect loop (or connect()'s caller) decides what follows
    }
    if (this.closed || this.reconnecting) return;
    const fatal = this.fatalError;
    const canRetry = fatal === null && this.reconnectOptions !== null && this.reconnectOptions.retries > 0;
    this.emit('close', { final: !canRetry, reason: fatal ? fatal.message : why, error: fatal });
    if (canRetry) void this.reconnectLoop();
    else this.closed = true;
  }

  private async reconnectLoop(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    const options = this.reconnectOptions!;
    let lastError: StreamError | null = null;
    try {
      for (let attempt = 1; attempt <= options.retries && !this.closed; attempt++) {
        const delayMs = backoffDelayMs(options, attempt);
        this.emit('reconnecting', { attempt, delayMs });
        await new Promise<void>((resolve) => {
          this.reconnectTimer = setTimeout(resolve, delayMs);
        });
        this.reconnectTimer = null;
        if (this.closed) return;
        try {
          const info = await this.open({ sessionId: this.readyInfo!.sessionId });
          this.reconnects++;
          this.emit('reconnected', info);
          this.emit('ready', info);
          return;
        } catch (error) {
          lastError = error as StreamError;
          if (lastError.fatal || this.fatalError !== null) break;
        }
      }
      if (this.closed) return;
      this.closed = true;
      const error = this.fatalError ?? lastError;
      this.emit('close', { final: true, reason: `gave up reconnecting: ${error?.message ?? 'retries exhausted'}`, error });
    } finally {
      this.reconnecting = false;
    }
  }
}
