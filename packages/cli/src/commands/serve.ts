/**
 * `antiphase serve`: runs the service (@antiphase/server's startServer): REST and WebSocket on one port, gRPC on
 * another. Configuration comes from the environment (ANTIPHASE_*; ANTIPHASE_CONFIG names a JSON file), and the
 * options here override it. Ctrl-C (SIGINT) or SIGTERM closes it cleanly: stop accepting, end live sessions (their
 * final stats are stored), close the engine and the database.
 *
 * The server is imported when the command runs, so the other commands do not load Fastify, SQLite and gRPC.
 */
import type { ServerConfig } from '@antiphase/server';
import { integerOption, parseOptions } from '../args.js';
import { out, type Command } from '../command.js';
import { CliError } from '../errors.js';

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'grpc-port': { type: 'string' },
  'data-dir': { type: 'string' },
  workers: { type: 'string' },
} as const;

const HELP = `Usage: antiphase serve [--host HOST] [--port N] [--grpc-port N] [--data-dir DIR] [--workers N]

Runs the Antiphase service: REST under /api/v1, the WebSocket stream at /api/v1/stream and the gRPC service
anc.ANCService. Settings come from the environment (ANTIPHASE_HOST, ANTIPHASE_PORT, ANTIPHASE_GRPC_PORT,
ANTIPHASE_DATA_DIR, ANTIPHASE_WORKERS, …; ANTIPHASE_CONFIG=FILE.json for a file); the options below override
them. Prints the URL once it listens; Ctrl-C stops it cleanly (live sessions are ended and their stats stored).

Options:
  --host HOST           interface to bind (default ANTIPHASE_HOST or 127.0.0.1)
  --port N              HTTP port, REST + WebSocket; 0 picks a free one (default ANTIPHASE_PORT or 8080)
  --grpc-port N         gRPC port; 0 picks a free one (default ANTIPHASE_GRPC_PORT or 50051)
  --data-dir DIR        database, JWT secret and job files (default ANTIPHASE_DATA_DIR or ./data)
  --workers N           engine worker threads; 0 processes in the main thread (default: CPU cores)
  -h, --help            show this help
`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the real-time service (REST, WebSocket and gRPC) until Ctrl-C',
  help: HELP,
  async run(argv) {
    const values = parseOptions(argv, OPTIONS);
    const overrides: Partial<ServerConfig> = {};
    if (values.host !== undefined) overrides.host = values.host;
    const port = integerOption(values.port, 'port', { min: 0, max: 65535 });
    if (port !== undefined) overrides.port = port;
    const grpcPort = integerOption(values['grpc-port'], 'grpc-port', { min: 0, max: 65535 });
    if (grpcPort !== undefined) overrides.grpcPort = grpcPort;
    if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'];
    const workers = integerOption(values.workers, 'workers', { min: 0, max: 1024 });
    if (workers !== undefined) overrides.workers = workers;

    const { loadConfig, startServer, ConfigError } = await import('@antiphase/server');
    let config;
    try {
      config = loadConfig(process.env, overrides);
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }

    // Signals that arrive while starting are honoured once the server is up.
    let stopRequested: ((signal: string) => void) | null = null;
    const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
    const onSignal = (signal: NodeJS.Signals) => stopRequested?.(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      let server;
      try {
        server = await startServer(config);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') throw new CliError(`cannot listen: ${(error as Error).message}`);
        if ((error as Error).message?.includes('No address added out of total')) {
          throw new CliError(`cannot listen on gRPC port ${config.host}:${config.grpcPort}: ${(error as Error).message}`);
        }
        throw error;
      }
      out(`antiphase serve: listening on ${server.url} (REST ${server.url}/api/v1, WebSocket ${server.url.replace(/^http/, 'ws')}/api/v1/stream)`);
      out(`  gRPC anc.ANCService on ${config.host.includes(':') ? `[${config.host}]` : config.host}:${server.grpcPort}; ` +
        `${config.workers} engine worker${config.workers === 1 ? '' : 's'}; data in ${config.dataDir}; Ctrl-C stops`);
      const signal = await stopped;
      out(`antiphase serve: ${signal}: closing (ending live sessions)…`);
      await server.close();
      out('antiphase serve: stopped');
      return 0;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  },
};
