/** JSON schemas shared by the routes (and published in /openapi.json). */
export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, email: { type: 'string' }, role: { type: 'string', enum: ['user', 'admin'] }, createdAt: { type: 'string' },
  },
} as const;

export const apiKeySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, prefix: { type: 'string' }, createdAt: { type: 'string' },
    revokedAt: { type: 'string', nullable: true },
  },
} as const;

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 256 } } } as const;

/** SessionConfig (packages/engine/src/types.ts); the engine validates it and names the bad field. */
export const sessionConfigSchema = {
  type: 'object',
  required: ['sampleRate', 'frameSize'],
  properties: {
    sampleRate: { type: 'integer', description: 'Hz, 8000…48000' },
    frameSize: { type: 'integer', description: 'samples per channel per frame, 16…4096' },
    sampleFormat: { type: 'string', enum: ['float32', 'int16'] },
    algorithm: { type: 'string', enum: ['fxlms', 'fxnlms', 'fxrls', 'fdfxlms', 'pbfxlms'] },
    taps: { type: 'integer' },
    stepSize: { type: 'number' },
    blockSize: { type: 'integer' },
    secondaryPathEstimate: { type: 'array', items: { type: 'number' } },
    controlFilter: { type: 'array', items: { type: 'number' }, description: 'initial control filter W, `taps` values (warm start; a tiny stepSize keeps it fixed)' },
    identification: {
      type: 'object',
      properties: { durationS: { type: 'number' }, level: { type: 'number' }, taps: { type: 'integer' } },
    },
    intensity: { type: 'number', minimum: 0, maximum: 1 },
    enabled: { type: 'boolean' },
    maxLatencyMs: { type: 'number' },
    playoutDelayFrames: { type: 'integer', minimum: 1, maximum: 32, description: "frames between a capture and the slot its anti-noise plays in (the client's playout schedule)" },
    emergencyBypass: { type: 'boolean', description: 'anti-noise off while an alarm or siren sounds (default true)' },
    bypassHoldS: { type: 'number', minimum: 0, maximum: 60, description: 'seconds the bypass holds after the sound was last heard (default 2)' },
    presets: { type: 'string', description: 'id of one of your preset banks (POST /api/v1/presets): hybrid SFANC-FxNLMS warm start' },
  },
} as const;

export const sessionPatchSchema = {
  type: 'object',
  properties: {
    algorithm: sessionConfigSchema.properties.algorithm,
    stepSize: { type: 'number' },
    intensity: { type: 'number', minimum: 0, maximum: 1 },
    enabled: { type: 'boolean' },
  },
} as const;

const nullableNumber = { type: 'number', nullable: true } as const;

/** SessionStats.analysis (packages/engine/src/types.ts SessionAnalysis): what the engine measures of d̂ = e − Ŝ*p and e. */
export const sessionAnalysisSchema = {
  type: 'object',
  nullable: true,
  description: 'Spectra and octave bands of the disturbance rebuilt by the internal model (d̂ = e − Ŝ*p) and of the error e over one window of about a second, and the causality margin; null until the first window after Ŝ is known',
  properties: {
    fromS: { type: 'number', description: 'window start, seconds of session audio' },
    toS: { type: 'number', description: 'window end (exclusive), seconds of session audio' },
    spectrum: {
      type: 'object',
      description: 'Welch PSDs, dB re FS²/Hz, averaged over 1/3 octave around each grid frequency; null where silent',
      properties: {
        segmentSamples: { type: 'integer' },
        resolutionHz: { type: 'number' },
        frequencyHz: { type: 'array', items: { type: 'number' } },
        disturbanceDb: { type: 'array', items: nullableNumber },
        errorDb: { type: 'array', items: nullableNumber },
      },
    },
    octaveBands: {
      type: 'array',
      description: 'IEC 61260 octave bands below Nyquist: levels of d̂ (before) and e (after), dB re FS, and attenuation = before − after',
      items: {
        type: 'object',
        properties: {
          centerHz: { type: 'number' }, lowerHz: { type: 'number' }, upperHz: { type: 'number' },
          disturbanceDb: nullableNumber, errorDb: nullableNumber, attenuationDb: nullableNumber,
        },
      },
    },
    causality: {
      type: 'object',
      description: 'margin = delay(P) − delay(Ŝ) (Ŝ includes the playout delay); negative: only periodic noise can be cancelled',
      properties: {
        primaryPathDelaySamples: { type: 'integer', nullable: true, description: 'reference → error mic, from the peak of S_xd̂/S_xx; null unless peak ratio ≥ 8 and rival share < 0.6 (periodic noise)' },
        primaryPathPeakRatio: { type: 'number', description: '|peak| / RMS of the estimated primary-path response' },
        primaryPathRivalShare: { type: 'number', description: 'next-largest |tap| more than 8 samples from the peak, as a share of it (periodic noise: near 1)' },
        secondaryPathDelaySamples: { type: 'integer' },
        loopLatencySamples: { type: 'integer', description: 'playoutDelayFrames · frameSize' },
        marginSamples: { type: 'integer', nullable: true },
        marginMs: nullableNumber,
      },
    },
  },
} as const;

/** A session as GET /sessions/:id returns it; stats are the engine's SessionStats (open object, analysis described). */
export const sessionViewSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, userId: { type: 'string' }, transport: { type: 'string' }, phase: { type: 'string' },
    live: { type: 'boolean' }, createdAt: { type: 'string' }, endedAt: { type: 'string', nullable: true },
    config: { type: 'object', additionalProperties: true },
    stats: { type: 'object', nullable: true, additionalProperties: true, properties: { analysis: sessionAnalysisSchema } },
    transportDropped: { type: 'integer' },
  },
} as const;

export const openObject = { type: 'object', additionalProperties: true } as const;
