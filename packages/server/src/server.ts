/**
 * startServer: wires the store, auth, engine, sessions, file jobs and the transports (REST, WebSocket, gRPC, WebRTC).
 *
 * Lifecycle (STYLE.md §9): close() is idempotent and cascades — stop accepting (gRPC, HTTP and WebSocket), end
 * every live session (final stats stored, reason 'server shutdown'), put running jobs back in the queue, close the
 * engine, then the database. At start-up, sessions a crashed server left open are marked 'interrupted' and jobs it
 * left running are re-queued.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '@antiphase/engine';
import type { FastifyInstance } from 'fastify';
import { AuthService } from './auth/service.js';
import { loadOrCreateJwtSecret } from './auth/secret.js';
import { TokenIssuer } from './auth/tokens.js';
import type { ServerConfig } from './config.js';
import { buildApp } from './http/app.js';
import { JobRunner } from './jobs/runner.js';
import { ServerMetrics } from './metrics.js';
import { SessionService } from './sessions.js';
import { PresetService } from './presets.js';
import { SqliteStore } from './store/sqlite.js';
import type { Store } from './store/types.js';
import { startGrpcServer, type GrpcServerHandle } from './transports/grpc.js';
import type { StreamConnection } from './transports/ws.js';
import { WebRtcTransport } from './transports/webrtc.js';

/**
 * The main thread's own work per frame beside the engine — reading, decoding, encoding and sending it, kernel time
 * included — which the inline engine counts against its budget: the main thread's 0.82–0.95 % of a core per
 * WebSocket session of 160-sample frames at 65–100 sessions, less the session's 18 µs of DSP (bench:server,
 * docs/benchmarks.md "Service", "Admission").
 */
const TRANSPORT_FRAME_US = 65;

export interface RunningServer {
  /** http://host:port of the REST/WebSocket server. */
  url: string;
  port: number;
  grpcPort: number;
  config: ServerConfig;
  /** Internals for tests and embedding. */
  store: Store;
  engine: Engine;
  sessions: SessionService;
  jobs: JobRunner;
  metrics: ServerMetrics;
  /** Null when ANTIPHASE_WEBRTC=false. */
  webrtc: WebRtcTransport | null;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Called with every WebSocket connection's core (tests). */
  onStreamConnection?: (connection: StreamConnection) => void;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true });
  const store = new SqliteStore({ path: config.dbPath });
  const cleanups: (() => Promise<unknown>)[] = [() => store.close()];
  const undo = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    await store.migrate();
    await store.interruptOpenSessions(new Date().toISOString());
    const secret = loadOrCreateJwtSecret(config.dataDir, config.jwtSecret);
    const auth = new AuthService(store, new TokenIssuer(secret, config.jwtTtlSeconds), config.allowRegistration);
    const metrics = new ServerMetrics();
    const engine = new Engine({
      workers: config.workers, classifierModel: config.classifierModel, backgroundThread: config.backgroundThread,
      inlineFrameOverheadUs: TRANSPORT_FRAME_US,
    });
    cleanups.push(() => engine.close());
    metrics.backgroundSkipped = () => engine.backgroundSkipped;
    const sessions = new SessionService(engine, store, metrics, {
      maxSessions: config.maxSessions, metricsIntervalSeconds: config.metricsIntervalSeconds, webhookUrl: config.webhookUrl,
    });
    cleanups.push(() => sessions.close());
    const presets = new PresetService(store, engine);
    await presets.registerStored();
    const jobs = new JobRunner(store, join(config.dataDir, 'jobs'), config.jobConcurrency, metrics);
    cleanups.push(() => jobs.close());
    const webrtc = config.webrtc
      ? new WebRtcTransport({
        sessions, queueFrames: config.streamQueueFrames, addresses: config.webrtcAddresses, connectTimeoutMs: 15_000,
        idleTimeoutMs: config.webrtcIdleTimeoutSeconds * 1000, jitterMs: config.webrtcJitterMs, maxPeers: config.maxSessions, metrics,
      })
      : null;
    if (webrtc) cleanups.push(async () => webrtc.close());
    const app = await buildApp({ config, store, auth, sessions, jobs, engine, metrics, presets, webrtc, onStreamConnection: options.onStreamConnection });
    cleanups.push(() => app.close());
    if (engine.classifierError) app.log.warn(engine.classifierError);
    const grpc: GrpcServerHandle = await startGrpcServer(config.host, config.grpcPort, {
      auth, sessions, queueFrames: config.streamQueueFrames, maxMessageBytes: config.maxUploadBytes + 64 * 1024,
    });
    cleanups.push(() => grpc.close());
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    await jobs.start();

    let closing: Promise<void> | null = null;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        await grpc.close().catch(() => undefined); // stop accepting, cancel open calls
        await app.close().catch(() => undefined); // HTTP and WebSocket (closes open sockets)
        webrtc?.close(); // every peer connection
        await sessions.close();
        await jobs.close();
        await engine.close();
        await store.close();
      })();
      return closing;
    };
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return { url: `http://${host}:${port}`, port, grpcPort: grpc.port, config, store, engine, sessions, jobs, metrics, webrtc, app, close };
  } catch (error) {
    await undo();
    throw error;
  }
}
