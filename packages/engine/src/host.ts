/**
 * The sessions of one thread (a worker, or the calling thread when the engine runs without workers). Shared by the
 * worker port and the inline engine so both behave the same. Errors come out as EngineError; an unexpected error
 * inside one session's processing fails that session only.
 */
import type { BackgroundResult, BackgroundWork } from './background.js';
import { EngineError } from './errors.js';
import { presetBankFromJson, type PresetBank } from '@antiphase/intelligence';
import type { NoiseEvent } from './noise-monitor.js';
import { Session, type SessionOptions } from './session.js';
import type { AntiNoiseFrame, AudioFrame, SessionConfig, SessionPatch, SessionStats } from './types.js';

export class SessionHost {
  private readonly sessions = new Map<string, Session>();
  /**
   * Sessions with off-path work due — a classification, or the analysis of a captured window — in the order they
   * fell due (kept per frame: no scan of every session).
   */
  private readonly classificationsDue = new Set<Session>();
  private readonly presetBanks = new Map<string, PresetBank>();
  private readonly options: SessionOptions;

  constructor(options: SessionOptions = {}, banks: Record<string, unknown> = {}) {
    this.options = { ...options, presetBanks: this.presetBanks };
    for (const [id, json] of Object.entries(banks)) this.registerPresetBank(id, json);
  }

  /** Adds or replaces a preset bank (its JSON form); sessions created later may name it in `presets`. */
  registerPresetBank(id: string, json: unknown): void {
    this.presetBanks.set(id, presetBankFromJson(json));
  }

  create(id: string, config: SessionConfig): SessionStats {
    this.assertFree(id);
    const session = new Session(id, config, this.options);
    this.sessions.set(id, session);
    return session.stats();
  }

  restore(id: string, config: SessionConfig, snapshot: Uint8Array): SessionStats {
    this.assertFree(id);
    const session = Session.fromSnapshot(id, config, snapshot, this.options);
    this.sessions.set(id, session);
    return session.stats();
  }

  /** Set by process(): the session's stats once per second of audio (for the engine's stats events), else null. */
  statsDue: SessionStats | null = null;
  /** Set by process(): the noise events of a frame that started or ended an emergency bypass, else null. */
  eventsDue: NoiseEvent[] | null = null;

  /** Processes a frame (see statsDue and eventsDue); nothing is allocated beyond the session's answer. */
  process(frame: AudioFrame, output?: Float32Array): AntiNoiseFrame | null {
    this.statsDue = null;
    this.eventsDue = null;
    const session = this.get(frame.sessionId);
    let result: AntiNoiseFrame | null;
    try {
      result = session.processFrame(frame, output);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      // A bug or a controller failure: this session is unusable, the others carry on.
      const message = `processing failed: ${(error as Error)?.message ?? String(error)}`;
      session.end(message, 'SESSION_FAILED');
      throw new EngineError('SESSION_FAILED', `session ${frame.sessionId} ${message}`);
    }
    if (session.classificationDue || session.analysisDue) this.classificationsDue.add(session);
    this.statsDue = session.takeStatsDue() || session.phase === 'ended' ? session.stats() : null;
    this.eventsDue = session.takeNoiseEvents();
    return result;
  }

  /**
   * True when some session has a classification or an analysis due: call classifyNext() once the current frames
   * are answered.
   */
  get classificationPending(): boolean {
    return this.classificationsDue.size > 0;
  }

  /**
   * Classifies one session whose second of audio is due (off the audio path, about a millisecond) and runs its
   * analysis if a window is due (a few ms: spectra, octave bands, causality margin); returns the events it caused,
   * null when no session had work due. One at a time, so that the caller can answer frames in between: sessions
   * created together fall due together, and classifying a worker's fifty sessions in one go would hold its frames
   * up by tens of milliseconds once a second.
   */
  classifyNext(): NoiseEvent[] | null {
    for (const session of this.classificationsDue) {
      this.classificationsDue.delete(session);
      const classify = session.classificationDue;
      const analyse = session.analysisDue;
      if (!classify && !analyse) continue; // ended meanwhile
      if (analyse) session.analyse();
      if (!classify) return [];
      session.classifyNoise();
      return session.takeNoiseEvents() ?? [];
    }
    return null;
  }

  /**
   * The background thread's variant of classifyNext(): the windows of one session with work due, copied out for
   * background.ts (the outcome comes back through applyBackground()); null when no session has work due. One per
   * call, so that sessions falling due together do not copy all their windows in one turn.
   */
  takeNextWork(): BackgroundWork | null {
    for (const session of this.classificationsDue) {
      this.classificationsDue.delete(session);
      const classify = session.classificationDue ? session.takeClassificationWindow() : null;
      const analysis = session.analysisDue ? { options: session.analyserOptions, window: session.takeAnalysisWindow() } : null;
      if (classify || analysis) return { sessionId: session.id, sampleRate: session.format.sampleRate, classify, analysis };
    }
    return null;
  }

  /** Applies what the background thread found for a session; returns the events it caused (null: none, or the session is gone). */
  applyBackground(result: BackgroundResult): NoiseEvent[] | null {
    const session = this.sessions.get(result.sessionId);
    if (!session) return null;
    if (result.analysis) session.applyAnalysis(result.analysis);
    if (result.classification) session.applyClassification(result.classification);
    return session.takeNoiseEvents();
  }

  update(id: string, patch: SessionPatch): SessionStats {
    const session = this.get(id);
    session.update(patch);
    return session.stats();
  }

  stats(id: string): SessionStats {
    return this.get(id).stats();
  }

  end(id: string): SessionStats {
    const session = this.get(id);
    session.end();
    this.sessions.delete(id);
    this.classificationsDue.delete(session);
    return session.stats();
  }

  snapshot(id: string): Uint8Array {
    return this.get(id).snapshot();
  }

  list(): SessionStats[] {
    return [...this.sessions.values()].map((s) => s.stats());
  }

  endAll(): void {
    for (const session of this.sessions.values()) session.end('engine closed');
    this.sessions.clear();
    this.classificationsDue.clear();
  }

  private get(id: string): Session {
    const session = this.sessions.get(id);
    if (!session) throw new EngineError('UNKNOWN_SESSION', `no session ${JSON.stringify(id)}`);
    return session;
  }

  private assertFree(id: string): void {
    if (this.sessions.has(id)) throw new EngineError('SESSION_EXISTS', `session ${JSON.stringify(id)} already exists`);
  }
}
