/**
 * The session config as the service takes it (POST /api/v1/sessions, hello {config}, AudioChunk.config_json).
 * The engine's SessionConfig (packages/engine/src/types.ts) is the source of truth; this copy keeps the client free
 * of the engine (which needs Node worker threads) so that browsers can import it.
 */
export interface SessionConfig {
  /** Hz, 8000…48000. */
  sampleRate: number;
  /** Samples per channel per frame, 16…4096. */
  frameSize: number;
  /** PCM on the wire (default 'float32'). */
  sampleFormat?: 'float32' | 'int16';
  /** fxlms | fxnlms | fxrls | fdfxlms | pbfxlms (default fxnlms). */
  algorithm?: string;
  /** Control filter length, taps (default 256). */
  taps?: number;
  stepSize?: number;
  blockSize?: number;
  /**
   * The client's playout schedule: the anti-noise answering frame k plays during the capture of frame
   * k + playoutDelayFrames, or silence if it has not arrived by then (send that frame with antiNoiseMissing).
   * Integer 1…32 (default 2). The server relies on it: declare the schedule the client really runs.
   */
  playoutDelayFrames?: number;
  /** Known Ŝ, taps at sampleRate (playout delay included); skips identification. */
  secondaryPathEstimate?: number[];
  /** Initial control filter W, `taps` values at sampleRate (warm start; a tiny stepSize keeps it practically fixed). */
  controlFilter?: number[];
  /**
   * Online identification of Ŝ before control: duration s, probe RMS (full scale 1), and Ŝ's length in taps,
   * playout delay included (default playoutDelayFrames·frameSize + 256; the delay's taps are known zeros, the rest
   * — at least 16 — are identified).
   */
  identification?: { durationS?: number; level?: number; taps?: number };
  /** 0…1 (default 1). */
  intensity?: number;
  enabled?: boolean;
  /** Frames older than this relative to the newest capture time are dropped as late, ms (default 100). */
  maxLatencyMs?: number;
  /** Emergency bypass: anti-noise off while an alarm or siren sounds, plus bypassHoldS (default true). */
  emergencyBypass?: boolean;
  /** Seconds the anti-noise stays off after the emergency sound was last heard (default 2). */
  bypassHoldS?: number;
  /**
   * Id of a preset bank (POST /api/v1/presets) trained for this device's paths: the controller warm-starts from
   * the filter of the noise class the classifier picks and switches when the noise type changes (hybrid SFANC).
   */
  presets?: string;
}

/** The changeable subset (PATCH /api/v1/sessions/:id). */
export type SessionPatch = Partial<Pick<SessionConfig, 'algorithm' | 'stepSize' | 'intensity' | 'enabled'>>;
