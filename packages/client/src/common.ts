/** What the Node and browser entries share (all browser-safe). */
export { ApiClient, ApiRequestError, throwawayCredentials, type ApiClientOptions, type ApiKeyResult, type AuthResult, type SessionInfo } from './api.js';
export {
  Emitter, StreamError, backoffDelayMs, isSessionLevelCode, parseReady, resolveReconnect,
  type AntiNoiseEvent, type CloseEvent, type ReadyInfo, type ReconnectOptions, type ReconnectingEvent, type SendOptions, type SendResult,
  type StreamClient, type StreamConnectOptions, type StreamEvents,
} from './stream.js';
export { histogram, percentile, summarize, type HistogramBin, type LatencySummary } from './stats.js';
export type { SessionConfig, SessionPatch } from './types.js';
export {
  VirtualRoom, VIRTUAL_ROOM_DEFAULTS, ductGeometry,
  type RoomSecond, type RunOptions, type VirtualRoomOptions, type VirtualRoomReport,
} from './virtual-room.js';
