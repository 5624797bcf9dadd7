/**
 * The error catalogue of the Antiphase wire protocol (docs/protocol.md, "Errors"). Codes are stable: they travel in
 * error frames (uint16) and in AntiNoiseChunk.error_code, so a code is never renumbered or reused. errors.test.ts
 * checks that the table in docs/protocol.md lists exactly these codes, names and descriptions.
 */

export const ErrorCode = {
  MALFORMED_FRAME: 1,
  UNSUPPORTED_VERSION: 2,
  UNKNOWN_TYPE: 3,
  FRAME_TOO_LARGE: 4,
  FORMAT_MISMATCH: 5,
  INVALID_AUDIO: 6,
  UNKNOWN_SESSION: 7,
  NOT_READY: 8,
  INVALID_CONFIG: 9,
  UNAUTHORIZED: 10,
  OVERLOADED: 11,
  SESSION_ENDED: 12,
  INTERNAL: 13,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

/** When each code is sent: the "when" column of docs/protocol.md, word for word. */
export const ErrorDescription: Readonly<Record<ErrorCodeName, string>> = {
  MALFORMED_FRAME:
    'shorter than a header, the payload length disagrees with the header, or the frame is otherwise unparseable ' +
    '(unknown flag bits, wrong channel count, bad UTF-8 or JSON)',
  UNSUPPORTED_VERSION: 'version ≠ 1',
  UNKNOWN_TYPE: 'a type this side does not accept',
  FRAME_TOO_LARGE: 'over the maximum frame size',
  FORMAT_MISMATCH: "sample rate, frame size, channels or sample format differ from the session's",
  INVALID_AUDIO: 'NaN or infinite samples',
  UNKNOWN_SESSION: 'no such session for this user',
  NOT_READY: 'audio before the session is ready',
  INVALID_CONFIG: 'a session config that fails validation',
  UNAUTHORIZED: 'missing, bad, expired or revoked credentials',
  OVERLOADED: 'the server cannot take another session or frame now (back-pressure)',
  SESSION_ENDED: 'the session was ended',
  INTERNAL: 'a fault on the server; the session may continue',
};

const NAME_BY_CODE = new Map<number, ErrorCodeName>(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]),
);

/** The name of a wire code, or undefined for a code this version does not know (a newer peer may send one). */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return NAME_BY_CODE.get(code);
}

export interface ProtocolErrorDetails {
  /** INVALID_AUDIO: the channel holding the first bad sample (0 reference / anti-noise, 1 error). */
  channel?: number;
  /** INVALID_AUDIO: index of the first bad sample within its channel. */
  sampleIndex?: number;
  cause?: unknown;
}

/** Every rejection by the codec is a ProtocolError; transports answer it with an error frame of the same code. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ErrorCodeValue;
  readonly channel: number | undefined;
  readonly sampleIndex: number | undefined;

  constructor(
    readonly codeName: ErrorCodeName,
    message: string,
    details: ProtocolErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = ErrorCode[codeName];
    this.channel = details.channel;
    this.sampleIndex = details.sampleIndex;
  }
}
