/**
 * Test support for the end-to-end server tests: a real server on loopback (ports chosen by the OS) with its own
 * temporary data directory, closed and removed in t.after; and small clients for REST, WebSocket and audio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import WebSocket from 'ws';
import { decodeFrame, encodeAudioFrame, encodeJsonFrame, type DecodedFrame } from '@antiphase/protocol';
import { writeWav } from '@antiphase/dsp';
import type { SessionConfig } from '@antiphase/engine';
import { loadConfig, startServer, type RunningServer, type ServerConfig } from '@antiphase/server';

export function tempDir(t: TestContext, prefix = 'antiphase-server-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The two ways the engine runs a session: on a worker thread (machines with more than 2 cores) and on the transport's
 * own thread (the default on 2 cores, answered synchronously). The transports take different paths for each.
 */
export const ENGINE_MODES = [['engine on a worker thread', 1], ['engine inline', 0]] as const;

export async function startTestServer(t: TestContext, overrides: Partial<ServerConfig> = {}, dataDir?: string): Promise<RunningServer> {
  const config = loadConfig({}, { host: '127.0.0.1', port: 0, grpcPort: 0, workers: 1, dataDir: dataDir ?? tempDir(t), ...overrides });
  const server = await startServer(config);
  t.after(() => server.close());
  return server;
}

// JSON replies are asserted field by field in the tests: `any` keeps them readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** fetch with JSON in and out; `token` becomes Authorization: Bearer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function api<T = any>(server: { url: string }, method: string, path: string, options: { token?: string; json?: unknown; body?: BodyInit | Uint8Array; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body as BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${server.url}${path}`, { method, headers, body });
  const type = response.headers.get('content-type') ?? '';
  const payload = type.includes('json') ? await response.json() : type.includes('octet-stream') || type.includes('audio') ? new Uint8Array(await response.arrayBuffer()) : await response.text();
  return { status: response.status, body: payload as T, headers: response.headers };
}

/** Registers and logs in a user; returns the JWT. */
export async function userToken(server: { url: string }, email: string, password = 'correct horse battery'): Promise<string> {
  const registered = await api(server, 'POST', '/api/v1/auth/register', { json: { email, password } });
  if (registered.status !== 201) throw new Error(`register ${email}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await api(server, 'POST', '/api/v1/auth/login', { json: { email, password } });
  if (login.status !== 200) throw new Error(`login ${email}: ${login.status}`);
  return login.body.token as string;
}

/** A session config that skips identification (a known Ŝ), so anti-noise is the controller's from the first frame. */
export function sessionConfig(frameSize = 160): SessionConfig {
  return { sampleRate: 16000, frameSize, taps: 64, secondaryPathEstimate: [0, 0, 0, 0, 0.8, 0.3, -0.1] };
}

/** A deterministic noise frame (reference, error). */
export function noiseFrame(frameSize: number, k: number): { reference: Float32Array; error: Float32Array } {
  const reference = new Float32Array(frameSize);
  const error = new Float32Array(frameSize);
  for (let i = 0; i < frameSize; i++) {
    const n = k * frameSize + i;
    reference[i] = 0.1 * Math.sin(2 * Math.PI * 200 * n / 16000) + 0.02 * Math.sin(n * 1.7);
    error[i] = 0.08 * Math.sin(2 * Math.PI * 200 * n / 16000 + 0.5);
  }
  return { reference, error };
}

export function audioFrameBytes(frameSize: number, k: number, sampleRate = 16000): Uint8Array {
  const { reference, error } = noiseFrame(frameSize, k);
  return encodeAudioFrame({ sequence: k, captureTimestampUs: (k * frameSize * 1e6) / sampleRate, sampleRate, reference, error });
}

/** A WebSocket client that collects decoded frames. */
export class StreamClient {
  readonly frames: DecodedFrame[] = [];
  closeCode: number | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.frames.push(decodeFrame(new Uint8Array(data)));
      this.wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static async connect(server: { url: string }, token: string, via: 'header' | 'query' = 'header'): Promise<StreamClient> {
    const base = server.url.replace(/^http/, 'ws') + '/api/v1/stream';
    const socket = via === 'header'
      ? new WebSocket(base, { headers: { authorization: `Bearer ${token}` } })
      : new WebSocket(`${base}?token=${encodeURIComponent(token)}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return new StreamClient(socket);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  send(bytes: Uint8Array): void {
    this.socket.send(bytes);
  }

  hello(value: unknown): void {
    this.send(encodeJsonFrame('hello', value));
  }

  /** Waits until `predicate` holds over the frames received so far (or the socket closed). */
  async until(predicate: (frames: DecodedFrame[]) => boolean): Promise<DecodedFrame[]> {
    while (!predicate(this.frames)) {
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode}) before the condition held; frames: ${JSON.stringify(this.frames.map((f) => f.type === 'error' ? f : f.type))}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.frames;
  }

  async next(type: DecodedFrame['type']): Promise<DecodedFrame> {
    const seen = this.frames.length;
    const frames = await this.until((fs) => fs.slice(seen).some((f) => f.type === type));
    return frames.slice(seen).find((f) => f.type === type)!;
  }

  close(): Promise<void> {
    if (this.closeCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** A WAV file of `seconds` of a tone plus noise (primary) and the noise alone (reference). */
export function recordingPair(seconds = 1, sampleRate = 16000): { primary: Uint8Array; reference: Uint8Array; clean: Uint8Array } {
  const n = Math.round(seconds * sampleRate);
  const noise = new Float32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    noise[i] = (seed / 2 ** 32 - 0.5) * 0.4;
  }
  const signal = new Float32Array(n);
  const primary = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    signal[i] = 0.1 * Math.sin(2 * Math.PI * 440 * i / sampleRate);
    // The noise reaches the primary mic through a short path: 3 samples later, scaled.
    primary[i] = signal[i] + 0.7 * (noise[i - 3] ?? 0) + 0.2 * (noise[i - 5] ?? 0);
  }
  return {
    primary: writeWav({ sampleRate, channels: [primary] }, { format: 'float32' }),
    reference: writeWav({ sampleRate, channels: [noise] }, { format: 'float32' }),
    clean: writeWav({ sampleRate, channels: [signal] }, { format: 'float32' }),
  };
}
