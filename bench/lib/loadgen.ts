/**
 * A light load generator for bench/server.ts: N virtual rooms paced in real time against one server, over
 * WebSocket, gRPC or WebRTC (the SDK's data-channel socket on werift, which speaks the WebSocket frames), with the VirtualRoom's frame schedule (packages/client/src/virtual-room.ts) but a fraction of
 * its cost, so that the server, not the generator, is what saturates:
 *  - every frame period each room plays the anti-noise that answered the frame D = playoutDelayFrames periods
 *    earlier (silence, and the antiNoiseMissing flag, if it had not arrived), captures a frame and sends it;
 *  - the plant is short: reference x from a shared noise table, d = 0.9·x delayed 8 samples, e = d + S_a*p with a
 *    3-tap acoustic secondary path S_a and p what was played — a closed loop, not an open one;
 *  - nothing is allocated per sample; WebSocket frames are written in place into one buffer per room (header
 *    pre-encoded, sequence/timestamp/flags patched), answers are read with fixed offsets;
 *  - one timer drives every room; rooms start at random phases of the frame period (clients are not synchronised).
 * An answer is on time when it arrives before its playout slot starts, late after (discarded, like the room does).
 * Frames are attributed to the measurement step during which they were sent; `lost` = sent − answered once the
 * step's answers have had time to arrive.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import WebSocket from 'ws';
import { nodeRtcPeerFactory, rtcSocketFactory, type WebSocketLike } from '@antiphase/client';
import {
  ANC_PROTO_LOADER_OPTIONS, ANC_PROTO_PATH, encodeAudioFrame, encodeJsonFrame, type AntiNoiseChunk, type AudioChunk,
} from '@antiphase/protocol';

export type Transport = 'ws' | 'grpc' | 'webrtc';

/** A growable Float64Array (no per-value allocation). */
export class Recorder {
  private data = new Float64Array(4096);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  /** A copy of the values pushed so far. */
  values(): Float64Array {
    return this.data.slice(0, this.length);
  }

  pushAll(values: Float64Array): void {
    for (let i = 0; i < values.length; i++) this.push(values[i]);
  }

  sorted(): Float64Array {
    return this.values().sort();
  }
}

export function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1];
}

export interface StepCounters {
  sent: number;
  onTime: number;
  late: number;
  answered: number;
  /** Frames whose slot came before the room could send them (generator behind schedule by more than a period). */
  sendLagOverPeriod: number;
  errors: Record<string, number>;
  /** Round trip send → answer, µs. */
  rttUs: Recorder;
  /** The server's processingUs of each answer, µs. */
  processingUs: Recorder;
  /** How late the generator sent each frame after its due time, µs. */
  sendLagUs: Recorder;
}

export function newCounters(): StepCounters {
  return {
    sent: 0, onTime: 0, late: 0, answered: 0, sendLagOverPeriod: 0, errors: {},
    rttUs: new Recorder(), processingUs: new Recorder(), sendLagUs: new Recorder(),
  };
}

/** The recorders of a step's counters. */
const RECORDERS = ['rttUs', 'processingUs', 'sendLagUs'] as const;
type RecorderName = (typeof RECORDERS)[number];

/** A step's counters as plain values (each Recorder's contents as a Float64Array), for postMessage. */
export type StepValues = Omit<StepCounters, RecorderName> & Record<RecorderName, Float64Array>;

export function stepValues(counters: StepCounters): StepValues {
  const values = { ...counters } as unknown as StepValues;
  for (const name of RECORDERS) values[name] = counters[name].values();
  return values;
}

/** The buffers of a StepValues, to transfer rather than copy. */
export function stepValueBuffers(values: StepValues): ArrayBuffer[] {
  return RECORDERS.map((name) => values[name].buffer as ArrayBuffer);
}

/** Adds one thread's step values into `into`. */
export function addStepValues(into: StepCounters, values: StepValues): void {
  into.sent += values.sent;
  into.onTime += values.onTime;
  into.late += values.late;
  into.answered += values.answered;
  into.sendLagOverPeriod += values.sendLagOverPeriod;
  for (const [code, count] of Object.entries(values.errors)) into.errors[code] = (into.errors[code] ?? 0) + count;
  for (const name of RECORDERS) into[name].pushAll(values[name]);
}

export interface LoadOptions {
  transport: Transport;
  url: string;
  grpcAddress: string;
  token: string;
  sampleRate: number;
  frameSize: number;
  playoutDelayFrames: number;
  /** The session config sent in hello / config_json. */
  config: Record<string, unknown>;
}

const RING = 1024;
const NOISE_SECONDS = 4;
const PRIMARY_DELAY = 8;
const PRIMARY_GAIN = 0.9;
const SECONDARY = [0, 0.8, 0.3];

let grpcCtor: Promise<new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client> | null = null;
function grpcClientCtor(): typeof grpcCtor & object {
  grpcCtor ??= protoLoader.load(fileURLToPath(ANC_PROTO_PATH), ANC_PROTO_LOADER_OPTIONS).then((definition) => {
    const anc = grpc.loadPackageDefinition(definition).anc as grpc.GrpcObject;
    return anc.ANCService as unknown as new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client;
  });
  return grpcCtor;
}

type GrpcCall = grpc.ClientDuplexStream<AudioChunk, AntiNoiseChunk>;

/** One virtual room: a session, a socket or call, the plant and the frame schedule. */
class Room {
  readonly N: number;
  readonly D: number;
  readonly periodMs: number;
  private readonly gen: LoadGenerator;
  // schedule
  startMs = 0;
  frame = 0;
  // plant
  private readonly noise: Float32Array;
  private noiseAt: number;
  private readonly playedTail = new Float32Array(SECONDARY.length - 1);
  private readonly silence: Float32Array;
  private readonly slots: Float32Array[];
  private readonly slotFor: Float64Array;
  // bookkeeping per sequence
  private readonly ringSeq = new Float64Array(RING).fill(-1);
  private readonly ringSentAt = new Float64Array(RING);
  private readonly ringStep = new Int32Array(RING);
  private readonly ringDone = new Uint8Array(RING);
  private sequence = 0;
  // transport
  private readonly buffer: Buffer;
  private readonly ref: Float32Array;
  private readonly err: Float32Array;
  private ws: WebSocket | null = null;
  /** WebRTC: the SDK's socket over the anc-control / anc-audio data channels (the same frames as WebSocket). */
  private rtc: WebSocketLike | null = null;
  private call: GrpcCall | null = null;
  private client: grpc.Client | null = null;
  private grpcBlocked = false;
  sessionId = '';
  closed = false;

  constructor(gen: LoadGenerator, noise: Float32Array, seed: number) {
    this.gen = gen;
    const o = gen.options;
    this.N = o.frameSize;
    this.D = o.playoutDelayFrames;
    this.periodMs = (this.N * 1000) / o.sampleRate;
    this.noise = noise;
    this.noiseAt = (seed * 7919 * this.N) % noise.length;
    this.silence = new Float32Array(this.N);
    this.slots = Array.from({ length: this.D + 1 }, () => new Float32Array(this.N));
    this.slotFor = new Float64Array(this.D + 1).fill(-1);
    this.buffer = Buffer.from(new ArrayBuffer(32 + 8 * this.N));
    encodeAudioFrame({ sequence: 0, captureTimestampUs: 0, sampleRate: o.sampleRate, reference: this.silence, error: this.silence }, this.buffer);
    this.ref = new Float32Array(this.buffer.buffer, 32, this.N);
    this.err = new Float32Array(this.buffer.buffer, 32 + 4 * this.N, this.N);
  }

  async open(): Promise<void> {
    const { transport } = this.gen.options;
    if (transport === 'ws') await this.openWs();
    else if (transport === 'webrtc') await this.openRtc();
    else await this.openGrpc();
  }

  private openWs(): Promise<void> {
    const o = this.gen.options;
    return new Promise((resolve, reject) => {
      const settle = this.settler(resolve, reject);
      const ws = new WebSocket(`${o.url.replace(/^http/, 'ws')}/api/v1/stream`, {
        headers: { authorization: `Bearer ${o.token}` }, perMessageDeflate: false,
      });
      this.ws = ws;
      ws.binaryType = 'nodebuffer';
      ws.on('open', () => ws.send(encodeJsonFrame('hello', { config: o.config })));
      ws.on('error', settle);
      ws.on('close', () => {
        this.closed = true;
      });
      ws.on('message', (data: Buffer) => this.onStreamFrame(data, settle));
    });
  }

  private openRtc(): Promise<void> {
    const o = this.gen.options;
    return new Promise((resolve, reject) => {
      const settle = this.settler(resolve, reject);
      const socket = rtcSocketFactory(nodeRtcPeerFactory(['127.0.0.1'])).create(`${o.url.replace(/^http/, 'ws')}/api/v1/stream`, { authorization: `Bearer ${o.token}` });
      this.rtc = socket;
      socket.onopen = () => socket.send(encodeJsonFrame('hello', { config: o.config }));
      socket.onerror = (event) => settle(new Error((event as { message?: string }).message ?? 'WebRTC error'));
      socket.onclose = () => {
        this.closed = true;
      };
      socket.onmessage = (event) => {
        const data = event.data as Buffer | ArrayBuffer;
        this.onStreamFrame(Buffer.isBuffer(data) ? data : Buffer.from(data), settle);
      };
    });
  }

  /** Resolves on the first call without an error, rejects on the first with one; gives up after 30 s. */
  private settler(resolve: () => void, reject: (error: Error) => void): (error?: Error) => void {
    let done = false;
    const timer = setTimeout(() => settle(new Error('no ready within 30 s')), 30_000);
    const settle = (error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    return settle;
  }

  /** One binary stream frame from the server (WebSocket or WebRTC); `settle` hears ready, or an error before it. */
  private onStreamFrame(data: Buffer, settle: (error?: Error) => void): void {
    const type = data[1];
    if (type === 2) {
      this.onAnswer(data.readUInt32LE(4), data.readUInt32LE(28), data, 32);
    } else if (type === 6) {
      this.sessionId = (JSON.parse(data.subarray(32).toString('utf8')) as { sessionId: string }).sessionId;
      settle();
    } else if (type === 3) {
      const code = data.readUInt16LE(32);
      this.gen.countError(String(code));
      if (this.sessionId === '') settle(new Error(`error frame ${code}: ${data.subarray(34).toString('utf8')}`));
    }
  }

  private async openGrpc(): Promise<void> {
    const o = this.gen.options;
    const Ctor = await grpcClientCtor();
    // One HTTP/2 connection per room, as separate devices would have (grpc-js shares them by default).
    this.client = new Ctor(o.grpcAddress, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${o.token}`);
    const call = (this.client as unknown as { ProcessAudioStream(m: grpc.Metadata): GrpcCall }).ProcessAudioStream(metadata);
    this.call = call;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer to the first chunk within 30 s')), 30_000);
      call.on('data', (chunk: AntiNoiseChunk) => {
        if (chunk.errorCode !== 0) {
          this.gen.countError(String(chunk.errorCode));
          if (this.sessionId === '') {
            clearTimeout(timer);
            reject(new Error(`error ${chunk.errorCode}: ${chunk.errorMessage}`));
          }
          return;
        }
        if (this.sessionId === '') {
          this.sessionId = chunk.sessionId;
          clearTimeout(timer);
          resolve();
          return;
        }
        const data = chunk.antiNoiseData;
        this.onAnswer(chunk.sequence, chunk.latencyUs, Buffer.from(data.buffer, data.byteOffset, data.byteLength), 0);
      });
      call.on('error', (error) => {
        this.closed = true;
        clearTimeout(timer);
        reject(error);
      });
      call.on('end', () => {
        this.closed = true;
      });
      call.on('drain', () => {
        this.grpcBlocked = false;
      });
      // Priming chunk: creates the session; one frame of silence, sequence 0 (answered, then streaming starts at 1).
      call.write({
        audioData: Buffer.alloc(8 * this.N), sampleRate: o.sampleRate, channels: 2, timestampUs: 0, sessionId: '', sequence: 0,
        frameSize: this.N, configJson: JSON.stringify(o.config), antiNoiseMissing: false,
      });
    });
    this.sequence = 1;
  }

  /** Starts the schedule: frame 0 is due at startMs. */
  start(startMs: number): void {
    this.startMs = startMs;
    this.frame = 0;
  }

  /** Due time of the next frame, ms. */
  get dueMs(): number {
    return this.startMs + this.frame * this.periodMs;
  }

  /** Plays the slot, captures and sends frame `this.frame`. */
  tick(now: number): void {
    const N = this.N;
    const k = this.frame++;
    const gen = this.gen;
    const lagUs = (now - (this.startMs + k * this.periodMs)) * 1000;
    const step = gen.step;
    if (step) {
      step.sendLagUs.push(lagUs);
      if (lagUs > this.periodMs * 1000) step.sendLagOverPeriod++;
    }
    // 1. What the loudspeaker plays during frame k: the answer to frame k − D if it came in time.
    const s = k % (this.D + 1);
    let played = this.silence;
    let missing = false;
    if (this.slotFor[s] === k) played = this.slots[s];
    else missing = k >= this.D;
    this.slotFor[s] = -1;
    // 2. Capture: x from the noise table, d = 0.9·x[n−8], e = d + S_a * p.
    const noise = this.noise;
    const L = noise.length;
    const ref = this.ref;
    const err = this.err;
    const tail = this.playedTail;
    let at = this.noiseAt;
    for (let i = 0; i < N; i++) {
      const x = noise[at];
      let back = at - PRIMARY_DELAY;
      if (back < 0) back += L;
      const p0 = played[i];
      const p1 = i >= 1 ? played[i - 1] : tail[1];
      const p2 = i >= 2 ? played[i - 2] : (i === 1 ? tail[1] : tail[0]);
      ref[i] = x;
      err[i] = PRIMARY_GAIN * noise[back] + SECONDARY[0] * p0 + SECONDARY[1] * p1 + SECONDARY[2] * p2;
      at = at + 1 === L ? 0 : at + 1;
    }
    tail[0] = played[N - 2];
    tail[1] = played[N - 1];
    this.noiseAt = at;
    if (this.closed) return;
    // 3. Send.
    const seq = this.sequence;
    this.sequence = (seq + 1) >>> 0;
    const r = seq % RING;
    this.ringSeq[r] = seq;
    this.ringSentAt[r] = now;
    this.ringStep[r] = step ? step.id : -1;
    this.ringDone[r] = 0;
    if (step) step.sent++;
    const captureUs = gen.epochUs + (this.startMs + k * this.periodMs) * 1000;
    if (this.ws || this.rtc) {
      const b = this.buffer;
      b.writeUInt16LE(missing ? 2 : 0, 2);
      b.writeUInt32LE(seq, 4);
      b.writeDoubleLE(captureUs, 8);
      if (this.ws) this.ws.send(b, { binary: true });
      else this.rtc!.send(b);
    } else if (this.call) {
      if (this.grpcBlocked) {
        if (step) gen.countError('unsent (gRPC write buffer full)');
        return;
      }
      const ok = this.call.write({
        // A copy: a message queued in the call's write buffer is serialised later, after this room's buffer is refilled.
        audioData: Buffer.from(this.buffer.subarray(32)), sampleRate: gen.options.sampleRate, channels: 2, timestampUs: captureUs, sessionId: '',
        sequence: seq, frameSize: N, configJson: '', antiNoiseMissing: missing,
      });
      if (!ok) this.grpcBlocked = true;
    }
  }

  private onAnswer(seq: number, processingUs: number, data: Buffer, offset: number): void {
    const now = performance.now();
    const r = seq % RING;
    if (this.ringSeq[r] !== seq || this.ringDone[r]) return;
    this.ringDone[r] = 1;
    const step = this.gen.stepById(this.ringStep[r]);
    // The frame this answers: sequence − 1 on gRPC (sequence 0 primed the session), = sequence on WebSocket/WebRTC.
    const frame = this.call ? seq - 1 : seq;
    const slot = frame + this.D;
    const onTime = slot >= this.frame; // its slot has not been played yet
    if (step) {
      step.answered++;
      step.rttUs.push((now - this.ringSentAt[r]) * 1000);
      step.processingUs.push(processingUs);
      if (onTime) step.onTime++;
      else step.late++;
    }
    if (!onTime) return;
    const s = slot % (this.D + 1);
    const target = this.slots[s];
    new Uint8Array(target.buffer, target.byteOffset, 4 * this.N).set(data.subarray(offset, offset + 4 * this.N));
    this.slotFor[s] = slot;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.ws) {
      const ws = this.ws;
      await new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(resolve, 2000);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        ws.close(1000, 'bench done');
      });
    }
    this.rtc?.close(1000, 'bench done');
    if (this.call) {
      this.call.end();
      this.call.cancel();
    }
    this.client?.close();
  }
}

export interface Step extends StepCounters {
  id: number;
}

/** N rooms, one timer. */
export class LoadGenerator {
  readonly options: LoadOptions;
  readonly epochUs = performance.timeOrigin * 1000;
  private readonly rooms: Room[] = [];
  private readonly noise: Float32Array;
  private timer: NodeJS.Timeout | null = null;
  private seed = 1;
  private readonly steps = new Map<number, Step>();
  step: Step | null = null;
  private nextStepId = 1;
  /** Errors outside a measurement step. */
  readonly errorsOutside: Record<string, number> = {};

  constructor(options: LoadOptions) {
    this.options = options;
    // Uniform noise in ±0.5 (the same for every room, read at different offsets).
    let state = 0x12345678;
    this.noise = new Float32Array(NOISE_SECONDS * options.sampleRate);
    for (let i = 0; i < this.noise.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      this.noise[i] = state / 2 ** 32 - 0.5;
    }
  }

  get size(): number {
    return this.rooms.length;
  }

  /** Opens or closes rooms until `n` run. New rooms start at random phases of the frame period. */
  async resize(n: number, concurrency = 16): Promise<void> {
    while (this.rooms.length > n) {
      const closing = this.rooms.splice(n);
      await Promise.all(closing.map((room) => room.close()));
    }
    const wanted = n - this.rooms.length;
    let next = 0;
    const opened: Room[] = [];
    let failure: unknown = null;
    const worker = async (): Promise<void> => {
      while (next < wanted && failure === null) {
        next++;
        const room = new Room(this, this.noise, this.seed++);
        try {
          await room.open();
          opened.push(room);
        } catch (error) {
          failure = error;
          await room.close().catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, wanted) }, worker));
    const now = performance.now();
    for (const room of opened) {
      room.start(now + 5 + Math.random() * room.periodMs);
      this.rooms.push(room);
    }
    if (failure !== null) throw failure;
    this.schedule();
  }

  countError(code: string): void {
    const target = this.step ? this.step.errors : this.errorsOutside;
    target[code] = (target[code] ?? 0) + 1;
  }

  stepById(id: number): Step | null {
    return id < 0 ? null : this.steps.get(id) ?? null;
  }

  /** Frames sent from now on count in a new step. */
  beginStep(): Step {
    const step: Step = { id: this.nextStepId++, ...newCounters() };
    this.steps.set(step.id, step);
    this.step = step;
    return step;
  }

  /** Stops attributing frames to the current step; its late answers still count until forgetStep. */
  endStep(): void {
    this.step = null;
  }

  forgetStep(step: Step): void {
    this.steps.delete(step.id);
  }

  roomsClosed(): number {
    return this.rooms.filter((r) => r.closed).length;
  }

  private schedule(): void {
    if (this.timer !== null || this.rooms.length === 0) return;
    const loop = (): void => {
      this.timer = null;
      const now = performance.now();
      let nextDue = Infinity;
      for (const room of this.rooms) {
        let due = room.dueMs;
        while (due <= now) {
          room.tick(now);
          due = room.dueMs;
        }
        if (due < nextDue) nextDue = due;
      }
      if (this.rooms.length > 0 && nextDue < Infinity) this.timer = setTimeout(loop, Math.max(0, nextDue - performance.now()));
    };
    this.timer = setTimeout(loop, 0);
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const rooms = this.rooms.splice(0);
    await Promise.all(rooms.map((room) => room.close().catch(() => undefined)));
  }
}
