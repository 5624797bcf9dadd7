/**
 * Server configuration: environment variables, optionally layered over a JSON file (ANTIPHASE_CONFIG=path).
 * Precedence: environment > file > defaults. Every variable, its unit and its default are documented in
 * docs/configuration.md; a test checks that the document lists exactly the variables in CONFIG_VARIABLES.
 *
 * Validation never guesses: a bad value is a ConfigError whose message starts with the variable's name.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { defaultWorkerCount } from '@antiphase/engine';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServerConfig {
  /** Interface the HTTP and gRPC servers bind to. */
  host: string;
  /** HTTP port (REST + WebSocket); 0 lets the OS pick. */
  port: number;
  /** gRPC port; 0 lets the OS pick. */
  grpcPort: number;
  /** Directory for the database, the JWT secret and job files. */
  dataDir: string;
  /** SQLite database file. */
  dbPath: string;
  /** HS256 secret (UTF-8 bytes); undefined: generated once and kept in <dataDir>/jwt-secret. */
  jwtSecret: string | undefined;
  /** Lifetime of issued JWTs, seconds. */
  jwtTtlSeconds: number;
  /** Open self-registration (the first user can always register and becomes admin). */
  allowRegistration: boolean;
  /** Engine worker threads; 0 processes in the main thread. */
  workers: number;
  /** With workers 0: classification and analysis on a background thread of their own. */
  backgroundThread: boolean;
  /** Live engine sessions at most (across all users). */
  maxSessions: number;
  /** Largest REST request body, bytes (job uploads excepted). */
  maxBodyBytes: number;
  /** Largest job upload (both WAV files together) and gRPC ProcessAudioFile request, bytes. */
  maxUploadBytes: number;
  /** Frames a stream connection holds (queued + in the engine) before it drops the oldest waiting one. */
  streamQueueFrames: number;
  /** File jobs that run at the same time (each in its own worker thread). */
  jobConcurrency: number;
  /** How often live-session metrics are appended to session_metrics, seconds. */
  metricsIntervalSeconds: number;
  /** Fastify/pino log level; 'silent' (default) turns logging off. */
  logLevel: LogLevel;
  /** URL that receives every noise event as a JSON POST (emergency bypass on/off, noise type); undefined: none. */
  webhookUrl: string | undefined;
  /** Noise-type classifier model file; undefined: the shipped model; null: no classifier (the detector still protects). */
  classifierModel: string | null | undefined;
  /** Offer the WebRTC transport (POST /api/v1/webrtc/offer). */
  webrtc: boolean;
  /** The only IPv4 addresses WebRTC's ICE may offer and use; null: every host address plus loopback. */
  webrtcAddresses: string[] | null;
  /** A WebRTC peer that sends nothing for this long is dropped (it vanished without a goodbye), seconds. */
  webrtcIdleTimeoutSeconds: number;
  /** Opus track mode: longest an RTP packet waits in the jitter buffer for a missing one, ms. */
  webrtcJitterMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable} ${message}`);
  }
}

/** Each variable, the ServerConfig key it sets (also the key in the JSON file) and its documented default. */
export const CONFIG_VARIABLES = {
  ANTIPHASE_CONFIG: { key: null, default: '(none)' },
  ANTIPHASE_HOST: { key: 'host', default: '127.0.0.1' },
  ANTIPHASE_PORT: { key: 'port', default: '8080' },
  ANTIPHASE_GRPC_PORT: { key: 'grpcPort', default: '50051' },
  ANTIPHASE_DATA_DIR: { key: 'dataDir', default: './data' },
  ANTIPHASE_DB: { key: 'dbPath', default: '<dataDir>/antiphase.db' },
  ANTIPHASE_JWT_SECRET: { key: 'jwtSecret', default: '(generated, <dataDir>/jwt-secret)' },
  ANTIPHASE_JWT_TTL: { key: 'jwtTtlSeconds', default: '1h' },
  ANTIPHASE_ALLOW_REGISTRATION: { key: 'allowRegistration', default: 'true' },
  ANTIPHASE_WORKERS: { key: 'workers', default: '(CPU cores; 0 on 2 cores or fewer)' },
  ANTIPHASE_BACKGROUND_THREAD: { key: 'backgroundThread', default: 'true' },
  ANTIPHASE_MAX_SESSIONS: { key: 'maxSessions', default: '1000' },
  ANTIPHASE_MAX_BODY_BYTES: { key: 'maxBodyBytes', default: '1048576' },
  ANTIPHASE_MAX_UPLOAD_BYTES: { key: 'maxUploadBytes', default: '52428800' },
  ANTIPHASE_STREAM_QUEUE_FRAMES: { key: 'streamQueueFrames', default: '32' },
  ANTIPHASE_JOB_CONCURRENCY: { key: 'jobConcurrency', default: '1' },
  ANTIPHASE_METRICS_INTERVAL: { key: 'metricsIntervalSeconds', default: '5' },
  ANTIPHASE_LOG_LEVEL: { key: 'logLevel', default: 'silent' },
  ANTIPHASE_WEBHOOK_URL: { key: 'webhookUrl', default: '(none)' },
  ANTIPHASE_CLASSIFIER_MODEL: { key: 'classifierModel', default: '(the shipped model)' },
  ANTIPHASE_WEBRTC: { key: 'webrtc', default: 'true' },
  ANTIPHASE_WEBRTC_ADDRESSES: { key: 'webrtcAddresses', default: '(every host address, plus 127.0.0.1)' },
  ANTIPHASE_WEBRTC_IDLE_TIMEOUT: { key: 'webrtcIdleTimeoutSeconds', default: '10s' },
  ANTIPHASE_WEBRTC_JITTER_MS: { key: 'webrtcJitterMs', default: '40' },
} as const;

type VariableName = keyof typeof CONFIG_VARIABLES;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** "90", "90s", "15m", "1h", "7d" → seconds. */
export function parseDuration(variable: string, value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$/.exec(value);
  if (!match) throw new ConfigError(variable, `must be a duration like 3600, 90s, 15m, 1h or 7d, got ${JSON.stringify(value)}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd' | undefined ?? 's'];
  const seconds = Number(match[1]) * unit;
  if (!(seconds >= 1)) throw new ConfigError(variable, `must be at least 1 second, got ${JSON.stringify(value)}`);
  return Math.round(seconds);
}

function integer(variable: string, value: string, min: number, max: number): number {
  const n = /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(variable, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function boolean(variable: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(variable, `must be true or false, got ${JSON.stringify(value)}`);
}

/** A JSON file value becomes a string so that one parser validates both sources. */
function fileValue(variable: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ConfigError(variable, `(from the config file) must be a string, number or boolean, got ${JSON.stringify(value)}`);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('ANTIPHASE_CONFIG', `names a file that cannot be read: ${path} (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('ANTIPHASE_CONFIG', `file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError('ANTIPHASE_CONFIG', `file ${path} must hold a JSON object`);
  }
  const known = new Set<string>(Object.values(CONFIG_VARIABLES).map((v) => v.key).filter((k): k is NonNullable<typeof k> => k !== null));
  for (const key of Object.keys(json)) {
    if (!known.has(key)) {
      throw new ConfigError('ANTIPHASE_CONFIG', `file ${path} has an unknown key ${JSON.stringify(key)} (known: ${[...known].join(', ')})`);
    }
  }
  return json as Record<string, unknown>;
}

/**
 * Builds the configuration from `env` (default process.env) and the JSON file it may name. `overrides` (already
 * typed) win over both: tests and the CLI use them.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const file = env.ANTIPHASE_CONFIG ? readConfigFile(env.ANTIPHASE_CONFIG) : {};
  const raw = (name: VariableName): string | undefined => {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    const key = CONFIG_VARIABLES[name].key;
    if (key !== null && file[key] !== undefined) return fileValue(name, file[key]);
    return undefined;
  };
  const get = <T>(name: VariableName, fallback: T, parse: (value: string) => T): T => {
    const value = raw(name);
    return value === undefined ? fallback : parse(value);
  };

  const host = get('ANTIPHASE_HOST', '127.0.0.1', (v) => {
    if (!/^[A-Za-z0-9.:\-[\]%]+$/.test(v)) throw new ConfigError('ANTIPHASE_HOST', `must be a host name or IP address, got ${JSON.stringify(v)}`);
    return v;
  });
  const port = get('ANTIPHASE_PORT', 8080, (v) => integer('ANTIPHASE_PORT', v, 0, 65535));
  const grpcPort = get('ANTIPHASE_GRPC_PORT', 50051, (v) => integer('ANTIPHASE_GRPC_PORT', v, 0, 65535));
  const dataDir = resolve(overrides.dataDir ?? get('ANTIPHASE_DATA_DIR', './data', (v) => v));
  const dbPath = get('ANTIPHASE_DB', join(dataDir, 'antiphase.db'), (v) => (v === ':memory:' ? v : resolve(v)));
  const jwtSecret = get<string | undefined>('ANTIPHASE_JWT_SECRET', undefined, (v) => {
    if (Buffer.byteLength(v, 'utf8') < 32) {
      throw new ConfigError('ANTIPHASE_JWT_SECRET', 'must be at least 32 bytes (HS256 needs a key as long as its hash); leave it unset to have one generated');
    }
    return v;
  });
  const jwtTtlSeconds = get('ANTIPHASE_JWT_TTL', 3600, (v) => parseDuration('ANTIPHASE_JWT_TTL', v));
  const allowRegistration = get('ANTIPHASE_ALLOW_REGISTRATION', true, (v) => boolean('ANTIPHASE_ALLOW_REGISTRATION', v));
  const workers = get('ANTIPHASE_WORKERS', defaultWorkerCount(), (v) => integer('ANTIPHASE_WORKERS', v, 0, 1024));
  const backgroundThread = get('ANTIPHASE_BACKGROUND_THREAD', true, (v) => boolean('ANTIPHASE_BACKGROUND_THREAD', v));
  const maxSessions = get('ANTIPHASE_MAX_SESSIONS', 1000, (v) => integer('ANTIPHASE_MAX_SESSIONS', v, 1, 1_000_000));
  const maxBodyBytes = get('ANTIPHASE_MAX_BODY_BYTES', 1024 * 1024, (v) => integer('ANTIPHASE_MAX_BODY_BYTES', v, 1024, 2 ** 31 - 1));
  const maxUploadBytes = get('ANTIPHASE_MAX_UPLOAD_BYTES', 50 * 1024 * 1024, (v) => integer('ANTIPHASE_MAX_UPLOAD_BYTES', v, 1024, 2 ** 31 - 1));
  const streamQueueFrames = get('ANTIPHASE_STREAM_QUEUE_FRAMES', 32, (v) => integer('ANTIPHASE_STREAM_QUEUE_FRAMES', v, 2, 4096));
  const jobConcurrency = get('ANTIPHASE_JOB_CONCURRENCY', 1, (v) => integer('ANTIPHASE_JOB_CONCURRENCY', v, 1, 64));
  const metricsIntervalSeconds = get('ANTIPHASE_METRICS_INTERVAL', 5, (v) => integer('ANTIPHASE_METRICS_INTERVAL', v, 1, 3600));
  const logLevel = get<LogLevel>('ANTIPHASE_LOG_LEVEL', 'silent', (v) => {
    if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new ConfigError('ANTIPHASE_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(v)}`);
    return v as LogLevel;
  });
  const webhookUrl = get<string | undefined>('ANTIPHASE_WEBHOOK_URL', undefined, (v) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      throw new ConfigError('ANTIPHASE_WEBHOOK_URL', `must be an http(s) URL, got ${JSON.stringify(v)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('ANTIPHASE_WEBHOOK_URL', `must be an http(s) URL, got ${JSON.stringify(v)}`);
    return url.href;
  });
  const classifierModel = get<string | null | undefined>('ANTIPHASE_CLASSIFIER_MODEL', undefined, (v) => (v === 'none' ? null : resolve(v)));
  const webrtc = get('ANTIPHASE_WEBRTC', true, (v) => boolean('ANTIPHASE_WEBRTC', v));
  const webrtcAddresses = get<string[] | null>('ANTIPHASE_WEBRTC_ADDRESSES', null, (v) => {
    const list = v.split(',').map((a) => a.trim()).filter(Boolean);
    const bad = list.find((a) => isIP(a) !== 4);
    if (list.length === 0 || bad !== undefined) {
      throw new ConfigError('ANTIPHASE_WEBRTC_ADDRESSES', `must be a comma-separated list of IPv4 addresses, got ${JSON.stringify(bad ?? v)}`);
    }
    return list;
  });
  const webrtcIdleTimeoutSeconds = get('ANTIPHASE_WEBRTC_IDLE_TIMEOUT', 10, (v) => parseDuration('ANTIPHASE_WEBRTC_IDLE_TIMEOUT', v));
  const webrtcJitterMs = get('ANTIPHASE_WEBRTC_JITTER_MS', 40, (v) => integer('ANTIPHASE_WEBRTC_JITTER_MS', v, 0, 1000));

  const base: ServerConfig = {
    host, port, grpcPort, dataDir, dbPath, jwtSecret, jwtTtlSeconds, allowRegistration, workers, backgroundThread, maxSessions,
    maxBodyBytes, maxUploadBytes, streamQueueFrames, jobConcurrency, metricsIntervalSeconds, logLevel, webhookUrl, classifierModel,
    webrtc, webrtcAddresses, webrtcIdleTimeoutSeconds, webrtcJitterMs,
  };
  return { ...base, ...overrides, dataDir };
}
