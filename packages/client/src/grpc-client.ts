/**
 * GrpcStreamClient (Node only): one ANC session over anc.ANCService/ProcessAudioStream, with the same surface as
 * WsStreamClient. anc.proto is loaded at run time (@antiphase/protocol's ANC_PROTO_PATH); nothing is generated.
 *
 * gRPC has no ready message: the first chunk names the session (session_id) or creates one (config_json), and the
 * server answers only audio. So connect() sends the first chunk with one frame of silence (x = e = 0: nothing to
 * adapt on) and treats its answer, which carries the session id and phase, as `ready`. That frame takes one
 * sequence number like any other, and the capture timestamp of the newest frame sent (so that the server's
 * late-frame rule, which compares capture times, sees no jump). A reconnect does the same with session_id, then the
 * sequence carries on.
 *
 * Auth: metadata `authorization: Bearer <jwt|api key>`. Errors arrive as chunks with error_code (the codes of
 * docs/protocol.md) or as a call status (UNAUTHENTICATED → UNAUTHORIZED, fatal; UNAVAILABLE → reconnect).
 * PCM is float32 on this transport (anc.proto). Back-pressure: while the call's write buffer is full (write() said
 * so, until 'drain'), send() drops frames instead of queueing stale audio.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  ANC_PROTO_LOADER_OPTIONS, ANC_PROTO_PATH, ErrorCode, ProtocolError, bytesToFloat32, planarFloat32ToBytes,
  type AntiNoiseChunk, type AudioChunk,
} from '@antiphase/protocol';
import {
  Emitter, StreamError, backoffDelayMs, checkFrame, isSessionLevelCode, nowUs, resolveReconnect,
  type ReadyInfo, type ReconnectOptions, type SendOptions, type SendResult, type StreamClient, type StreamConnectOptions,
  type StreamEvents,
} from './stream.js';

export interface GrpcStreamClientOptions {
  /** Channel options passed to the grpc-js client. */
  channelOptions?: grpc.ChannelOptions;
}

type AncClient = grpc.Client & {
  ProcessAudioStream(metadata: grpc.Metadata): grpc.ClientDuplexStream<AudioChunk, AntiNoiseChunk>;
};
type AncClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => AncClient;

let serviceConstructor: Promise<AncClientConstructor> | null = null;

/** anc.ANCService's client constructor, loaded once per process. */
function loadService(): Promise<AncClientConstructor> {
  serviceConstructor ??= protoLoader.load(fileURLToPath(ANC_PROTO_PATH), ANC_PROTO_LOADER_OPTIONS).then((definition) => {
    const anc = grpc.loadPackageDefinition(definition).anc as grpc.GrpcObject;
    return anc.ANCService as unknown as AncClientConstructor;
  });
  return serviceConstructor;
}

/** host:port from host:port, grpc://host:port or http(s)://host:port. */
export function grpcTarget(url: string): string {
  const match = /^(?:grpcs?|https?):\/\/([^/]+)\/?.*$/.exec(url);
  const target = match ? match[1] : url;
  if (!/^(\[[^\]]+\]|[^:/]+):\d+$/.test(target)) throw new RangeError(`gRPC address must be host:port (or grpc://host:port), got ${url}`);
  return target;
}

/** gRPC call status → wire code (docs/protocol.md). */
function statusCode(error: grpc.ServiceError): number {
  switch (error.code) {
    case grpc.status.UNAUTHENTICATED:
    case grpc.status.PERMISSION_DENIED:
      return ErrorCode.UNAUTHORIZED;
    case grpc.status.RESOURCE_EXHAUSTED:
      return ErrorCode.OVERLOADED;
    case grpc.status.INVALID_ARGUMENT:
      return ErrorCode.INVALID_CONFIG;
    case grpc.status.NOT_FOUND:
      return ErrorCode.UNKNOWN_SESSION;
    default:
      return 0;
  }
}

interface Attempt {
  resolve: (info: ReadyInfo) => void;
  reject: (error: StreamError) => void;
  timer: ReturnType<typeof setTimeout>;
  primingSequence: number;
}

export class GrpcStreamClient extends Emitter<StreamEvents> implements StreamClient {
  readonly transport = 'grpc' as const;
  private client: AncClient | null = null;
  private call: grpc.ClientDuplexStream<AudioChunk, AntiNoiseChunk> | null = null;
  private options: StreamConnectOptions | null = null;
  private reconnectOptions: Required<ReconnectOptions> | null = null;
  private attempt: Attempt | null = null;
  private readyInfo: ReadyInfo | null = null;
  private sequence = 0;
  private closed = false;
  private reconnecting = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private fatalError: StreamError | null = null;
  /** The call's write buffer is full; frames are dropped until 'drain'. */
  private blocked = false;
  /** Capture timestamp of the newest frame sent, µs (null before the first). */
  private lastCaptureUs: number | null = null;
  framesUnsent = 0;
  reconnects = 0;

  constructor(private readonly clientOptions: GrpcStreamClientOptions = {}) {
    super();
  }

  get info(): ReadyInfo | null {
    return this.readyInfo;
  }

  get connected(): boolean {
    return this.call !== null && this.attempt === null && this.readyInfo !== null && !this.closed;
  }

  get nextSequence(): number {
    return this.sequence;
  }

  /**
   * Opens the call. `config` is needed even with `sessionId` (the format: sampleRate, frameSize), since gRPC
   * answers carry no format; it is only sent when no sessionId is given.
   */
  async connect(options: StreamConnectOptions): Promise<ReadyInfo> {
    if (this.closed) throw new StreamError(0, 'this client was closed; create a new one', true);
    if (this.options !== null) throw new StreamError(0, 'connect() was called already; one client streams one session', true);
    if (options.config === undefined) {
      throw new RangeError('GrpcStreamClient.connect needs config (at least sampleRate and frameSize), also when resuming a sessionId');
    }
    if (options.sampleFormat === 'int16') throw new RangeError('the gRPC transport carries float32 PCM only');
    this.options = options;
    this.reconnectOptions = resolveReconnect(options.reconnect);
    const Service = await loadService();
    this.client = new Service(grpcTarget(options.url), grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 1 << 20,
      ...this.clientOptions.channelOptions,
    });
    try {
      const info = await this.open(options.sessionId);
      this.emit('ready', info);
      return info;
    } catch (error) {
      this.closed = true;
      this.teardownCall();
      this.client.close();
      throw error;
    }
  }

  /** See WsStreamClient.send; `options.antiNoiseMissing` travels as AudioChunk.anti_noise_missing. */
  send(reference: Float32Array, error: Float32Array, captureTimestampUs: number = nowUs(), options: SendOptions = {}): SendResult {
    if (this.closed) throw new StreamError(0, 'send() after close()', true);
    const info = this.readyInfo;
    if (info === null) throw new StreamError(ErrorCode.NOT_READY, 'send() before connect() resolved', false);
    checkFrame(reference, error, info.frameSize);
    const sequence = this.sequence;
    this.sequence = (sequence + 1) >>> 0;
    if (this.lastCaptureUs === null || captureTimestampUs > this.lastCaptureUs) this.lastCaptureUs = captureTimestampUs;
    if (!this.connected || this.blocked) {
      this.framesUnsent++;
      return { sequence, sent: false };
    }
    const call = this.call!;
    if (!call.write(this.chunk(sequence, captureTimestampUs, reference, error, '', '', options.antiNoiseMissing === true))) {
      // The call's buffer is full: drop frames (rather than queue stale audio) until it drains.
      this.blocked = true;
      call.once('drain', () => {
        if (call === this.call) this.blocked = false;
      });
    }
    return { sequence, sent: true };
  }

  /** Half-closes the call and closes the channel (idempotent). A session the call created ends with it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.failAttempt(new StreamError(0, 'closed by the caller', true));
    const call = this.call;
    this.call = null;
    if (call !== null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          call.cancel();
          resolve();
        }, 1000);
        call.on('status', () => {
          clearTimeout(timer);
          resolve();
        });
        call.on('error', () => undefined);
        call.end();
      });
    }
    this.client?.close();
    this.emit('close', { final: true, reason: 'closed by the caller', error: null });
  }

  // ---- internals ----

  private chunk(
    sequence: number, timestampUs: number, reference: Float32Array, error: Float32Array, sessionId: string, configJson = '',
    antiNoiseMissing = false,
  ): AudioChunk {
    const info = this.readyInfo;
    const config = this.options!.config!;
    return {
      audioData: planarFloat32ToBytes(reference, error),
      sampleRate: info?.sampleRate ?? config.sampleRate,
      channels: 2,
      timestampUs,
      sessionId,
      sequence,
      frameSize: info?.frameSize ?? config.frameSize,
      configJson,
      antiNoiseMissing,
    };
  }

  private open(sessionId: string | undefined): Promise<ReadyInfo> {
    const options = this.options!;
    const config = options.config!;
    const metadata = new grpc.Metadata();
    const credential = options.token ?? options.apiKey;
    if (credential !== undefined) metadata.set('authorization', `Bearer ${credential}`);
    return new Promise<ReadyInfo>((resolve, reject) => {
      const timeoutMs = options.connectTimeoutMs ?? 10_000;
      const primingSequence = this.sequence;
      this.sequence = (primingSequence + 1) >>> 0;
      const timer = setTimeout(() => {
        this.failAttempt(new StreamError(0, `no answer from ${grpcTarget(options.url)} within ${timeoutMs} ms`));
        this.teardownCall();
      }, timeoutMs);
      this.attempt = { resolve, reject, timer, primingSequence };
      const call = this.client!.ProcessAudioStream(metadata);
      this.blocked = false;
      this.call = call;
      call.on('data', (chunk: AntiNoiseChunk) => this.onChunk(call, chunk));
      call.on('error', (error: grpc.ServiceError) => this.onCallEnd(call, error));
      call.on('end', () => this.onCallEnd(call, null));
      const silence = new Float32Array(config.frameSize);
      const configJson = sessionId === undefined ? JSON.stringify(config) : '';
      // The priming frame is stamped like the newest frame sent: a stamp from another clock (the caller's frames may
      // run on audio time) could make the server drop it, or every frame after it, as late.
      call.write(this.chunk(primingSequence, this.lastCaptureUs ?? nowUs(), silence, silence, sessionId ?? '', configJson));
    });
  }

  private failAttempt(error: StreamError): void {
    const attempt = this.attempt;
    if (attempt === null) return;
    this.attempt = null;
    clearTimeout(attempt.timer);
    attempt.reject(error);
  }

  private onChunk(call: grpc.ClientDuplexStream<AudioChunk, AntiNoiseChunk>, chunk: AntiNoiseChunk): void {
    if (call !== this.call) return;
    if (chunk.errorCode !== 0) {
      const fatal = isSessionLevelCode(chunk.errorCode);
      const error = new StreamError(chunk.errorCode, chunk.errorMessage, fatal);
      if (fatal) this.fatalError = error;
      if (this.attempt !== null && (fatal || chunk.sequence === this.attempt.primingSequence)) this.failAttempt(error);
      else this.emit('error', error);
      return;
    }
    if (chunk.eventJson) {
      try {
        this.emit('event', JSON.parse(chunk.eventJson));
      } catch {
        this.emit('error', new StreamError(ErrorCode.MALFORMED_FRAME, 'the server sent an event chunk whose event_json is not JSON'));
      }
      return;
    }
    const attempt = this.attempt;
    if (attempt !== null && chunk.sequence === attempt.primingSequence) {
      const config = this.options!.config!;
      if (this.readyInfo !== null && chunk.sessionId !== this.readyInfo.sessionId) {
        this.failAttempt(new StreamError(ErrorCode.UNKNOWN_SESSION, `resumed ${this.readyInfo.sessionId} but the server answered ${chunk.sessionId}`, true));
        return;
      }
      this.attempt = null;
      clearTimeout(attempt.timer);
      this.readyInfo = {
        sessionId: chunk.sessionId,
        sampleRate: config.sampleRate,
        frameSize: config.frameSize,
        sampleFormat: 'float32',
        phase: chunk.phase || 'unknown',
        secondaryPathTaps: null,
        raw: chunk,
      };
      attempt.resolve(this.readyInfo);
      return;
    }
    let antiNoise: Float32Array;
    try {
      antiNoise = bytesToFloat32(chunk.antiNoiseData);
    } catch (error) {
      const code = error instanceof ProtocolError ? error.code : ErrorCode.MALFORMED_FRAME;
      this.emit('error', new StreamError(code, `undecodable anti-noise from the server: ${(error as Error).message}`));
      return;
    }
    this.emit('antiNoise', {
      sequence: chunk.sequence,
      captureTimestampUs: chunk.timestampUs,
      antiNoise,
      processingUs: chunk.latencyUs,
      receivedAtMs: performance.now(),
      phase: chunk.phase || null,
      noiseType: chunk.noiseType || null,
      cancellationDb: chunk.cancellationDb,
    });
  }

  private onCallEnd(call: grpc.ClientDuplexStream<AudioChunk, AntiNoiseChunk>, error: grpc.ServiceError | null): void {
    if (call !== this.call) return;
    this.call = null;
    let streamError: StreamError | null = null;
    if (error !== null && error.code !== grpc.status.CANCELLED) {
      const code = statusCode(error);
      streamError = new StreamError(code, `gRPC ${grpc.status[error.code] ?? error.code}: ${error.details || error.message}`, isSessionLevelCode(code));
      if (streamError.fatal) this.fatalError = streamError;
    }
    const why = streamError?.message ?? 'the server ended the call';
    if (this.attempt !== null) {
      this.failAttempt(this.fatalError ?? streamError ?? new StreamError(0, why));
      return;
    }
    if (this.closed || this.reconnecting) return;
    const fatal = this.fatalError;
    const canRetry = fatal === null && this.reconnectOptions !== null && this.reconnectOptions.retries > 0;
    this.emit('close', { final: !canRetry, reason: fatal ? fatal.message : why, error: fatal ?? streamError });
    if (canRetry) void this.reconnectLoop();
    else {
      this.closed = true;
      this.client?.close();
    }
  }

  private teardownCall(): void {
    const call = this.call;
    this.call = null;
    if (call !== null) {
      call.on('error', () => undefined);
      call.cancel();
    }
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
          const info = await this.open(this.readyInfo!.sessionId);
          this.reconnects++;
          this.emit('reconnected', info);
          this.emit('ready', info);
          return;
        } catch (error) {
          lastError = error as StreamError;
          this.teardownCall();
          if (lastError.fatal || this.fatalError !== null) break;
        }
      }
      if (this.closed) return;
      this.closed = true;
      this.client?.close();
      const error = this.fatalError ?? lastError;
      this.emit('close', { final: true, reason: `gave up reconnecting: ${error?.message ?? 'retries exhausted'}`, error });
    } finally {
      this.reconnecting = false;
    }
  }
}
