/**
 * Sessions as the server sees them: an engine session plus its owner, the transport that created it, its durable
 * record and its metrics. Every transport goes through this service (the engine port is Engine's public API);
 * ownership is checked once when a transport attaches, so the per-frame path (processFrame) does no lookups beyond
 * the engine's own and never touches the database.
 *
 * Off the hot path: the engine's per-second stats events update an in-memory table; every metricsIntervalSeconds
 * a timer appends one session_metrics row per session that processed audio since the last sample.
 */
import type { Engine, SessionConfig, SessionPatch, SessionStats, AudioFrame, AntiNoiseFrame, NoiseEvent } from '@antiphase/engine';
import { EngineError } from '@antiphase/engine';
import { ApiError } from './errors.js';
import type { Principal } from './auth/service.js';
import type { ServerMetrics } from './metrics.js';
import type { SessionMetricRecord, SessionRecord, SessionTransport, Store } from './store/types.js';

export interface LiveSession {
  id: string;
  userId: string;
  transport: SessionTransport;
  createdAt: string;
  /** The negotiated format, for the transports' per-frame checks. */
  sampleRate: number;
  frameSize: number;
  sampleFormat: 'float32' | 'int16';
  /** Frames the transports dropped before they reached the engine (full connection queue). */
  dropped: number;
  /** Set once the session is being ended: transports stop submitting frames. */
  ending: boolean;
  /** The transport's way to tell its client about a noise event (an event frame), set while it is attached. */
  onNoiseEvent: ((event: ClientNoiseEvent) => void) | null;
  noiseType: string | null;
  bypassed: boolean;
}

/** A noise event as clients, the webhook and the REST API see it. */
export interface ClientNoiseEvent {
  sessionId: string;
  type: NoiseEvent['type'];
  /** Session audio time, seconds. */
  atS: number;
  /** Server wall-clock time, ISO 8601. */
  t: string;
  detail: Record<string, unknown>;
}

export interface SessionView {
  id: string;
  userId: string;
  transport: SessionTransport;
  phase: string;
  live: boolean;
  createdAt: string;
  endedAt: string | null;
  config: unknown;
  /** Live stats from the engine, or the stored final stats. */
  stats: SessionStats | null;
  /** Frames dropped by the transport's bounded queue (live sessions only). */
  transportDropped: number;
}

const WEBHOOK_TIMEOUT_MS = 2000;

/** The per-frame metrics' label sets, built once (not one object per frame). */
type TransportLabels = { transport: SessionTransport };
const TRANSPORT_LABELS: Record<SessionTransport, TransportLabels> = {
  rest: { transport: 'rest' }, ws: { transport: 'ws' }, grpc: { transport: 'grpc' }, webrtc: { transport: 'webrtc' },
};

const PATCH_KEYS = new Set(['algorithm', 'stepSize', 'intensity', 'enabled']);

interface StatsCursor {
  latest: SessionStats;
  sampledFrames: number;
  lostSeen: number;
}

export class SessionService {
  private readonly live = new Map<string, LiveSession>();
  private readonly cursors = new Map<string, StatsCursor>();
  /**
   * Sessions being ended, until their final stats are stored: a read waits for them instead of seeing an ended
   * session without stats, and a second end (a DELETE while the stream closes) gets the same stats.
   */
  private readonly finishing = new Map<string, Promise<SessionStats>>();
  private readonly timer: NodeJS.Timeout;
  private readonly noiseListeners = new Set<(event: ClientNoiseEvent, userId: string) => void>();
  private closing: Promise<void> | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly store: Store,
    private readonly metrics: ServerMetrics,
    private readonly options: { maxSessions: number; metricsIntervalSeconds: number; webhookUrl?: string },
  ) {
    engine.on('stats', this.onStats);
    engine.on('sessionFailed', this.onSessionFailed);
    engine.on('noiseEvent', this.onNoiseEvent);
    this.timer = setInterval(() => void this.sampleMetrics().catch(() => undefined), options.metricsIntervalSeconds * 1000);
    this.timer.unref();
  }

  get liveCount(): number {
    return this.live.size;
  }

  async create(principal: Principal, config: unknown, transport: SessionTransport): Promise<{ session: LiveSession; stats: SessionStats }> {
    this.assertOpen();
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new ApiError('INVALID_CONFIG', 'config must be a JSON object (SessionConfig: sampleRate, frameSize, …)');
    }
    const presets = (config as { presets?: unknown }).presets;
    if (typeof presets === 'string') {
      const bank = await this.store.presetBankById(presets);
      if (!bank || (bank.userId !== principal.userId && principal.role !== 'admin')) {
        throw new ApiError('INVALID_CONFIG', `presets: you have no preset bank ${JSON.stringify(presets)} (POST /api/v1/presets)`);
      }
    }
    if (this.live.size >= this.options.maxSessions) {
      throw new ApiError('OVERLOADED', `the server runs its maximum of ${this.options.maxSessions} sessions (ANTIPHASE_MAX_SESSIONS)`);
    }
    const stats = await this.engine.createSession(config as SessionConfig);
    const resolved = stats.config;
    const session: LiveSession = {
      id: stats.sessionId, userId: principal.userId, transport, createdAt: stats.createdAt,
      sampleRate: resolved.sampleRate, frameSize: resolved.frameSize, sampleFormat: resolved.sampleFormat ?? 'float32',
      dropped: 0, ending: false, onNoiseEvent: null, noiseType: null, bypassed: false,
    };
    this.live.set(session.id, session);
    this.metrics.activeSessions.inc({ transport });
    try {
      await this.store.createSession({
        id: session.id, userId: principal.userId, config: resolved, phase: stats.phase === 'ended' ? 'ended' : stats.phase,
        transport, createdAt: stats.createdAt,
      });
    } catch (error) {
      await this.finish(session.id, 'could not be stored').catch(() => undefined);
      throw error;
    }
    return { session, stats };
  }

  /** The live session if `principal` may use it; NOT_FOUND otherwise (never reveals another user's session). */
  attach(principal: Principal, id: unknown): LiveSession {
    const session = typeof id === 'string' ? this.live.get(id) : undefined;
    if (!session || session.userId !== principal.userId || session.ending) throw new ApiError('NOT_FOUND', `no live session ${JSON.stringify(id)} for this user`);
    return session;
  }

  private async owned(principal: Principal, id: string): Promise<SessionRecord> {
    const record = await this.store.sessionById(id);
    if (!record || (record.userId !== principal.userId && principal.role !== 'admin')) throw new ApiError('NOT_FOUND', `no session ${JSON.stringify(id)}`);
    return record;
  }

  async get(principal: Principal, id: string): Promise<SessionView> {
    await this.finishing.get(id)?.catch(() => undefined);
    const record = await this.owned(principal, id);
    const live = this.live.get(id);
    let stats: SessionStats | null = (record.finalStats as SessionStats | null) ?? null;
    if (live && !live.ending) {
      try {
        stats = await this.engine.getStats(id);
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        stats = this.cursors.get(id)?.latest ?? stats;
      }
    }
    return this.view(record, stats, live);
  }

  async list(principal: Principal, all: boolean, limit: number): Promise<SessionView[]> {
    if (all && principal.role !== 'admin') throw new ApiError('FORBIDDEN', 'all=true is for admins');
    const records = await this.store.listSessions(all ? undefined : principal.userId, limit);
    return records.map((r) => this.view(r, this.cursors.get(r.id)?.latest ?? (r.finalStats as SessionStats | null) ?? null, this.live.get(r.id)));
  }

  /**
   * Live sessions `principal` may watch (admins: everyone's) with the engine's latest per-second stats, from memory:
   * no engine round trip and no database query, so the dashboard stream can call it every second for free.
   */
  liveSummaries(principal: Principal): { session: LiveSession; stats: SessionStats | null }[] {
    const out: { session: LiveSession; stats: SessionStats | null }[] = [];
    for (const session of this.live.values()) {
      if (session.ending || (session.userId !== principal.userId && principal.role !== 'admin')) continue;
      out.push({ session, stats: this.cursors.get(session.id)?.latest ?? null });
    }
    return out;
  }

  /** Every noise event of every live session, with its owner (the dashboard stream filters); returns unsubscribe. */
  subscribeNoiseEvents(listener: (event: ClientNoiseEvent, userId: string) => void): () => void {
    this.noiseListeners.add(listener);
    return () => this.noiseListeners.delete(listener);
  }

  private view(record: SessionRecord, stats: SessionStats | null, live: LiveSession | undefined): SessionView {
    const isLive = live !== undefined && !live.ending;
    return {
      id: record.id, userId: record.userId, transport: record.transport,
      phase: isLive && stats ? stats.phase : record.phase, live: isLive, createdAt: record.createdAt, endedAt: record.endedAt,
      config: stats?.config ?? record.config, stats, transportDropped: live?.dropped ?? 0,
    };
  }

  async update(principal: Principal, id: string, patch: unknown): Promise<SessionStats> {
    await this.owned(principal, id);
    const live = this.live.get(id);
    if (!live || live.ending) throw new ApiError('SESSION_ENDED', `session ${id} has ended`);
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new ApiError('INVALID_CONFIG', 'the patch must be a JSON object');
    for (const key of Object.keys(patch)) {
      if (!PATCH_KEYS.has(key)) throw new ApiError('INVALID_CONFIG', `${key} cannot change while a session runs (changeable: ${[...PATCH_KEYS].join(', ')})`);
    }
    const stats = await this.engine.updateSession(id, patch as SessionPatch);
    await this.store.updateSession(id, { config: stats.config, phase: stats.phase === 'ended' ? 'ended' : stats.phase });
    return stats;
  }

  /** Ends a session (REST DELETE); returns the final stats, which are stored. */
  async end(principal: Principal, id: string): Promise<SessionStats> {
    const record = await this.owned(principal, id);
    if (!this.live.has(id)) {
      if (record.finalStats) return record.finalStats as SessionStats;
      throw new ApiError('SESSION_ENDED', `session ${id} has ended (${record.phase})`);
    }
    return this.finish(id, 'ended by request');
  }

  /** Ends a live session, whoever asks (transport closing, shutdown, failure), and stores its final stats. */
  finish(id: string, reason: string): Promise<SessionStats> {
    let finishing = this.finishing.get(id);
    if (!finishing) {
      finishing = this.endLive(id, reason).finally(() => this.finishing.delete(id));
      this.finishing.set(id, finishing);
    }
    return finishing;
  }

  private async endLive(id: string, reason: string): Promise<SessionStats> {
    const live = this.live.get(id);
    if (!live) throw new ApiError('NOT_FOUND', `no live session ${id}`);
    live.ending = true;
    let stats: SessionStats;
    try {
      stats = await this.engine.endSession(id);
    } catch {
      const last = this.cursors.get(id)?.latest;
      stats = last ? { ...last, phase: 'ended', endReason: reason } : ({ sessionId: id, phase: 'ended', endReason: reason } as SessionStats);
    }
    if (stats.endReason === null || stats.endReason === 'ended by request') stats = { ...stats, endReason: reason };
    this.live.delete(id);
    this.metrics.activeSessions.dec({ transport: live.transport });
    if (live.noiseType !== null) this.metrics.sessionsByNoiseType.dec({ noise_type: live.noiseType });
    if (live.bypassed) this.metrics.sessionsBypassed.dec();
    const cursor = this.cursors.get(id);
    if (cursor && stats.framesProcessed !== undefined) {
      await this.store.appendSessionMetrics([metricRow(id, stats)]).catch(() => undefined);
    }
    this.cursors.delete(id);
    await this.store.endSession(id, new Date().toISOString(), stats);
    return stats;
  }

  /**
   * The hot path: one frame through the engine, timed from `receivedAt` (performance.now() when the transport got
   * the bytes) to now, and counted by transport. null: the engine dropped it as late.
   */
  processFrame(
    session: LiveSession, frame: AudioFrame, transport: SessionTransport, receivedAt: number, output?: Float32Array,
  ): Promise<AntiNoiseFrame | null> {
    let now;
    try {
      now = this.processFrameNow(session, frame, transport, receivedAt, output);
    } catch (error) {
      return Promise.reject(error);
    }
    if (now !== undefined) return Promise.resolve(now);
    const labels = TRANSPORT_LABELS[transport];
    return this.engine.processFrame(frame, output).then(
      (result) => this.answered(labels, receivedAt, result),
      (error: unknown) => { throw this.failed(session, labels, error); },
    );
  }

  /** True when the engine runs the session on this thread: processFrameNow answers its frames. */
  answersNow(session: LiveSession): boolean {
    return this.engine.runsOnThisThread(session.id);
  }

  /**
   * processFrame for a session the engine runs on this thread, answered before it returns (no promise, no turn of
   * the event loop); undefined when it runs on a worker thread (use processFrame). Throws what processFrame rejects.
   */
  processFrameNow(
    session: LiveSession, frame: AudioFrame, transport: SessionTransport, receivedAt: number, output?: Float32Array,
  ): AntiNoiseFrame | null | undefined {
    const labels = TRANSPORT_LABELS[transport];
    let result;
    try {
      result = this.engine.processFrameNow(frame, output);
    } catch (error) {
      throw this.failed(session, labels, error);
    }
    return result === undefined ? undefined : this.answered(labels, receivedAt, result);
  }

  private answered(labels: TransportLabels, receivedAt: number, result: AntiNoiseFrame | null): AntiNoiseFrame | null {
    if (result === null) {
      this.metrics.framesLate.inc(labels);
      return null;
    }
    result.processingUs = (performance.now() - receivedAt) * 1000;
    this.metrics.frames.inc(labels);
    this.metrics.frameLatency.observe(labels, result.processingUs / 1e6);
    return result;
  }

  /** The engine refused a frame: counted, and a session that ended itself (overrun) or failed is stored. */
  private failed(session: LiveSession, labels: TransportLabels, error: unknown): unknown {
    if (error instanceof EngineError) {
      if (error.code === 'FORMAT_MISMATCH' || error.code === 'INVALID_AUDIO') this.metrics.framesInvalid.inc(labels);
      if ((error.code === 'SESSION_ENDED' || error.code === 'OVERLOADED' || error.code === 'SESSION_FAILED') && !session.ending) {
        void this.finish(session.id, error.message).catch(() => undefined);
      }
    }
    return error;
  }

  /** A frame the transport rejected before the engine saw it (malformed, NaN, wrong format). */
  countInvalid(transport: SessionTransport): void {
    this.metrics.framesInvalid.inc({ transport });
  }

  /** A frame the transport dropped from its full queue. */
  countDropped(session: LiveSession | undefined, transport: SessionTransport): void {
    if (session) session.dropped++;
    this.metrics.framesLate.inc({ transport });
  }

  private readonly onStats = (stats: SessionStats): void => {
    const live = this.live.get(stats.sessionId);
    if (!live) return;
    const cursor = this.cursors.get(stats.sessionId);
    const lostBefore = cursor?.lostSeen ?? 0;
    if (stats.framesLost > lostBefore) this.metrics.framesLost.inc({ transport: live.transport }, stats.framesLost - lostBefore);
    if (cursor && cursor.latest.phase !== stats.phase && stats.phase !== 'ended') {
      void this.store.updateSession(stats.sessionId, { phase: stats.phase }).catch(() => undefined);
    }
    this.cursors.set(stats.sessionId, { latest: stats, sampledFrames: cursor?.sampledFrames ?? 0, lostSeen: stats.framesLost });
  };

  /** Stored, counted, pushed to the session's transport and POSTed to the webhook; never on the frame path. */
  private readonly onNoiseEvent = (event: NoiseEvent): void => {
    const live = this.live.get(event.sessionId);
    if (!live) return;
    const out: ClientNoiseEvent = { sessionId: event.sessionId, type: event.type, atS: event.atS, t: new Date().toISOString(), detail: event.detail };
    this.metrics.noiseEvents.inc({ type: event.type });
    if (event.type === 'noise-type') {
      const label = typeof event.detail.label === 'string' ? event.detail.label : null;
      if (live.noiseType !== null) this.metrics.sessionsByNoiseType.dec({ noise_type: live.noiseType });
      if (label !== null) this.metrics.sessionsByNoiseType.inc({ noise_type: label });
      live.noiseType = label;
    } else if ((event.type === 'bypass-on') !== live.bypassed) {
      live.bypassed = event.type === 'bypass-on';
      this.metrics.sessionsBypassed.inc(live.bypassed ? 1 : -1);
    }
    void this.store.appendNoiseEvent({ sessionId: out.sessionId, t: out.t, type: out.type, detail: { atS: out.atS, ...out.detail } }).catch(() => undefined);
    live.onNoiseEvent?.(out);
    for (const listener of this.noiseListeners) listener(out, live.userId);
    if (this.options.webhookUrl) void this.postWebhook(this.options.webhookUrl, { ...out, userId: live.userId });
  };

  private async postWebhook(url: string, body: ClientNoiseEvent & { userId: string }): Promise<void> {
    try {
      const response = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (!response.ok) this.metrics.webhookFailures.inc();
    } catch {
      this.metrics.webhookFailures.inc();
    }
  }

  /** Stored noise events of a session the principal may see, oldest first. */
  async noiseEvents(principal: Principal, id: string, limit: number): Promise<ClientNoiseEvent[]> {
    await this.owned(principal, id);
    const records = await this.store.noiseEvents(id, limit);
    return records.map((r) => {
      const { atS, ...detail } = (r.detail ?? {}) as Record<string, unknown>;
      return { sessionId: r.sessionId, type: r.type as NoiseEvent['type'], atS: typeof atS === 'number' ? atS : 0, t: r.t, detail };
    });
  }

  private readonly onSessionFailed = ({ sessionId, error }: { sessionId: string; error: EngineError }): void => {
    if (this.live.has(sessionId)) void this.finish(sessionId, error.message).catch(() => undefined);
  };

  /** Appends one metrics row per session that processed frames since the last sample. */
  async sampleMetrics(): Promise<number> {
    const rows: SessionMetricRecord[] = [];
    for (const [id, cursor] of this.cursors) {
      if (!this.live.has(id) || cursor.latest.framesProcessed === cursor.sampledFrames) continue;
      cursor.sampledFrames = cursor.latest.framesProcessed;
      rows.push(metricRow(id, cursor.latest));
    }
    await this.store.appendSessionMetrics(rows);
    return rows.length;
  }

  /** Ends every live session (stored with reason 'server shutdown'). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await this.sampleMetrics().catch(() => undefined);
      await Promise.all([...this.live.keys()].map((id) => this.finish(id, 'server shutdown').catch(() => undefined)));
      this.engine.off('stats', this.onStats);
      this.engine.off('sessionFailed', this.onSessionFailed);
      this.engine.off('noiseEvent', this.onNoiseEvent);
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new ApiError('OVERLOADED', 'the server is shutting down');
  }
}

function metricRow(id: string, s: SessionStats): SessionMetricRecord {
  return {
    sessionId: id, t: new Date().toISOString(), nrDb: finite(s.nrDb), frames: s.framesProcessed, late: s.framesLate, lost: s.framesLost,
    processingUsP50: finite(s.processingUsP50), processingUsP99: finite(s.processingUsP99),
  };
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}
