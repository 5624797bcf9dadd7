/**
 * Support for the client's end-to-end tests: a real server on loopback (startServer on port 0 in a temporary data
 * directory, closed in t.after), a signed-up user, a TCP proxy that can cut every connection (to make streams drop),
 * and an in-process stream client that answers with the engine's Session (no network) to check the room alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session, type SessionConfig } from '@antiphase/engine';
import { loadConfig, startServer, type RunningServer, type ServerConfig } from '@antiphase/server';
import {
  ApiClient, Emitter, throwawayCredentials,
  type ReadyInfo, type SendResult, type StreamClient, type StreamConnectOptions, type StreamEvents,
} from '@antiphase/client';

interface TestContext {
  after(fn: () => unknown): void;
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'antiphase-client-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The real service on 127.0.0.1, HTTP and gRPC on ports the OS picks, one engine worker; closed in t.after. */
export async function startTestServer(t: TestContext, overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const dataDir = tempDir(t);
  const server = await startServer(loadConfig({}, { host: '127.0.0.1', port: 0, grpcPort: 0, dataDir, workers: 1, ...overrides }));
  t.after(() => server.close());
  return server;
}

/** An ApiClient logged in as a new user of `server`. */
export async function signedUpClient(server: RunningServer): Promise<ApiClient> {
  const api = new ApiClient({ baseUrl: server.url });
  const { email, password } = throwawayCredentials('client-test');
  await api.signUp(email, password);
  return api;
}

/** A TCP proxy to `port` on 127.0.0.1 whose connections can all be cut at once. Closed in t.after. */
export async function startProxy(t: TestContext, port: number): Promise<{ port: number; cut(): number; server: Server }> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    inbound.pipe(outbound).pipe(inbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      pairs.delete(pair);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    server.close(() => resolve());
  }));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    server,
    cut() {
      const n = pairs.size;
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      return n;
    },
  };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `antiphase` CLI (node --import tsx packages/cli/src/main.ts …) from the repository root. */
export function antiphase(args: string[], options: { onStdout?: (text: string, child: ChildProcess) => void } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A StreamClient whose "server" is an engine Session in this thread; answers arrive on the next macrotask. */
export class InProcessStreamClient extends Emitter<StreamEvents> implements StreamClient {
  readonly transport = 'ws' as const;
  private session: Session | null = null;
  private sequence = 0;
  info: ReadyInfo | null = null;

  get connected(): boolean {
    return this.session !== null;
  }

  get nextSequence(): number {
    return this.sequence;
  }

  async connect(options: StreamConnectOptions): Promise<ReadyInfo> {
    const config = options.config as SessionConfig;
    this.session = new Session('in-process', config);
    this.info = {
      sessionId: 'in-process', sampleRate: config.sampleRate, frameSize: config.frameSize, sampleFormat: 'float32',
      phase: this.session.phase, secondaryPathTaps: null, raw: null,
    };
    return this.info;
  }

  send(reference: Float32Array, error: Float32Array, captureTimestampUs = 0, options: { antiNoiseMissing?: boolean } = {}): SendResult {
    const sequence = this.sequence++;
    const result = this.session!.processFrame({
      sessionId: 'in-process', sequence, captureTimestampUs, antiNoiseMissing: options.antiNoiseMissing,
      reference: reference.slice(), error: error.slice(),
    });
    if (result) {
      setImmediate(() => this.emit('antiNoise', {
        sequence, captureTimestampUs, antiNoise: result.antiNoise, processingUs: result.processingUs,
        receivedAtMs: performance.now(), phase: result.phase, cancellationDb: result.nrDb, noiseType: result.noiseType,
      }));
    }
    return { sequence, sent: true };
  }

  async close(): Promise<void> {
    this.session = null;
  }
}
