/**
 * The engine's error catalogue. Transports map `code` onto their own status (WebSocket close reason, gRPC status,
 * HTTP status, anc.proto error_code); the codes are stable, the messages are for humans.
 */
export const ENGINE_ERROR_CODES = [
  /** A SessionConfig or SessionPatch field is out of range; the message names the field. */
  'INVALID_CONFIG',
  /** No session with that id on this engine. */
  'UNKNOWN_SESSION',
  /** createSession / restoreSession with an id that is already live. */
  'SESSION_EXISTS',
  /** A frame whose shape differs from the negotiated format (length ≠ frameSize). */
  'FORMAT_MISMATCH',
  /** A frame carrying NaN or ±Infinity samples (the engine validates audio; codecs need not). */
  'INVALID_AUDIO',
  /** A snapshot that is corrupt, of another version, or of a session with another shape. */
  'INVALID_SNAPSHOT',
  /** No worker has room for the session, or the session kept exceeding its real-time budget and was ended. */
  'OVERLOADED',
  /** The session was ended (endSession, or OVERLOADED); it accepts no more frames. */
  'SESSION_ENDED',
  /** The session failed: its worker crashed or its processing threw unexpectedly. Other sessions are unaffected. */
  'SESSION_FAILED',
  /** The engine was closed; create a new one. */
  'ENGINE_CLOSED',
] as const;

export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** The offending config field, for INVALID_CONFIG. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Plain form of an EngineError that survives postMessage (structured clone drops the class). */
export interface SerializedEngineError {
  code: EngineErrorCode;
  message: string;
  field?: string;
}

export function serializeError(error: unknown): SerializedEngineError {
  if (error instanceof EngineError) return { code: error.code, message: error.message, field: error.field };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'SESSION_FAILED', message };
}

export function deserializeError(error: SerializedEngineError): EngineError {
  return new EngineError(error.code, error.message, error.field);
}

export function isEngineErrorCode(code: string): code is EngineErrorCode {
  return (ENGINE_ERROR_CODES as readonly string[]).includes(code);
}
