/**
 * The service under test for bench/server.ts, in its own process so that its CPU time (main thread + engine
 * workers) is measured apart from the load generator's. Started with an IPC channel: it starts the server on
 * loopback with ephemeral ports and a fresh data directory, reports `{ t: 'ready', url, port, grpcPort }`, and
 * closes cleanly on `{ t: 'stop' }` (or when the parent goes away).
 *
 *   env: BENCH_DATA_DIR (required), ANTIPHASE_* as for `npm start` (e.g. ANTIPHASE_WORKERS).
 */
import { loadConfig, startServer } from '@antiphase/server';

const dataDir = process.env.BENCH_DATA_DIR;
if (!dataDir || !process.send) {
  console.error('bench/lib/server-child.ts is started by bench/server.ts (IPC channel and BENCH_DATA_DIR needed)');
  process.exit(2);
}

const config = loadConfig(process.env, { host: '127.0.0.1', port: 0, grpcPort: 0, dataDir, maxSessions: 100_000, logLevel: 'silent' });
const server = await startServer(config);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await server.close().catch(() => undefined);
  process.exit(0);
};
process.on('message', (message: { t?: string }) => {
  if (message?.t === 'stop') void stop();
});
process.on('disconnect', () => void stop());
process.send({ t: 'ready', url: server.url, port: server.port, grpcPort: server.grpcPort, workers: server.engine.workerCount });
