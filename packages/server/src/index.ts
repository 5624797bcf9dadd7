/**
 * @antiphase/server — the real-time service: REST, WebSocket and gRPC transports over the session engine, with
 * accounts, API keys, durable session records and file jobs. `startServer(loadConfig())` runs it.
 */
export { startServer, type RunningServer, type StartOptions } from './server.js';
export { loadConfig, ConfigError, CONFIG_VARIABLES, parseDuration, type ServerConfig, type LogLevel } from './config.js';
export { API_ERRORS, ApiError, type ApiErrorCode } from './errors.js';
export type { Store } from './store/types.js';
export { SqliteStore } from './store/sqlite.js';
export { cancelRecording, resolveCancelOptions, CANCEL_DEFAULTS, CancelInputError, type CancelOptions, type CancelReport } from './jobs/cancel.js';
export { STREAM_PATH } from './transports/ws-plugin.js';
export { WEB_DIST } from './http/web.js';
/** What the dashboard stream (GET /api/v1/dashboard/stream) pushes: the web dashboard reads these types. */
export type { SessionSummary, DashboardTick } from './http/routes/dashboard.js';
export type { ClientNoiseEvent } from './sessions.js';
