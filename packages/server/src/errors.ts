/**
 * The REST error catalogue: every error body is `{ "error": { "code", "message" } }` with a code from this table.
 * Codes are stable; messages are for humans. packages/server/README.md lists exactly these codes (a test checks).
 * Streaming transports use the wire codes of @antiphase/protocol instead (docs/protocol.md); toWireCode maps
 * between the two.
 */
import { ErrorCode, type ErrorCodeName } from '@antiphase/protocol';
import { EngineError, type EngineErrorCode } from '@antiphase/engine';

export const API_ERRORS = {
  BAD_REQUEST: { status: 400, description: 'the request is malformed: bad JSON, a missing or mistyped field' },
  INVALID_CONFIG: { status: 400, description: 'a session config or patch that fails validation; the message names the field' },
  INVALID_AUDIO: { status: 400, description: 'audio that cannot be used: not a WAV file, NaN/infinite samples, wrong frame layout' },
  FORMAT_MISMATCH: { status: 400, description: "a frame whose sample rate, frame size or sample format differ from the session's" },
  UNAUTHORIZED: { status: 401, description: 'missing, bad, expired or revoked credentials' },
  FORBIDDEN: { status: 403, description: 'authenticated but not allowed (e.g. registration is closed and the caller is not an admin)' },
  NOT_FOUND: { status: 404, description: 'no such resource for this user (another user’s resources are reported as not found)' },
  CONFLICT: { status: 409, description: 'the resource already exists (e.g. an email address that is registered)' },
  NOT_READY: { status: 409, description: 'the resource is not in a state that allows this yet (e.g. the result of a job still running)' },
  SESSION_ENDED: { status: 409, description: 'the session was ended; it accepts no frames or changes' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'the request body exceeds the configured limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'a content type this route does not accept' },
  OVERLOADED: { status: 503, description: 'the server cannot take another session or job now' },
  INTERNAL: { status: 500, description: 'a fault on the server' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.status = API_ERRORS[code].status;
  }
}

export function errorBody(code: ApiErrorCode, message: string): { error: { code: ApiErrorCode; message: string } } {
  return { error: { code, message } };
}

const ENGINE_TO_API: Record<EngineErrorCode, ApiErrorCode> = {
  INVALID_CONFIG: 'INVALID_CONFIG',
  UNKNOWN_SESSION: 'NOT_FOUND',
  SESSION_EXISTS: 'CONFLICT',
  FORMAT_MISMATCH: 'FORMAT_MISMATCH',
  INVALID_AUDIO: 'INVALID_AUDIO',
  INVALID_SNAPSHOT: 'BAD_REQUEST',
  OVERLOADED: 'OVERLOADED',
  SESSION_ENDED: 'SESSION_ENDED',
  SESSION_FAILED: 'SESSION_ENDED',
  ENGINE_CLOSED: 'OVERLOADED',
};

const ENGINE_TO_WIRE: Record<EngineErrorCode, ErrorCodeName> = {
  INVALID_CONFIG: 'INVALID_CONFIG',
  UNKNOWN_SESSION: 'UNKNOWN_SESSION',
  SESSION_EXISTS: 'INVALID_CONFIG',
  FORMAT_MISMATCH: 'FORMAT_MISMATCH',
  INVALID_AUDIO: 'INVALID_AUDIO',
  INVALID_SNAPSHOT: 'INVALID_CONFIG',
  OVERLOADED: 'OVERLOADED',
  SESSION_ENDED: 'SESSION_ENDED',
  SESSION_FAILED: 'SESSION_ENDED',
  ENGINE_CLOSED: 'SESSION_ENDED',
};

/** Any thrown value as an ApiError (engine errors keep their meaning; anything unknown is INTERNAL). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof EngineError) return new ApiError(ENGINE_TO_API[error.code], error.message);
  return new ApiError('INTERNAL', 'internal server error');
}

/** The wire code (docs/protocol.md) for an engine or API error. */
export function toWireCode(error: unknown): { name: ErrorCodeName; code: number; message: string } {
  let name: ErrorCodeName = 'INTERNAL';
  let message = 'internal server error';
  if (error instanceof EngineError) {
    name = ENGINE_TO_WIRE[error.code];
    message = error.message;
  } else if (error instanceof ApiError) {
    const byApi: Partial<Record<ApiErrorCode, ErrorCodeName>> = {
      INVALID_CONFIG: 'INVALID_CONFIG', BAD_REQUEST: 'INVALID_CONFIG', NOT_FOUND: 'UNKNOWN_SESSION', UNAUTHORIZED: 'UNAUTHORIZED',
      OVERLOADED: 'OVERLOADED', SESSION_ENDED: 'SESSION_ENDED', FORMAT_MISMATCH: 'FORMAT_MISMATCH', INVALID_AUDIO: 'INVALID_AUDIO',
    };
    name = byApi[error.code] ?? 'INTERNAL';
    message = error.message;
  }
  return { name, code: ErrorCode[name], message };
}

/**
 * Errors after which a stream cannot go on (the session is gone, failed or the server is shedding it): the transport
 * sends the error and ends the stream. Anything else concerns one frame.
 */
export function endsStream(error: unknown): boolean {
  if (error instanceof EngineError) return ['SESSION_ENDED', 'SESSION_FAILED', 'UNKNOWN_SESSION', 'ENGINE_CLOSED', 'OVERLOADED'].includes(error.code);
  return error instanceof ApiError && error.code === 'NOT_FOUND';
}
