/**
 * The session engine: sessions spread over a pool of worker threads (one per core by default), each session pinned
 * to one worker, with a transport-agnostic async API. Transports import Engine and the types, nothing else.
 *
 *  - Placement: a new session goes to the worker with the least estimated load (config.estimateLoad); if none has
 *    room under maxWorkerLoad the call fails with OVERLOADED.
 *  - The hop: each frame is packed into one ArrayBuffer that is transferred to the worker and back (port.ts);
 *    frames submitted in the same event-loop turn for the same worker go in one postMessage (flushed by
 *    setImmediate, after every socket read of that turn, not per frame). Control calls for a worker flush its
 *    pending frames first, so a session sees frames and calls in submission order.
 *  - Isolation: configs are capped by the real-time budget at creation; each session's processing time is
 *    measured (stats) and a session slower than real time for overrunLimit frames in a row is ended with
 *    OVERLOADED. A worker that crashes fails only its own sessions (SESSION_FAILED, 'sessionFailed' event) and is
 *    replaced by a fresh one.
 *  - Lifecycle: close() is idempotent, ends every session and terminates the workers; later calls reject with
 *    ENGINE_CLOSED.
 *  - workers: 0 runs the sessions in the calling thread (tests, tiny deployments): same behaviour, no hop. With
 *    backgroundThread, their once-a-second classification and analysis go to a thread of their own (background.ts).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { NoiseClassifier, presetBankFromJson, type NoiseModel } from '@antiphase/intelligence';
import { loadModelFile } from '@antiphase/intelligence/node';
import { estimateLoad, OFF_PATH_LOAD, resolveConfig, type ResolvedConfig } from './config.js';
import { deserializeError, EngineError, type SerializedEngineError } from './errors.js';
import { BackgroundThread } from './background.js';
import { useSpecificWasmWrappers } from './wasm-wrappers.js';
import { SessionHost } from './host.js';
import type { NoiseEvent } from './noise-monitor.js';
import type { FrameJob, FromWorker, HostMethod, ToWorker } from './port.js';
import type { AntiNoiseFrame, AudioFrame, SessionConfig, SessionPatch, SessionStats } from './types.js';

/**
 * Worker threads by default: one per core, except on machines of two cores or fewer, where the sessions run in the
 * calling thread. There the hop costs more than it spreads: with the transports' I/O thread, two workers and a
 * client on two cores, threads wait for a core: at 50 sessions bench:server measured a server processing time of
 * 47 / 127 µs p50 / p99 inline against 529 / 7627 µs with two workers, at 63 % against 87 % server CPU
 * (docs/benchmarks.md, "Service").
 */
export function defaultWorkerCount(): number {
  const cores = availableParallelism();
  return cores <= 2 ? 0 : cores;
}

export interface EngineOptions {
  /** Worker threads (default defaultWorkerCount()); 0 processes in the calling thread. */
  workers?: number;
  /** Estimated share of one core a worker may take before new sessions are refused with OVERLOADED (default 0.9). */
  maxWorkerLoad?: number;
  /** Consecutive frames slower than real time that end a session with OVERLOADED (default 50). */
  overrunLimit?: number;
  /** Called with a session's stats once per second of its audio (also emitted as the 'stats' event). */
  onStats?: (stats: SessionStats) => void;
  /**
   * Noise-type classifier model (JSON file path; default: the model shipped with @antiphase/intelligence); null:
   * no classifier. A model that fails to load leaves classifierError set and the emergency detector on its own.
   */
  classifierModel?: string | null;
  /**
   * Inline engine only (workers: 0): classify and analyse on a background thread (background.ts) instead of
   * between frames on the calling thread. Default false: everything stays on the calling thread, in audio order.
   */
  backgroundThread?: boolean;
  /**
   * Inline engine only: the calling thread's own work per frame beside the engine, µs (a server's transports read,
   * decode, encode and send every frame on the same thread), counted against the inline budget. Default 0.
   */
  inlineFrameOverheadUs?: number;
}

export interface EngineEvents {
  stats: [SessionStats];
  sessionFailed: [{ sessionId: string; error: EngineError }];
  workerReplaced: [{ worker: number; reason: string }];
  /** Emergency bypass on/off and noise-type changes, as they happen. */
  noiseEvent: [NoiseEvent];
}

interface FramePending {
  kind: 'frame';
  resolve: (frame: AntiNoiseFrame | null) => void;
  reject: (error: Error) => void;
  started: number;
  sessionId: string;
  sequence: number;
  captureTimestampUs: number;
  outputOffset: number;
}

interface CallPending {
  kind: 'call';
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface WorkerSlot {
  index: number;
  worker: Worker;
  /** Sum of the estimated loads of its sessions. */
  load: number;
  sessions: Set<string>;
  jobs: FrameJob[];
  transfer: ArrayBuffer[];
  flushScheduled: boolean;
  pending: Map<number, FramePending | CallPending>;
  dead: boolean;
}

interface SessionEntry {
  id: string;
  slot: WorkerSlot | null;
  load: number;
  failed: EngineError | null;
  lastStats: SessionStats | null;
}

export class Engine extends EventEmitter<EngineEvents> {
  private readonly slots: WorkerSlot[] = [];
  private readonly inline: SessionHost | null;
  private inlineLoad = 0;
  private readonly entries = new Map<string, SessionEntry>();
  private readonly maxWorkerLoad: number;
  private readonly overrunLimit: number;
  private readonly onStats: ((stats: SessionStats) => void) | undefined;
  private nextRequestId = 1;
  private closing: Promise<void> | null = null;
  /** The classifier model's JSON, handed to the workers (null: none). */
  private readonly classifierModel: unknown;
  /** Why the classifier is not running, or null when it is. */
  readonly classifierError: string | null = null;
  private inlineClassifyScheduled = false;
  /** The inline engine's classification and analysis thread (options.backgroundThread), or null. */
  private readonly background: BackgroundThread | null = null;
  private readonly inlineFrameOverheadUs: number;
  /** Registered preset banks (JSON form), handed to every worker, including replacements. */
  private readonly presetBanks: Record<string, unknown> = {};

  constructor(options: EngineOptions = {}) {
    super();
    useSpecificWasmWrappers(); // before any session's kernels exist; workers share the process's V8 flags
    const workers = options.workers ?? defaultWorkerCount();
    if (!Number.isInteger(workers) || workers < 0 || workers > 1024) {
      throw new EngineError('INVALID_CONFIG', `workers must be an integer from 0 to 1024, got ${workers}`, 'workers');
    }
    this.maxWorkerLoad = options.maxWorkerLoad ?? 0.9;
    this.overrunLimit = options.overrunLimit ?? 50;
    this.inlineFrameOverheadUs = options.inlineFrameOverheadUs ?? 0;
    this.onStats = options.onStats;
    let model: NoiseModel | null = null;
    if (options.classifierModel !== null) {
      try {
        model = loadModelFile(options.classifierModel); // validated here, so a bad model never reaches a worker
      } catch (error) {
        model = null;
        this.classifierError = `noise classifier not loaded (the emergency detector still protects): ${(error as Error).message}`;
      }
    } else {
      this.classifierError = 'noise classifier disabled (classifierModel: null)';
    }
    this.classifierModel = model?.json ?? null;
    this.inline = workers === 0
      ? new SessionHost({ worker: null, overrunLimit: this.overrunLimit, classifier: model && new NoiseClassifier(model) })
      : null;
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn(i));
    if (this.inline && options.backgroundThread) {
      this.background = new BackgroundThread(this.classifierModel, (result) => {
        for (const event of this.inline!.applyBackground(result) ?? []) this.emit('noiseEvent', event);
      });
    }
  }

  /** Off-path jobs the background thread skipped because it was behind (0 without one). */
  get backgroundSkipped(): number {
    return this.background?.skipped ?? 0;
  }

  /** Sessions whose off-path work is with the background thread, not answered yet (0 without one). */
  get backgroundPending(): number {
    return this.background?.pending ?? 0;
  }

  /** Worker threads in the pool (0: inline). */
  get workerCount(): number {
    return this.slots.length;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  async createSession(config: SessionConfig, id: string = randomUUID()): Promise<SessionStats> {
    return this.place(id, config, (slot) =>
      slot ? this.call(slot, 'create', [id, config]) as Promise<SessionStats> : this.inline!.create(id, config));
  }

  /** Restores a session from snapshot() (possibly taken on another engine or node); it continues bit-identically. */
  async restoreSession(id: string, config: SessionConfig, snapshot: Uint8Array): Promise<SessionStats> {
    if (!(snapshot instanceof Uint8Array)) throw new EngineError('INVALID_SNAPSHOT', 'snapshot must be a Uint8Array');
    return this.place(id, config, (slot) =>
      slot ? this.call(slot, 'restore', [id, config, snapshot]) as Promise<SessionStats> : this.inline!.restore(id, config, snapshot));
  }

  /**
   * Anti-noise for a frame; null when the frame was dropped as late. Never waits on I/O. With `output` (frameSize
   * samples, e.g. a view into the caller's wire buffer), an inline engine writes the anti-noise there and the
   * result's antiNoise is `output`; a worker engine answers in a buffer of its own and ignores it.
   */
  processFrame(frame: AudioFrame, output?: Float32Array): Promise<AntiNoiseFrame | null> {
    try {
      const entry = this.liveEntry(frame?.sessionId);
      return entry.slot ? this.processOnWorker(entry, entry.slot, frame) : Promise.resolve(this.processHere(entry, frame, output));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The same for a session this thread runs (every session of an inline engine), answered before it returns: no
   * promise, no turn of the event loop. undefined: the session runs on a worker thread, use processFrame().
   * Throws EngineError.
   */
  processFrameNow(frame: AudioFrame, output?: Float32Array): AntiNoiseFrame | null | undefined {
    const entry = this.liveEntry(frame?.sessionId);
    return entry.slot ? undefined : this.processHere(entry, frame, output);
  }

  /** True when the session runs on this thread (every session of an inline engine): processFrameNow answers it. */
  runsOnThisThread(id: string): boolean {
    const entry = this.entries.get(id);
    return entry !== undefined && !entry.slot;
  }

  private processHere(entry: SessionEntry, frame: AudioFrame, output: Float32Array | undefined): AntiNoiseFrame | null {
    const started = performance.now();
    const host = this.inline!;
    const result = host.process(frame, output);
    if (host.statsDue) this.publish(entry, host.statsDue);
    if (host.eventsDue) for (const event of host.eventsDue) this.emit('noiseEvent', event);
    if (result) result.processingUs = (performance.now() - started) * 1000;
    this.scheduleInlineClassification();
    return result;
  }

  private processOnWorker(entry: SessionEntry, slot: WorkerSlot, frame: AudioFrame): Promise<AntiNoiseFrame | null> {
    const started = performance.now();
    const { reference, error } = frame;
    if (!(reference instanceof Float32Array) || !(error instanceof Float32Array)) {
      return Promise.reject(new EngineError('FORMAT_MISMATCH', 'reference and error must be Float32Arrays'));
    }
    const samples = new ArrayBuffer((2 * reference.length + error.length) * 4);
    const packed = new Float32Array(samples);
    packed.set(reference);
    packed.set(error, reference.length);
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, {
        kind: 'frame', resolve, reject, started, sessionId: entry.id, sequence: frame.sequence,
        captureTimestampUs: frame.captureTimestampUs, outputOffset: (reference.length + error.length) * 4,
      });
      slot.jobs.push({
        id, sessionId: entry.id, sequence: frame.sequence, captureTimestampUs: frame.captureTimestampUs,
        antiNoiseMissing: frame.antiNoiseMissing === true, referenceLength: reference.length, errorLength: error.length, samples,
      });
      slot.transfer.push(samples);
      if (!slot.flushScheduled) {
        slot.flushScheduled = true;
        setImmediate(() => this.flush(slot));
      }
    });
  }

  /**
   * Registers a control-filter preset bank (the JSON of presetBankToJson) under `id`, in every worker; sessions
   * created afterwards may name it in `presets`. A bad bank is refused with INVALID_CONFIG.
   */
  async registerPresetBank(id: string, json: unknown): Promise<void> {
    this.assertOpen();
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw new EngineError('INVALID_CONFIG', 'a preset bank id is a string of 1 to 256 characters', 'presets');
    try {
      presetBankFromJson(json);
    } catch (error) {
      throw new EngineError('INVALID_CONFIG', `preset bank ${JSON.stringify(id)}: ${(error as Error).message}`, 'presets');
    }
    this.presetBanks[id] = json;
    if (this.inline) this.inline.registerPresetBank(id, json);
    else await Promise.all(this.slots.map((slot) => this.call(slot, 'registerPresetBank', [id, json])));
  }

  /** Changes algorithm, stepSize, intensity or enabled while the session runs. */
  async updateSession(id: string, patch: SessionPatch): Promise<SessionStats> {
    return this.sessionCall(id, 'update', [id, patch], (host) => host.update(id, patch));
  }

  async getStats(id: string): Promise<SessionStats> {
    return this.sessionCall(id, 'stats', [id], (host) => host.stats(id));
  }

  /** Ends a session and returns its final stats. A failed session's last known stats are returned. */
  async endSession(id: string): Promise<SessionStats> {
    this.assertOpen();
    const entry = this.entries.get(id);
    if (!entry) throw new EngineError('UNKNOWN_SESSION', `no session ${JSON.stringify(id)}`);
    this.background?.forget(id);
    if (entry.failed) {
      this.forget(entry);
      return finalStats(entry, entry.failed.message);
    }
    const stats = entry.slot ? await this.call(entry.slot, 'end', [id]) as SessionStats : this.inline!.end(id);
    this.forget(entry);
    return stats;
  }

  /** The session's full state as a versioned snapshot (see restoreSession). */
  async snapshot(id: string): Promise<Uint8Array> {
    return this.sessionCall(id, 'snapshot', [id], (host) => host.snapshot(id));
  }

  /** Stats of every session (failed ones with phase 'ended' and their endReason). */
  async listSessions(): Promise<SessionStats[]> {
    this.assertOpen();
    const lists = this.inline ? [this.inline.list()] : await Promise.all(this.slots.map((slot) => this.call(slot, 'list', []) as Promise<SessionStats[]>));
    const out = lists.flat();
    for (const entry of this.entries.values()) if (entry.failed) out.push(finalStats(entry, entry.failed.message));
    return out;
  }

  /** Ends every session and terminates the workers. Safe to call more than once; later calls get the same promise. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const closedError = (): EngineError => new EngineError('ENGINE_CLOSED', 'the engine was closed');
    this.inline?.endAll();
    const terminations: Promise<unknown>[] = [];
    for (const slot of this.slots) {
      slot.dead = true;
      for (const pending of slot.pending.values()) pending.reject(closedError());
      slot.pending.clear();
      slot.jobs.length = 0;
      terminations.push(slot.worker.terminate());
    }
    if (this.background) terminations.push(this.background.close());
    this.entries.clear();
    this.closing = Promise.all(terminations).then(() => undefined);
    return this.closing;
  }

  // ---- internals ----

  private spawn(index: number): WorkerSlot {
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
      workerData: { index, overrunLimit: this.overrunLimit, classifierModel: this.classifierModel, presetBanks: this.presetBanks },
    });
    const slot: WorkerSlot = {
      index, worker, load: 0, sessions: new Set(), jobs: [], transfer: [], flushScheduled: false, pending: new Map(), dead: false,
    };
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (error) => this.onWorkerDeath(slot, `crashed: ${error.message}`));
    worker.on('exit', (code) => this.onWorkerDeath(slot, `exited with code ${code}`));
    return slot;
  }

  private async place(id: string, config: SessionConfig, create: (slot: WorkerSlot | null) => Promise<SessionStats> | SessionStats): Promise<SessionStats> {
    this.assertOpen();
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
      throw new EngineError('INVALID_CONFIG', 'sessionId must be a string of 1 to 256 characters', 'sessionId');
    }
    if (this.entries.has(id)) throw new EngineError('SESSION_EXISTS', `session ${JSON.stringify(id)} already exists`);
    const resolved = resolveConfig(config); // validates before any worker is involved
    const load = this.threadLoad(resolved);
    let slot: WorkerSlot | null = null;
    if (this.slots.length > 0) {
      for (const candidate of this.slots) if (!slot || candidate.load < slot.load) slot = candidate;
      if (slot!.load + load > this.maxWorkerLoad) {
        throw new EngineError('OVERLOADED', `no worker has room for a session of estimated load ${load.toFixed(3)} (least loaded: ${slot!.load.toFixed(3)}, limit ${this.maxWorkerLoad})`);
      }
    } else if (this.inlineLoad + load > this.maxWorkerLoad) {
      throw new EngineError('OVERLOADED', `the engine has no room for a session of estimated load ${load.toFixed(3)} (in use: ${this.inlineLoad.toFixed(3)}, limit ${this.maxWorkerLoad})`);
    }
    const entry: SessionEntry = { id, slot, load, failed: null, lastStats: null };
    this.entries.set(id, entry); // reserve the id while the worker creates the session
    if (slot) {
      slot.load += load;
      slot.sessions.add(id);
    } else {
      this.inlineLoad += load;
    }
    try {
      const stats = await create(slot);
      entry.lastStats = stats;
      return stats;
    } catch (error) {
      if (this.entries.get(id) === entry) this.forget(entry);
      throw error;
    }
  }

  /**
   * What a session adds to the thread it runs on: its frames (estimateLoad), its off-path work unless the background
   * thread takes that, and, inline, the calling thread's own work on its frames (inlineFrameOverheadUs).
   */
  private threadLoad(config: ResolvedConfig): number {
    let load = estimateLoad(config);
    if (!this.background) load += OFF_PATH_LOAD;
    if (this.inline) load += (this.inlineFrameOverheadUs * config.sampleRate) / config.frameSize / 1e6;
    return load;
  }

  private forget(entry: SessionEntry): void {
    if (this.entries.get(entry.id) === entry) this.entries.delete(entry.id);
    if (entry.slot) {
      if (entry.slot.sessions.delete(entry.id)) entry.slot.load -= entry.load;
    } else if (!entry.failed) {
      this.inlineLoad -= entry.load;
    }
  }

  private liveEntry(id: string): SessionEntry {
    this.assertOpen();
    const entry = this.entries.get(id);
    if (!entry) throw new EngineError('UNKNOWN_SESSION', `no session ${JSON.stringify(id)}`);
    if (entry.failed) throw entry.failed;
    return entry;
  }

  private async sessionCall<T>(id: string, method: HostMethod, args: unknown[], inline: (host: SessionHost) => T): Promise<T> {
    const entry = this.liveEntry(id);
    const value = entry.slot ? await this.call(entry.slot, method, args) as T : inline(this.inline!);
    if (isStats(value)) entry.lastStats = value;
    return value;
  }

  private call(slot: WorkerSlot, method: HostMethod, args: unknown[]): Promise<unknown> {
    if (slot.dead) return Promise.reject(new EngineError('SESSION_FAILED', `worker ${slot.index} is gone`));
    this.flush(slot); // frames submitted before this call are processed before it
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { kind: 'call', resolve, reject });
      this.post(slot, { t: 'call', id, method, args }, []);
    });
  }

  private flush(slot: WorkerSlot): void {
    slot.flushScheduled = false;
    if (slot.jobs.length === 0 || slot.dead) return;
    const jobs = slot.jobs;
    const transfer = slot.transfer;
    slot.jobs = [];
    slot.transfer = [];
    this.post(slot, { t: 'frames', jobs }, transfer);
  }

  private post(slot: WorkerSlot, message: ToWorker, transfer: ArrayBuffer[]): void {
    slot.worker.postMessage(message, transfer);
  }

  private onMessage(slot: WorkerSlot, message: FromWorker): void {
    if (message.t === 'reply') {
      const pending = slot.pending.get(message.id);
      if (!pending || pending.kind !== 'call') return;
      slot.pending.delete(message.id);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(deserializeError(message.error));
      return;
    }
    if (message.t === 'noise') {
      for (const event of message.events) this.emit('noiseEvent', event);
      return;
    }
    const now = performance.now();
    for (const result of message.results) {
      const pending = slot.pending.get(result.id);
      if (!pending || pending.kind !== 'frame') continue;
      slot.pending.delete(result.id);
      const entry = this.entries.get(pending.sessionId);
      if (result.stats && entry) this.publish(entry, result.stats);
      if (result.events) for (const event of result.events) this.emit('noiseEvent', event);
      if (!result.ok) {
        pending.reject(deserializeError(result.error as SerializedEngineError));
      } else if (!result.samples) {
        pending.resolve(null);
      } else {
        pending.resolve({
          sessionId: pending.sessionId,
          sequence: pending.sequence,
          captureTimestampUs: pending.captureTimestampUs,
          antiNoise: new Float32Array(result.samples, pending.outputOffset, result.length),
          processingUs: (now - pending.started) * 1000,
          computeUs: result.computeUs,
          phase: result.phase,
          nrDb: result.nrDb,
          noiseType: result.noiseType,
          emergencyBypass: result.emergencyBypass,
        });
      }
    }
  }

  /**
   * Inline engine: classification after the current frames, one session per turn, like a worker does — or, with the
   * background thread, one due session's windows handed to it per turn.
   */
  private scheduleInlineClassification(): void {
    if (this.inlineClassifyScheduled || !this.inline!.classificationPending) return;
    this.inlineClassifyScheduled = true;
    const background = this.background;
    const classifyNext = (): void => {
      let done: boolean;
      if (background) {
        const work = this.closing ? null : this.inline!.takeNextWork();
        if (work) background.submit(work);
        done = work === null;
      } else {
        const events = this.closing ? null : this.inline!.classifyNext();
        if (events) for (const event of events) this.emit('noiseEvent', event);
        done = events === null;
      }
      if (done) this.inlineClassifyScheduled = false;
      else setImmediate(classifyNext);
    };
    setImmediate(classifyNext);
  }

  private publish(entry: SessionEntry, stats: SessionStats): void {
    entry.lastStats = stats;
    this.emit('stats', stats);
    this.onStats?.(stats);
  }

  private onWorkerDeath(slot: WorkerSlot, reason: string): void {
    if (slot.dead) return;
    slot.dead = true;
    const message = `worker ${slot.index} ${reason}`;
    for (const pending of slot.pending.values()) pending.reject(new EngineError('SESSION_FAILED', `${message}; the request was lost`));
    slot.pending.clear();
    for (const id of slot.sessions) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      entry.failed = new EngineError('SESSION_FAILED', `session ${id} failed: ${message}`);
      entry.slot = null;
      this.emit('sessionFailed', { sessionId: id, error: entry.failed });
    }
    slot.sessions.clear();
    if (this.closing) return;
    slot.worker.removeAllListeners('message');
    void slot.worker.terminate();
    this.slots[slot.index] = this.spawn(slot.index);
    this.emit('workerReplaced', { worker: slot.index, reason });
  }

  private assertOpen(): void {
    if (this.closing) throw new EngineError('ENGINE_CLOSED', 'the engine was closed');
  }

  /** Test hook: makes a worker throw an uncaught error. */
  crashWorkerForTesting(index: number, message = 'simulated crash'): void {
    const slot = this.slots[index];
    if (!slot) throw new RangeError(`no worker ${index}`);
    this.post(slot, { t: 'crash', message }, []);
  }

  /** Test hook: makes the background thread throw an uncaught error. */
  crashBackgroundForTesting(): void {
    if (!this.background) throw new RangeError('this engine has no background thread');
    this.background.crashForTesting();
  }
}

function finalStats(entry: SessionEntry, reason: string): SessionStats {
  const base = entry.lastStats;
  if (!base) throw entry.failed ?? new EngineError('UNKNOWN_SESSION', `no stats for ${entry.id}`);
  return { ...base, phase: 'ended', endReason: reason };
}

function isStats(value: unknown): value is SessionStats {
  return typeof value === 'object' && value !== null && 'framesProcessed' in value && 'sessionId' in value;
}
