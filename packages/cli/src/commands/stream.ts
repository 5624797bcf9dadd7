/**
 * `antiphase stream`: one live virtual-room session against the service — the room (a simulated duct, see
 * @antiphase/client's virtual-room.ts) runs here in real time, the controller runs on the server, and the
 * acoustic loop closes over the network (WebSocket or gRPC). One line per second reports the true NR of the room.
 *
 * Also the shared plumbing of `antiphase loadtest`: authentication (an API key, or a throwaway user where the
 * service allows registration), session creation over REST (so that a dropped stream can resume it) and the
 * connected stream client. @antiphase/client is imported when a command runs, not at CLI start-up.
 */
import type { ApiClient, StreamClient, VirtualRoom, VirtualRoomReport } from '@antiphase/client';
import { SCENE_NAMES, describeScene, isSceneName, type SceneName } from '@antiphase/dsp';
import { integerOption, numberOption, parseOptions } from '../args.js';
import { out, type Command } from '../command.js';
import { CliError, EXIT_INTERRUPTED, UsageError } from '../errors.js';
import { fixed } from '../format.js';

export const LIVE_DEFAULTS = {
  url: 'http://localhost:8080',
  grpcPort: 50051,
  transport: 'ws' as LiveTransport,
  scene: 'broadband' as SceneName,
  /** 2 ms at 16 kHz: the longest frame that keeps the default broadband scene causal with 2 frames of playout. */
  frame: 32,
  identificationS: 1,
  sampleRate: 16000,
  playoutDelayFrames: 2,
} as const;

/** Options common to stream and loadtest (parseArgs form). */
export const LIVE_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'grpc-port': { type: 'string' },
  scene: { type: 'string' },
  transport: { type: 'string' },
  frame: { type: 'string' },
  identification: { type: 'string' },
} as const;

/** Help lines for LIVE_OPTIONS. */
export const LIVE_HELP = `  --url URL             the service (default ${LIVE_DEFAULTS.url})
  --api-key KEY         authenticate with this API key (default: register a throwaway user, where the
                        service allows registration)
  --transport ws|grpc|webrtc
                        WebSocket (/api/v1/stream), gRPC anc.ANCService, or WebRTC data channels over UDP
                        (signalled at /api/v1/webrtc/offer) (default ${LIVE_DEFAULTS.transport})
  --grpc-port N         the service's gRPC port, on the host of --url (default ${LIVE_DEFAULTS.grpcPort})
  --scene NAME          noise scene (default ${LIVE_DEFAULTS.scene}), one of:
${SCENE_NAMES.map((name) => `                          ${name.padEnd(14)}${describeScene(name)}`).join('\n')}
  --frame SAMPLES       samples per frame at ${LIVE_DEFAULTS.sampleRate} Hz (default ${LIVE_DEFAULTS.frame} = 2 ms, see below)
  --identification S    seconds the server identifies the secondary path before control (default ${LIVE_DEFAULTS.identificationS})`;

/** The physics note shared by both helps. */
export const LIVE_PHYSICS = `The room is a duct: the noise reaches the reference mic 6 ms (2.06 m) before the error mic; the loudspeaker is
0.25 ms from the error mic. The anti-noise for frame k plays in frame k + ${LIVE_DEFAULTS.playoutDelayFrames} (a fixed playout schedule), so the
secondary path the server sees includes ${LIVE_DEFAULTS.playoutDelayFrames} frames of delay, and an answer that takes longer than ${LIVE_DEFAULTS.playoutDelayFrames} frames is late
(discarded; its slot plays silence). Broadband noise is only cancellable when 6 ms > 0.25 ms + ${LIVE_DEFAULTS.playoutDelayFrames} frames:
frames of at most 32 samples (2 ms, round trip < 4 ms). With longer frames (e.g. --frame 160 = 10 ms) only
periodic noise (--scene engine, chirp) can be cancelled — that is physics, not a fault.`;

/** How a live session reaches the service. */
export type LiveTransport = 'ws' | 'grpc' | 'webrtc';
const TRANSPORTS: readonly LiveTransport[] = ['ws', 'grpc', 'webrtc'];

export interface LiveOptions {
  url: string;
  apiKey: string | undefined;
  grpcPort: number;
  scene: SceneName;
  transport: LiveTransport;
  frame: number;
  identificationS: number;
}

type LiveValues = { [K in keyof typeof LIVE_OPTIONS]?: string };

export function parseLiveOptions(values: LiveValues): LiveOptions {
  const url = values.url ?? LIVE_DEFAULTS.url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url must be a URL like ${LIVE_DEFAULTS.url}, got '${url}'`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) throw new UsageError(`--url must be http(s):// or ws(s)://, got '${url}'`);
  const scene = values.scene ?? LIVE_DEFAULTS.scene;
  if (!isSceneName(scene)) throw new UsageError(`unknown scene '${scene}'; known scenes: ${SCENE_NAMES.join(', ')}`);
  const transport = values.transport ?? LIVE_DEFAULTS.transport;
  if (!(TRANSPORTS as readonly string[]).includes(transport)) throw new UsageError(`--transport must be ws, grpc or webrtc, got '${transport}'`);
  const apiKey = values['api-key'];
  if (apiKey !== undefined && apiKey.trim() === '') throw new UsageError('--api-key is empty');
  return {
    url,
    apiKey,
    grpcPort: integerOption(values['grpc-port'], 'grpc-port', { min: 1, max: 65535 }) ?? LIVE_DEFAULTS.grpcPort,
    scene,
    transport: transport as LiveTransport,
    frame: integerOption(values.frame, 'frame', { min: 16, max: 4096 }) ?? LIVE_DEFAULTS.frame,
    identificationS: numberOption(values.identification, 'identification', { min: 0.1, max: 60 }) ?? LIVE_DEFAULTS.identificationS,
  };
}

type ClientModule = typeof import('@antiphase/client');

/** The client SDK, loaded on first use. */
export function loadClient(): Promise<ClientModule> {
  return import('@antiphase/client');
}

/** An ApiClient holding a credential: the API key, or a fresh throwaway user's JWT. */
export async function authenticate(sdk: ClientModule, options: LiveOptions): Promise<{ api: ApiClient; credential: string; how: string }> {
  if (options.apiKey !== undefined) {
    const api = new sdk.ApiClient({ baseUrl: options.url, apiKey: options.apiKey });
    return { api, credential: options.apiKey, how: 'API key' };
  }
  const api = new sdk.ApiClient({ baseUrl: options.url });
  const { email, password } = sdk.throwawayCredentials('antiphase-cli');
  try {
    await api.signUp(email, password);
  } catch (error) {
    throw liveError(error, options, 'registering a throwaway user');
  }
  return { api, credential: api.token!, how: `throwaway user ${email}` };
}

/** Expected failures of the service (network, auth, config) as CliErrors with one clear line. */
export function liveError(error: unknown, options: LiveOptions, doing: string): Error {
  const name = (error as { name?: string }).name;
  if (name === 'ApiRequestError') {
    const { status, code, message } = error as { status: number; code: string; message: string };
    if (status === 0) return new CliError(`cannot reach ${options.url} while ${doing}: ${message.replace(/^\S+ \S+: /, '')} (is 'antiphase serve' running?)`);
    if (code === 'FORBIDDEN' && doing.startsWith('registering')) {
      return new CliError(`${options.url} does not allow self-registration; pass --api-key KEY (create one with POST /api/v1/api-keys)`);
    }
    if (status === 401) return new CliError(`${options.url} refused the credentials while ${doing}: ${message}`);
    return new CliError(`${doing} failed: ${message}`);
  }
  if (name === 'StreamError') {
    const { codeName, message } = error as { codeName?: string; message: string };
    return new CliError(`${options.transport} stream ${doing} failed${codeName ? ` (${codeName})` : ''}: ${message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** "WebSocket http://…", "gRPC host:port", "WebRTC http://…", for progress lines. */
export function describeTransport(options: LiveOptions): string {
  if (options.transport === 'grpc') return `gRPC ${grpcAddress(options)}`;
  return `${options.transport === 'ws' ? 'WebSocket' : 'WebRTC'} ${options.url}`;
}

/** The gRPC address: --url's host with --grpc-port. */
export function grpcAddress(options: LiveOptions): string {
  const host = new URL(options.url).hostname;
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${options.grpcPort}`;
}

export interface RoomSession {
  room: VirtualRoom;
  client: StreamClient;
  sessionId: string;
  /** Closes the stream and ends the session on the server (errors ignored). */
  close(): Promise<void>;
}

/** Creates a session for `room` over REST and connects a stream client to it. */
export async function openRoomSession(sdk: ClientModule, api: ApiClient, credential: string, room: VirtualRoom, options: LiveOptions): Promise<RoomSession> {
  const config = room.sessionConfig();
  let sessionId: string;
  try {
    sessionId = (await api.createSession(config)).id;
  } catch (error) {
    throw liveError(error, options, 'creating a session');
  }
  const client: StreamClient = options.transport === 'ws' ? new sdk.WsStreamClient()
    : options.transport === 'webrtc' ? new sdk.RtcStreamClient() : new sdk.GrpcStreamClient();
  const end = async (): Promise<void> => {
    await client.close().catch(() => undefined);
    await api.endSession(sessionId).catch(() => undefined);
  };
  try {
    await client.connect({ url: options.transport === 'grpc' ? grpcAddress(options) : options.url, token: credential, sessionId, config });
  } catch (error) {
    await end();
    throw liveError(error, options, 'connecting');
  }
  return { room, client, sessionId, close: end };
}

const OPTIONS = { ...LIVE_OPTIONS, seconds: { type: 'string' }, seed: { type: 'string' } } as const;

const HELP = `Usage: antiphase stream [--url URL] [--api-key KEY] [--scene NAME] [--transport ws|grpc|webrtc] [--seconds N] [--frame SAMPLES]

One live ANC session against the service: a simulated room runs here in real time and streams its reference
and error microphones; the server identifies the secondary path (network delay included), then adapts its
controller and streams anti-noise back, which the room plays. One line per second reports the room's true
noise reduction NR = 10*log10(sum d^2 / sum e^2) and the round trips. Ctrl-C stops it (exit code 130).

Options:
${LIVE_HELP}
  --seconds N           seconds of audio (default 10)
  --seed N              scene random seed (default 1)
  -h, --help            show this help

${LIVE_PHYSICS}
`;

export const streamCommand: Command = {
  name: 'stream',
  summary: 'one live virtual-room session against the service (WebSocket or gRPC), NR each second',
  help: HELP,
  async run(argv) {
    const values = parseOptions(argv, OPTIONS);
    const options = parseLiveOptions(values);
    const durationS = integerOption(values.seconds, 'seconds', { min: 1, max: 86400 }) ?? 10;
    const seed = integerOption(values.seed, 'seed', { min: 0, max: 0xffffffff }) ?? 1;

    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    try {
      const sdk = await loadClient();
      const { api, credential, how } = await authenticate(sdk, options);
      const room = new sdk.VirtualRoom({
        scene: options.scene, seed, frameSize: options.frame, sampleRate: LIVE_DEFAULTS.sampleRate,
        playoutDelayFrames: LIVE_DEFAULTS.playoutDelayFrames, identificationS: options.identificationS,
      });
      const session = await openRoomSession(sdk, api, credential, room, options);
      const T = (options.frame * 1000) / LIVE_DEFAULTS.sampleRate;
      out(`antiphase stream: session ${session.sessionId} over ${describeTransport(options)} (${how})`);
      out(`  ${options.scene} scene, ${LIVE_DEFAULTS.sampleRate} Hz, ${options.frame}-sample frames (${fixed(T, 2)} ms), playout ${LIVE_DEFAULTS.playoutDelayFrames} frames ` +
        `(round-trip budget ${fixed(LIVE_DEFAULTS.playoutDelayFrames * T, 1)} ms); causality margin ${room.causalityMarginSamples} samples` +
        (room.causalityMarginSamples < 0 ? ' (negative: only periodic noise can be cancelled)' : ''));
      out(`  the server identifies the secondary path for the first ${options.identificationS} s, then controls; Ctrl-C stops`);
      let report: VirtualRoomReport;
      try {
        report = await room.run(session.client, {
          durationS,
          signal: stop.signal,
          onSecond: (s) => out(
            `t=${String(s.second).padStart(3)}s  NR ${fixed(s.nrDb).padStart(5)} dB  ${bar(s.nrDb)}  ` +
              `rtt p50 ${fixed(s.rttUs.p50 / 1000, 2)} ms, p99 ${fixed(s.rttUs.p99 / 1000, 2)} ms  late ${s.framesLate}` +
              (s.second <= Math.ceil(options.identificationS) ? '  (identifying)' : ''),
          ),
        });
      } finally {
        await session.close();
      }
      const seconds = report.nrDbPerSecond.length;
      const steadyFrom = Math.max(0, Math.min(seconds - 1, Math.ceil(options.identificationS) + 1));
      out(
        `${report.stoppedBy === 'aborted' ? 'interrupted' : 'done'}: ${fixed(report.audioS, 1)} s of audio; ` +
          (seconds > 0 ? `NR over t=${steadyFrom + 1}…${seconds}s ${fixed(room.nrDb(steadyFrom))} dB; ` : '') +
          `frames sent ${report.framesSent}, late ${report.framesLate}, lost ${report.framesLost}; ` +
          `rtt p50 ${fixed(report.rttUs.p50 / 1000, 2)} ms, p95 ${fixed(report.rttUs.p95 / 1000, 2)} ms, p99 ${fixed(report.rttUs.p99 / 1000, 2)} ms` +
          (report.reconnects > 0 ? `; reconnects ${report.reconnects}` : ''),
      );
      if (report.stoppedBy === 'closed') throw new CliError(`the stream closed before the end: ${report.closeReason ?? 'unknown reason'}`);
      return report.stoppedBy === 'aborted' ? EXIT_INTERRUPTED : 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};

/** A bar of one '#' per 2 dB of NR, up to 40 dB. */
function bar(nrDb: number): string {
  const filled = Math.max(0, Math.min(20, Math.round((Number.isFinite(nrDb) ? nrDb : 40) / 2)));
  return `|${'#'.repeat(filled)}${' '.repeat(20 - filled)}|`;
}
