/**
 * npm run bench:server — the service under real-time load (docs/benchmarks.md, "Service").
 *
 * For each transport (WebSocket, gRPC, WebRTC data channel) and frame size (32 and 160 samples at 16 kHz, FxNLMS with 256 taps, a
 * known Ŝ of D·N + 256 taps, so every session controls from its first frame): a fresh server in its own child process (bench/lib/server-child.ts,
 * loopback, temporary data directory) and, in this process, a light load generator (bench/lib/loadgen.ts, on the threads of bench/lib/loadgen-pool.ts) running
 * N virtual rooms paced in real time. Measured at 1 and 100 sessions and at the largest sustainable number, found
 * by a ramp (+100 per step from 100) then a bisection; each step settles, then measures for a window:
 *
 *   sustainable = p99 round trip < one frame duration, no frame late (answer after its playout slot), none lost.
 *
 * Per step: the server's processingUs (time from receiving the frame to sending the answer, carried in every
 * answer) p50/p99, the round trip (send → answer received) p50/p95/p99, frames sent/late/lost, the server
 * process's CPU (/proc/<pid>/stat: main thread + engine workers) and this process's (process.cpuUsage()), both in
 * % of one core over the window, and how late the generator itself sent frames (a generator behind schedule
 * would make the server look better or worse than it is).
 *
 *   --quick                 short steps (settle 1 s, measure 3 s) and a coarser search
 *   --json                  one JSON object on stdout (progress stays on stderr)
 *   --transports ws,grpc,webrtc  --frames 32,160    --max N (search ceiling, default 1000)
 *   --settle S --measure S  step timing (default 2 and 6 s)
 *   --workers N             engine worker threads in the server (default: the server's, 0 = inline on ≤ 2 cores)
 *   --sessions 1,50,100     fixed session counts instead of 1, 100 and the search; --repeat N runs them N times
 *                           (a fresh server each time) and reports the median of every figure and "ok k/N"
 *   --server-args "…"       extra node flags for the server process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof")
 *   --gen-threads N         load-generator threads (default 2; bench/lib/loadgen-pool.ts), rooms split evenly
 *   --floor                 with --sessions: each run of the steps also runs them against
 *                           bench/lib/floor-server.ts (the least a Node ws or grpc-js server must do per frame: no
 *                           engine, no DSP), alternating with the service, and prints the service's CPU per session as a ratio
 *                           to the floor's — a baseline measured in the same run on the same machine
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, cpus, endianness } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { quantile, type Transport } from './lib/loadgen.js';
import { LoadGeneratorPool } from './lib/loadgen-pool.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'boolean' },
    transports: { type: 'string' },
    frames: { type: 'string' },
    max: { type: 'string' },
    settle: { type: 'string' },
    measure: { type: 'string' },
    workers: { type: 'string' },
    'server-args': { type: 'string' },
    sessions: { type: 'string' },
    repeat: { type: 'string' },
    floor: { type: 'boolean' },
    'gen-threads': { type: 'string' },
  },
});

if (endianness() !== 'LE') throw new Error('the load generator writes float32 samples in place and needs a little-endian host');

const QUICK = args.quick === true;
const SAMPLE_RATE = 16000;
const PLAYOUT_DELAY = 2;
const TAPS = 256;
const transports = (args.transports ?? 'ws,grpc').split(',') as Transport[];
const frames = (args.frames ?? '32,160').split(',').map(Number);
const MAX = Number(args.max ?? 1000);
const SETTLE_S = Number(args.settle ?? (QUICK ? 1 : 2));
const MEASURE_S = Number(args.measure ?? (QUICK ? 3 : 6));
/** A whole-number option ≥ 1 (NaN would silently run or start nothing). */
function atLeastOne(name: 'repeat' | 'gen-threads', fallback: number): number {
  const value = Number(args[name] ?? fallback);
  if (!(Number.isInteger(value) && value >= 1)) throw new Error(`--${name} must be a whole number ≥ 1, got ${args[name]}`);
  return value;
}
/** Fixed session counts to measure instead of 1, 100 and the search (e.g. --sessions 200). */
const FIXED = args.sessions ? args.sessions.split(',').map(Number) : null;
/** With --sessions: run the list this many times, each on a fresh server, and report each step's medians. */
const REPEAT = atLeastOne('repeat', 1);
const GEN_THREADS = atLeastOne('gen-threads', 2);
/** Also measure the transport floor (bench/lib/floor-server.ts) at the same steps, as the baseline. */
const FLOOR = args.floor === true;
if (FLOOR && (transports.includes('webrtc') || !FIXED)) throw new Error('--floor needs --sessions, and the floor has no WebRTC server');

const log = (text: string): void => {
  process.stderr.write(`bench:server: ${text}\n`);
};

interface ServerProcess {
  url: string;
  grpcAddress: string;
  pid: number;
  workers: number;
  stop(): Promise<void>;
}

async function startServerProcess(floor: boolean): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'antiphase-bench-'));
  const execArgv = ['--import', 'tsx', ...(args['server-args'] ? args['server-args'].split(/\s+/).filter(Boolean) : [])];
  // WebRTC stays on loopback, where the load generator's peers are.
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DATA_DIR: dataDir, ANTIPHASE_CONFIG: '', ANTIPHASE_WEBRTC_ADDRESSES: '127.0.0.1' };
  if (args.workers !== undefined) env.ANTIPHASE_WORKERS = args.workers;
  const child = fork(new URL(floor ? './lib/floor-server.ts' : './lib/server-child.ts', import.meta.url), [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ url: string; grpcPort: number; workers: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { url: string; grpcPort: number; workers: number }));
    child.once('exit', (code) => reject(new Error(`the server process exited with code ${code} before it was ready`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: ready.url,
    grpcAddress: `127.0.0.1:${ready.grpcPort}`,
    pid: child.pid!,
    workers: ready.workers,
    async stop() {
      child.send({ t: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU seconds (user + system) of a process, all threads — or of its main thread only (its task of the same id). */
function processCpuS(pid: number, mainThread = false): number {
  const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime, stime (fields 14, 15)
}

function selfCpuS(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function token(url: string): Promise<string> {
  const email = `bench-${Date.now()}@example.com`;
  const password = 'bench-password-123';
  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  await post('/auth/register', { email, password });
  return String((await post('/auth/login', { email, password })).token);
}

export interface StepResult {
  sessions: number;
  sustainable: boolean;
  why: string | null;
  processingUsP50: number;
  processingUsP99: number;
  rttMsP50: number;
  rttMsP95: number;
  rttMsP99: number;
  rttMsMax: number;
  framesSent: number;
  framesLate: number;
  framesLost: number;
  serverCpuPercent: number;
  /** The server's main thread alone: the transports' I/O, and the engine when it runs inline. */
  serverMainThreadCpuPercent: number;
  loadGeneratorCpuPercent: number;
  /** How late the generator sent frames after their due time, ms. */
  sendLagMsP99: number;
  errors: Record<string, number>;
  windowS: number;
  loadAverage: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measureStep(gen: LoadGeneratorPool, server: ServerProcess, frameMs: number): Promise<StepResult> {
  await sleep(SETTLE_S * 1000);
  const cpu0 = processCpuS(server.pid);
  const main0 = processCpuS(server.pid, true);
  const self0 = selfCpuS();
  const t0 = performance.now();
  await gen.beginStep();
  await sleep(MEASURE_S * 1000);
  await gen.endStep();
  const windowS = (performance.now() - t0) / 1000;
  const serverCpu = ((processCpuS(server.pid) - cpu0) / windowS) * 100;
  const serverMainCpu = ((processCpuS(server.pid, true) - main0) / windowS) * 100;
  const selfCpu = ((selfCpuS() - self0) / windowS) * 100;
  // Answers of the window's last frames: give them time to arrive (they then count as late, not lost).
  await sleep(Math.max(300, 4 * PLAYOUT_DELAY * frameMs));
  const { counters: step, roomsClosed } = await gen.collectStep();
  const rtt = step.rttUs.sorted();
  const proc = step.processingUs.sorted();
  const lag = step.sendLagUs.sorted();
  const lost = step.sent - step.answered;
  const result: StepResult = {
    sessions: gen.size,
    sustainable: false,
    why: null,
    processingUsP50: quantile(proc, 0.5),
    processingUsP99: quantile(proc, 0.99),
    rttMsP50: quantile(rtt, 0.5) / 1000,
    rttMsP95: quantile(rtt, 0.95) / 1000,
    rttMsP99: quantile(rtt, 0.99) / 1000,
    rttMsMax: rtt.length ? rtt[rtt.length - 1] / 1000 : NaN,
    framesSent: step.sent,
    framesLate: step.late,
    framesLost: lost,
    serverCpuPercent: serverCpu,
    serverMainThreadCpuPercent: serverMainCpu,
    loadGeneratorCpuPercent: selfCpu,
    sendLagMsP99: quantile(lag, 0.99) / 1000,
    errors: step.errors,
    windowS,
    loadAverage: loadavg()[0],
  };
  const reasons: string[] = [];
  if (!(result.rttMsP99 < frameMs)) reasons.push(`p99 round trip ${result.rttMsP99.toFixed(2)} ms ≥ ${frameMs} ms`);
  if (result.framesLate > 0) reasons.push(`${result.framesLate} late`);
  if (result.framesLost > 0) reasons.push(`${result.framesLost} lost`);
  if (Object.keys(result.errors).length > 0) reasons.push(`errors ${JSON.stringify(result.errors)}`);
  if (roomsClosed > 0) reasons.push(`${roomsClosed} streams closed`);
  result.sustainable = reasons.length === 0;
  result.why = reasons.length ? reasons.join('; ') : null;
  return result;
}

/**
 * Ŝ as the session would have identified it with the default identification (D·N known zeros, then 256 taps of
 * acoustics): the room's acoustic path [0, 0.8, 0.3] (bench/lib/loadgen.ts) padded to 256 taps, so the per-frame
 * cost is that of an identified session. Identification itself is skipped: see docs/benchmarks.md for its cost.
 */
function secondaryPathEstimate(frameSize: number): number[] {
  const taps = new Array<number>(PLAYOUT_DELAY * frameSize + 256).fill(0);
  taps[PLAYOUT_DELAY * frameSize + 1] = 0.8;
  taps[PLAYOUT_DELAY * frameSize + 2] = 0.3;
  return taps;
}

interface ConfigResult {
  transport: Transport;
  frameSize: number;
  frameMs: number;
  serverWorkers: number;
  at1: StepResult | null;
  at100: StepResult | null;
  max: StepResult | null;
  maxSessions: number;
  /** Every step in order (the search's trace). */
  steps: StepResult[];
}

async function runConfig(transport: Transport, frameSize: number, floor = false): Promise<ConfigResult> {
  const frameMs = (frameSize * 1000) / SAMPLE_RATE;
  const server = await startServerProcess(floor);
  const gen = new LoadGeneratorPool({
    transport, url: server.url, grpcAddress: server.grpcAddress, token: await token(server.url), sampleRate: SAMPLE_RATE, frameSize,
    playoutDelayFrames: PLAYOUT_DELAY,
    config: {
      sampleRate: SAMPLE_RATE, frameSize, algorithm: 'fxnlms', taps: TAPS, playoutDelayFrames: PLAYOUT_DELAY,
      secondaryPathEstimate: secondaryPathEstimate(frameSize),
    },
  }, GEN_THREADS);
  const result: ConfigResult = { transport, frameSize, frameMs, serverWorkers: server.workers, at1: null, at100: null, max: null, maxSessions: 0, steps: [] };
  const at = async (n: number): Promise<StepResult> => {
    let step: StepResult;
    try {
      await gen.resize(n);
      step = await measureStep(gen, server, frameMs);
    } catch (error) {
      step = { ...emptyStep(n), why: `could not open ${n} sessions: ${(error as Error).message}` };
    }
    result.steps.push(step);
    log(`${floor ? 'floor ' : ''}${transport} N=${frameSize} ${String(n).padStart(4)} sessions: ${step.sustainable ? 'ok  ' : 'FAIL'} ` +
      `proc p50/p99 ${f(step.processingUsP50, 0)}/${f(step.processingUsP99, 0)} µs, rtt p50/p95/p99 ${f(step.rttMsP50, 2)}/${f(step.rttMsP95, 2)}/${f(step.rttMsP99, 2)} ms, ` +
      `sent ${step.framesSent} late ${step.framesLate} lost ${step.framesLost}, cpu server ${f(step.serverCpuPercent, 0)}% (main thread ${f(step.serverMainThreadCpuPercent, 0)}%) gen ${f(step.loadGeneratorCpuPercent, 0)}%, ` +
      `gen lag p99 ${f(step.sendLagMsP99, 2)} ms, load ${f(step.loadAverage, 1)}${step.why ? ` — ${step.why}` : ''}`);
    return step;
  };
  try {
    if (FIXED) {
      for (const n of FIXED) await at(n);
      return result;
    }
    result.at1 = await at(1);
    result.at100 = await at(100);
    // Search: ramp up by `stride` from the last good count, then bisect between the last good and first bad.
    let good = result.at100.sustainable ? 100 : result.at1.sustainable ? 1 : 0;
    let goodStep: StepResult | null = result.at100.sustainable ? result.at100 : result.at1.sustainable ? result.at1 : null;
    let bad = result.at100.sustainable ? 0 : 100;
    const stride = 100;
    while (bad === 0) {
      const n = Math.min(MAX, good + stride);
      if (n === good) break;
      const step = await at(n);
      if (step.sustainable) {
        good = n;
        goodStep = step;
      } else {
        bad = n;
      }
    }
    const resolution = QUICK ? 50 : 20;
    while (bad !== 0 && bad - good > resolution) {
      const n = Math.round((good + bad) / 2);
      const step = await at(n);
      if (step.sustainable) {
        good = n;
        goodStep = step;
      } else {
        bad = n;
      }
    }
    result.maxSessions = good;
    result.max = goodStep;
    return result;
  } finally {
    await gen.close();
    await server.stop();
  }
}

function emptyStep(n: number): StepResult {
  return {
    sessions: n, sustainable: false, why: null, processingUsP50: NaN, processingUsP99: NaN, rttMsP50: NaN, rttMsP95: NaN, rttMsP99: NaN, rttMsMax: NaN,
    framesSent: 0, framesLate: 0, framesLost: 0, serverCpuPercent: NaN, serverMainThreadCpuPercent: NaN, loadGeneratorCpuPercent: NaN, sendLagMsP99: NaN, errors: {}, windowS: 0,
    loadAverage: loadavg()[0],
  };
}

function f(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

function row(config: ConfigResult, label: string, s: StepResult | null): string {
  if (!s) return `| ${config.transport} | ${config.frameSize} | ${label} | — | — | — | — | — | — | — | — |`;
  return `| ${config.transport} | ${config.frameSize} (${config.frameMs} ms) | ${label} | ${f(s.processingUsP50, 0)} / ${f(s.processingUsP99, 0)} | ` +
    `${f(s.rttMsP50, 2)} / ${f(s.rttMsP95, 2)} / ${f(s.rttMsP99, 2)} | ${s.framesSent} / ${s.framesLate} / ${s.framesLost} | ` +
    `${f(s.serverCpuPercent, 0)} (${f(s.serverMainThreadCpuPercent, 0)}) | ${f(s.loadGeneratorCpuPercent, 0)} | ${f(s.sendLagMsP99, 2)} | ${f(s.loadAverage, 1)} |`;
}

const startedAt = new Date();
log(`${cpus().length} cores, load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}; settle ${SETTLE_S} s, measure ${MEASURE_S} s per step`);
const results: ConfigResult[] = [];
/** With --floor: the floor's results, one per entry of `results`. */
const floors: ConfigResult[] = [];
const merged = (runs: ConfigResult[]): ConfigResult =>
  runs.length === 1 ? runs[0] : { ...runs[0], steps: runs[0].steps.map((_, i) => medianStep(runs.map((run) => run.steps[i]))) };
for (const transport of transports) {
  for (const frameSize of frames) {
    const runs: ConfigResult[] = [];
    const floorRuns: ConfigResult[] = [];
    for (let r = 0; r < (FIXED ? REPEAT : 1); r++) {
      // Floor and service alternate, so that drift in the machine's speed hits both alike.
      if (FLOOR) floorRuns.push(await runConfig(transport, frameSize, true));
      runs.push(await runConfig(transport, frameSize));
    }
    results.push(merged(runs));
    if (FLOOR) floors.push(merged(floorRuns));
  }
}

/** Per session, in % of one core: the service's CPU (whole process, main thread) and the generator's, each against the floor's. */
function floorRatios(service: ConfigResult, floor: ConfigResult): string[] {
  return service.steps.map((s, i) => {
    const b = floor.steps[i];
    const cell = (pick: (x: StepResult) => number): string =>
      `${f(pick(s) / s.sessions, 3)} / ${f(pick(b) / b.sessions, 3)} = ${f(pick(s) / pick(b), 2)}×`;
    return `| ${service.transport} | ${service.frameSize} | ${s.sessions} | ${cell((x) => x.serverCpuPercent)} | ${cell((x) => x.serverMainThreadCpuPercent)} | ` +
      `${cell((x) => x.loadGeneratorCpuPercent)} | ${s.sustainable ? 'yes' : 'no'} / ${b.sustainable ? 'yes' : 'no'} |`;
  });
}

/** The median of each figure over repeated runs of one step; sustainable when most runs were, `why` says how many. */
function medianStep(steps: StepResult[]): StepResult {
  const median = (pick: (s: StepResult) => number): number => {
    const values = steps.map(pick).filter(Number.isFinite).sort((a, b) => a - b);
    return values.length ? values[Math.floor((values.length - 1) / 2)] : NaN;
  };
  const ok = steps.filter((s) => s.sustainable).length;
  const numeric = Object.fromEntries(Object.entries(steps[0]).filter(([, v]) => typeof v === 'number').map(([key]) => [key, median((s) => s[key as keyof StepResult] as number)]));
  return {
    ...steps[0], ...numeric, errors: steps.find((s) => Object.keys(s.errors).length > 0)?.errors ?? {},
    sustainable: 2 * ok > steps.length,
    why: `ok in ${ok} of ${steps.length} runs${ok < steps.length ? `: ${steps.filter((s) => !s.sustainable).map((s) => s.why).join(' | ')}` : ''}`,
  };
}
const finishedAt = new Date();

/** Header of the tables of steps (rows by row()), the service's and the floor's. */
const STEP_TABLE_HEADER = [
  '| transport | frame | sessions | server processing p50 / p99 µs | round trip p50 / p95 / p99 ms | frames sent / late / lost | server CPU % (main thread) | load-gen CPU % | gen lag p99 ms | load avg |',
  '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
];

if (args.json) {
  process.stdout.write(`${JSON.stringify({
    generatorThreads: GEN_THREADS, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), cores: cpus().length, node: process.version,
    sampleRate: SAMPLE_RATE, taps: TAPS, playoutDelayFrames: PLAYOUT_DELAY, settleS: SETTLE_S, measureS: MEASURE_S, results, ...(FLOOR ? { floors } : {}),
  })}\n`);
} else {
  const lines = [
    `Service benchmark, ${startedAt.toISOString()} – ${finishedAt.toISOString()}, ${cpus().length} cores (server and load generator share them), load generator on ${GEN_THREADS} thread(s), engine workers ${results[0]?.serverWorkers ?? '?'} (0: inline), node ${process.version}`,
    '',
    ...STEP_TABLE_HEADER,
  ];
  for (const config of results) {
    if (FIXED) {
      for (const s of config.steps) lines.push(row(config, String(s.sessions), s));
      continue;
    }
    lines.push(row(config, '1', config.at1));
    lines.push(row(config, '100', config.at100));
    lines.push(row(config, `max ${config.maxSessions}`, config.max));
  }
  lines.push('', 'Search steps (sessions: ok/FAIL, reason):');
  for (const config of results) {
    lines.push(`- ${config.transport}, ${config.frameSize}: ${config.steps.map((s) => `${s.sessions} ${s.sustainable ? 'ok' : `FAIL (${s.why})`}`).join(', ')}`);
  }
  if (FLOOR) {
    lines.push('', 'The transport floor (bench/lib/floor-server.ts, not the service), same steps, alternating with the service:', '', ...STEP_TABLE_HEADER);
    for (const config of floors) for (const s of config.steps) lines.push(row(config, String(s.sessions), s));
    lines.push('', 'Per session, % of one core: service / floor = ratio', '',
      '| transport | frame | sessions | server process | server main thread | load generator | sustainable (service / floor) |', '|---|---|---|---:|---:|---:|---|');
    results.forEach((config, i) => lines.push(...floorRatios(config, floors[i])));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
