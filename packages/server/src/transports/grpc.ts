/**
 * The gRPC transport: anc.ANCService (packages/protocol/src/anc.proto), loaded at run time with
 * @grpc/proto-loader. Auth: metadata `authorization: Bearer <jwt|api key>`; without valid credentials the call
 * ends with status UNAUTHENTICATED before anything is processed.
 *
 * ProcessAudioStream (bidi): the first chunk names a REST-created session (session_id) or creates one
 * (config_json); it may carry audio too. Every audio chunk is answered by one AntiNoiseChunk (sequence and
 * timestamp echoed, cancellation_db, latency_us, phase) or dropped when late. Errors are chunks with error_code /
 * error_message (codes of docs/protocol.md); after a session-level error the call ends. As over WebSocket, a chunk of
 * a session the engine runs on this thread is answered before the next chunk is read; chunks of a session on a worker
 * thread go through the bounded queue (pipeline.ts). A session the call created ends with the call.
 *
 * ProcessAudioFile (unary): the file-job cancellation, synchronously, in a worker thread.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  ANC_PROTO_LOADER_OPTIONS, ANC_PROTO_PATH, audioChunkChannelsInto, ErrorCode, HOST_LITTLE_ENDIAN, planarFloat32ToBytes, ProtocolError,
  type AntiNoiseChunk, type AudioChunk, type AudioFileRequest, type AudioFileResponse, type ErrorCodeName,
} from '@antiphase/protocol';
import type { AntiNoiseFrame, AudioFrame } from '@antiphase/engine';
import { ApiError, endsStream, toWireCode } from '../errors.js';
import type { AuthService, Principal } from '../auth/service.js';
import { bearerToken } from '../auth/service.js';
import { CancelInputError, inspectWav, resolveCancelOptions } from '../jobs/cancel.js';
import { runCancelInWorker } from '../jobs/runner.js';
import type { ClientNoiseEvent, LiveSession, SessionService } from '../sessions.js';
import { FramePipeline } from './pipeline.js';

export interface GrpcTransportOptions {
  auth: AuthService;
  sessions: SessionService;
  queueFrames: number;
  /** Largest message, bytes (ProcessAudioFile carries whole recordings). */
  maxMessageBytes: number;
}

interface GrpcPending {
  sequence: number;
  timestampUs: number;
  antiNoiseMissing: boolean;
  reference: Float32Array;
  error: Float32Array;
  receivedAt: number;
}

type StreamCall = grpc.ServerDuplexStream<AudioChunk, AntiNoiseChunk>;

/**
 * The engine writes the anti-noise straight into the bytes of the answer (float32 LE): a fresh buffer per answer,
 * never reused, since grpc-js may serialize a queued answer later.
 */
function answerBytes(session: LiveSession): Buffer | undefined {
  return HOST_LITTLE_ENDIAN ? Buffer.allocUnsafe(4 * session.frameSize) : undefined;
}

function answerSamples(bytes: Buffer, session: LiveSession): Float32Array {
  return new Float32Array(bytes.buffer, bytes.byteOffset, session.frameSize);
}

function emptyChunk(): AntiNoiseChunk {
  return {
    antiNoiseData: new Uint8Array(0), cancellationDb: 0, latencyUs: 0, noiseType: '', sessionId: '', sequence: 0, timestampUs: 0,
    phase: '', errorCode: 0, errorMessage: '', eventJson: '',
  };
}

async function authenticate(auth: AuthService, metadata: grpc.Metadata): Promise<Principal> {
  const value = metadata.get('authorization')[0];
  return auth.authenticate(bearerToken(typeof value === 'string' ? value : value?.toString('utf8')));
}

function unauthenticated(error: unknown): Partial<grpc.StatusObject> {
  return { code: grpc.status.UNAUTHENTICATED, details: error instanceof ApiError ? error.message : 'invalid credentials' };
}

/** One ProcessAudioStream call. */
class GrpcStream {
  private session: LiveSession | null = null;
  private ownsSession = false;
  private negotiating: Promise<void> | null = null;
  private closed = false;
  private readonly early: { chunk: AudioChunk; receivedAt: number }[] = [];
  private paused = false;
  /** Sessions on a worker thread: the bounded queue to the engine. */
  private readonly pipeline: FramePipeline<GrpcPending>;
  /** Sessions the engine runs on this thread: the one frame every chunk is decoded into and answered from. */
  private frame: AudioFrame | null = null;
  /** Sample buffers of frames the engine has taken (it copies them when a frame is submitted), reused. */
  private readonly pool: { reference: Float32Array; error: Float32Array }[] = [];

  constructor(
    private readonly call: StreamCall,
    private readonly principal: Principal,
    private readonly options: GrpcTransportOptions,
  ) {
    this.pipeline = new FramePipeline<GrpcPending>({
      capacity: options.queueFrames,
      maxSubmitted: Math.max(1, Math.min(8, Math.floor(options.queueFrames / 2))),
      submit: (frame) => this.submit(frame),
      onDrop: (frame) => {
        this.release(frame);
        options.sessions.countDropped(this.session ?? undefined, 'grpc');
      },
    });
    call.on('data', (chunk: AudioChunk) => this.onChunk(chunk));
    call.on('end', () => void this.finish());
    call.on('cancelled', () => this.onClose());
    call.on('error', () => this.onClose());
  }

  private onChunk(chunk: AudioChunk): void {
    if (this.closed) return;
    const receivedAt = performance.now();
    if (!this.session && !this.negotiating) {
      this.early.push({ chunk, receivedAt });
      this.negotiating = this.negotiate(chunk).finally(() => {
        this.negotiating = null;
        // Chunks that arrived while the session was being created (gRPC has no ready message: clients stream at once).
        const early = this.early.splice(0);
        for (const item of early) {
          if (this.session) {
            if (item.chunk.audioData.byteLength > 0) this.onAudio(item.chunk, item.receivedAt);
          } else if (item.chunk !== chunk) {
            this.sendError('NOT_READY', 'no session: the first chunk was refused', item.chunk);
          }
        }
      });
      return;
    }
    if (this.negotiating) {
      this.early.push({ chunk, receivedAt });
      this.applyBackPressure();
      return;
    }
    if (!this.session) {
      this.sendError('NOT_READY', 'no session: the first chunk must carry session_id or config_json', chunk);
      return;
    }
    this.onAudio(chunk, receivedAt);
  }

  private async negotiate(chunk: AudioChunk): Promise<void> {
    const { sessions } = this.options;
    try {
      if (chunk.sessionId) {
        this.adopt(sessions.attach(this.principal, chunk.sessionId), false);
      } else if (chunk.configJson) {
        let config: unknown;
        try {
          config = JSON.parse(chunk.configJson);
        } catch {
          throw new ApiError('INVALID_CONFIG', 'config_json is not valid JSON');
        }
        const { session } = await sessions.create(this.principal, config, 'grpc');
        if (this.closed) {
          await sessions.finish(session.id, 'call ended').catch(() => undefined);
          return;
        }
        this.adopt(session, true);
      } else {
        throw new ApiError('INVALID_CONFIG', 'the first chunk must carry session_id (a REST session) or config_json (to create one)');
      }
    } catch (error) {
      const wire = toWireCode(error);
      this.sendError(wire.name, wire.message, chunk);
      if (wire.name === 'UNKNOWN_SESSION') this.end();
    }
  }

  private adopt(session: LiveSession, owns: boolean): void {
    this.session = session;
    this.ownsSession = owns;
    session.onNoiseEvent = this.onNoiseEvent;
    if (this.options.sessions.answersNow(session)) {
      this.frame = {
        sessionId: session.id, sequence: 0, captureTimestampUs: 0, antiNoiseMissing: false,
        reference: new Float32Array(session.frameSize), error: new Float32Array(session.frameSize),
      };
    }
  }

  private onAudio(chunk: AudioChunk, receivedAt: number): void {
    const session = this.session;
    if (this.closed || !session) return;
    if (chunk.sampleRate !== session.sampleRate || chunk.frameSize !== session.frameSize || session.sampleFormat !== 'float32') {
      this.options.sessions.countInvalid('grpc');
      this.sendError('FORMAT_MISMATCH', `chunk is ${chunk.sampleRate} Hz, ${chunk.frameSize} samples (float32); the session negotiated ` +
        `${session.sampleRate} Hz, ${session.frameSize} samples, ${session.sampleFormat}`, chunk);
      return;
    }
    const now = this.frame;
    const buffers = now ?? this.pool.pop() ?? { reference: new Float32Array(session.frameSize), error: new Float32Array(session.frameSize) };
    try {
      audioChunkChannelsInto(chunk, buffers.reference, buffers.error);
    } catch (error) {
      if (!now) this.pool.push(buffers);
      this.options.sessions.countInvalid('grpc');
      if (error instanceof ProtocolError) this.sendError(error.codeName, error.message, chunk);
      else this.sendError('INTERNAL', 'internal server error', chunk);
      return;
    }
    if (now) {
      now.sequence = chunk.sequence;
      now.captureTimestampUs = chunk.timestampUs;
      now.antiNoiseMissing = chunk.antiNoiseMissing;
      this.answerNow(session, now, receivedAt);
      return;
    }
    this.pipeline.push({
      sequence: chunk.sequence,
      timestampUs: chunk.timestampUs,
      antiNoiseMissing: chunk.antiNoiseMissing,
      reference: buffers.reference,
      error: buffers.error,
      receivedAt,
    });
    this.applyBackPressure();
  }

  /**
   * gRPC has flow control, so a full queue pauses reading instead of dropping: HTTP/2 windows then hold the sender
   * back. Frames that wait too long are still dropped by the engine's latency limit (maxLatencyMs).
   */
  private applyBackPressure(): void {
    const held = this.early.length + this.pipeline.size;
    if (!this.paused && held >= this.options.queueFrames) {
      this.paused = true;
      this.call.pause();
    } else if (this.paused && held <= this.options.queueFrames / 2) {
      this.paused = false;
      this.call.resume();
    }
  }

  private async submit(frame: GrpcPending): Promise<void> {
    try {
      await this.process(frame);
    } finally {
      // The pipeline counts this frame until submit's promise settles: check on the next tick.
      queueMicrotask(() => this.applyBackPressure());
    }
  }

  /** A chunk of a session this thread runs: processed and answered before the next chunk is read. */
  private answerNow(session: LiveSession, frame: AudioFrame, receivedAt: number): void {
    const bytes = answerBytes(session);
    let result;
    try {
      result = this.options.sessions.processFrameNow(session, frame, 'grpc', receivedAt, bytes && answerSamples(bytes, session));
    } catch (error) {
      this.refused(error, frame.sequence, frame.captureTimestampUs);
      return;
    }
    if (result) this.answer(session, result, bytes);
  }

  /** A chunk of a session on a worker thread, from the queue. */
  private async process(frame: GrpcPending): Promise<void> {
    const session = this.session!;
    const bytes = answerBytes(session);
    try {
      let pending;
      try {
        // The engine copies the samples before processFrame returns its promise: the buffers are free after this call.
        pending = this.options.sessions.processFrame(session, {
          sessionId: session.id, sequence: frame.sequence, captureTimestampUs: frame.timestampUs,
          antiNoiseMissing: frame.antiNoiseMissing, reference: frame.reference, error: frame.error,
        }, 'grpc', frame.receivedAt, bytes && answerSamples(bytes, session));
      } finally {
        this.release(frame);
      }
      const result = await pending;
      if (result) this.answer(session, result, bytes);
    } catch (error) {
      this.refused(error, frame.sequence, frame.timestampUs);
    }
  }

  private answer(session: LiveSession, result: AntiNoiseFrame, bytes: Buffer | undefined): void {
    if (this.closed) return;
    // Every field of AntiNoiseChunk, written out (not spread over emptyChunk()): one object per answer.
    this.call.write({
      antiNoiseData: bytes && result.antiNoise.buffer === bytes.buffer && result.antiNoise.byteOffset === bytes.byteOffset
        ? bytes : planarFloat32ToBytes(result.antiNoise),
      cancellationDb: Number.isFinite(result.nrDb) ? result.nrDb : 0,
      latencyUs: result.processingUs,
      noiseType: result.noiseType ?? '',
      sessionId: session.id,
      sequence: result.sequence,
      timestampUs: result.captureTimestampUs,
      phase: result.emergencyBypass ? 'bypassed' : result.phase,
      errorCode: 0,
      errorMessage: '',
      eventJson: '',
    } satisfies AntiNoiseChunk);
  }

  /** The engine refused a chunk: an error chunk; after a session-level error the call ends. */
  private refused(error: unknown, sequence: number, timestampUs: number): void {
    if (this.closed) return;
    const wire = toWireCode(error);
    this.sendError(wire.name, wire.message, { sequence, timestampUs });
    if (endsStream(error)) this.end();
  }

  private release(frame: GrpcPending): void {
    if (this.pool.length < this.options.queueFrames + 1) this.pool.push(frame); // its sample buffers, reused
  }

  /** Noise events travel as audio-less chunks with event_json (anc.proto). */
  private readonly onNoiseEvent = (event: ClientNoiseEvent): void => {
    if (!this.closed) this.call.write({ ...emptyChunk(), sessionId: event.sessionId, eventJson: JSON.stringify(event) });
  };

  private sendError(name: ErrorCodeName, message: string, chunk: Pick<AudioChunk, 'sequence' | 'timestampUs'>): void {
    if (this.closed) return;
    this.call.write({
      ...emptyChunk(), sessionId: this.session?.id ?? '', sequence: chunk.sequence, timestampUs: chunk.timestampUs,
      errorCode: ErrorCode[name], errorMessage: message,
    });
  }

  /** The client half-closed: answer what is queued, then end the call. */
  private async finish(): Promise<void> {
    if (this.negotiating) await this.negotiating;
    while (this.pipeline.size > 0 && !this.closed) await new Promise((resolve) => setTimeout(resolve, 1));
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.call.end();
    this.onClose();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.pipeline.stop();
    if (this.session?.onNoiseEvent === this.onNoiseEvent) this.session.onNoiseEvent = null;
    if (this.session && this.ownsSession && !this.session.ending) {
      void this.options.sessions.finish(this.session.id, 'call ended').catch(() => undefined);
    }
  }
}

export interface GrpcServerHandle {
  port: number;
  close(): Promise<void>;
}

export async function startGrpcServer(host: string, port: number, options: GrpcTransportOptions): Promise<GrpcServerHandle> {
  const definition = await protoLoader.load(fileURLToPath(ANC_PROTO_PATH), ANC_PROTO_LOADER_OPTIONS);
  const anc = grpc.loadPackageDefinition(definition).anc as grpc.GrpcObject;
  const service = (anc.ANCService as grpc.ServiceClientConstructor).service;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': options.maxMessageBytes,
  });

  server.addService(service, {
    ProcessAudioStream: (call: StreamCall) => {
      authenticate(options.auth, call.metadata).then(
        (principal) => new GrpcStream(call, principal, options),
        (error) => call.emit('error', unauthenticated(error)),
      );
    },
    ProcessAudioFile: (call: grpc.ServerUnaryCall<AudioFileRequest, AudioFileResponse>, callback: grpc.sendUnaryData<AudioFileResponse>) => {
      void (async () => {
        try {
          await authenticate(options.auth, call.metadata);
        } catch (error) {
          callback(unauthenticated(error) as grpc.ServiceError);
          return;
        }
        try {
          const request = call.request;
          inspectWav(request.primaryWav, 'primary_wav');
          inspectWav(request.referenceWav, 'reference_wav');
          let config: unknown;
          if (request.configJson) {
            try {
              config = JSON.parse(request.configJson);
            } catch {
              throw new CancelInputError('config_json is not valid JSON');
            }
          }
          const reply = await runCancelInWorker({ primary: request.primaryWav, reference: request.referenceWav, options: resolveCancelOptions(config) });
          if (!reply.ok) {
            callback({ code: reply.inputError ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL, details: reply.message } as grpc.ServiceError);
            return;
          }
          callback(null, { cleanedWav: reply.cleanedWav, reportJson: JSON.stringify(reply.report) });
        } catch (error) {
          const invalid = error instanceof CancelInputError;
          callback({ code: invalid ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL, details: invalid ? error.message : 'internal server error' } as grpc.ServiceError);
        }
      })();
    },
  });

  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });

  let closing: Promise<void> | null = null;
  return {
    port: boundPort,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 500); // open streams are cancelled after a grace period
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
