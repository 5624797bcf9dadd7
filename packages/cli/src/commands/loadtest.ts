/**
 * `antiphase loadtest`: N virtual rooms at once, each its own session and stream, all paced in real time in this
 * process, against a running service. Reports the round-trip distribution (send → anti-noise, all sessions
 * pooled), frames sent / late / lost, the mean true NR and this process's own CPU use (a saturated load
 * generator would make the service look slower than it is).
 */
import { integerOption, numberOption, parseOptions } from '../args.js';
import { note, out, type Command } from '../command.js';
import { CliError, EXIT_INTERRUPTED } from '../errors.js';
import { fixed, table, toJsonLine } from '../format.js';
import {
  LIVE_DEFAULTS, LIVE_HELP, LIVE_OPTIONS, LIVE_PHYSICS, authenticate, describeTransport, loadClient, openRoomSession, parseLiveOptions,
  type RoomSession,
} from './stream.js';

const OPTIONS = { ...LIVE_OPTIONS, sessions: { type: 'string' }, duration: { type: 'string' }, json: { type: 'boolean' } } as const;

/** Upper edges of the latency histogram's bins, ms. */
const HISTOGRAM_EDGES_MS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

const HELP = `Usage: antiphase loadtest --sessions N --transport ws|grpc|webrtc --duration S [--frame SAMPLES] [--scene NAME]
                          [--url URL] [--api-key KEY] [--json]

Runs N virtual rooms concurrently against the service, each with its own session and stream, paced in real
time: every frame period each room captures a frame, sends it, and plays the anti-noise that came back for the
frame ${LIVE_DEFAULTS.playoutDelayFrames} periods earlier. Prints a histogram of the round trips (send -> anti-noise received, all sessions)
and the totals. Ctrl-C stops early and reports what ran (exit code 130).

Options:
  --sessions N          concurrent sessions (default 1)
  --duration S          seconds of audio per session (default 10)
${LIVE_HELP}
  --json                print one JSON object: rttMsP50, rttMsP95, rttMsP99, framesSent, framesLate, framesLost,
                        meanNrDb, sessions, durationS, transport, frameSize, loadGeneratorCpuPercent (and more)
  -h, --help            show this help

framesLate: answers that arrived after their playout slot (discarded); framesLost: never answered.
meanNrDb: the mean over sessions of each room's true NR after the identification phase (from the second
after it ends; the whole run after identification if that is all there is).
loadGeneratorCpuPercent: this process's CPU time / wall time (100 = one core busy).

${LIVE_PHYSICS}
`;

export const loadtestCommand: Command = {
  name: 'loadtest',
  summary: 'N concurrent virtual-room sessions against the service: latency histogram, late/lost frames, NR',
  help: HELP,
  async run(argv) {
    const values = parseOptions(argv, OPTIONS);
    const options = parseLiveOptions(values);
    const sessions = integerOption(values.sessions, 'sessions', { min: 1, max: 10000 }) ?? 1;
    const durationS = numberOption(values.duration, 'duration', { min: 0, exclusiveMin: true, max: 86400 }) ?? 10;
    const json = values.json === true;
    const say = (text: string) => (json ? note('loadtest', text) : out(`antiphase loadtest: ${text}`));

    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    const opened: RoomSession[] = [];
    try {
      const sdk = await loadClient();
      const { api, credential, how } = await authenticate(sdk, options);
      // Open every session before any room starts, so that all of them run the same stretch of time.
      const opening = await Promise.allSettled(Array.from({ length: sessions }, (_, i) => {
        const room = new sdk.VirtualRoom({
          scene: options.scene, seed: i + 1, frameSize: options.frame, sampleRate: LIVE_DEFAULTS.sampleRate,
          playoutDelayFrames: LIVE_DEFAULTS.playoutDelayFrames, identificationS: options.identificationS,
        });
        return openRoomSession(sdk, api, credential, room, options);
      }));
      for (const result of opening) if (result.status === 'fulfilled') opened.push(result.value);
      const failed = opening.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        throw new CliError(`${opening.length - opened.length} of ${sessions} sessions could not start: ${(failed.reason as Error).message}`);
      }
      say(`${sessions} session${sessions === 1 ? '' : 's'} over ${describeTransport(options)} ` +
        `(${how}), ${options.scene} scene, ${options.frame}-sample frames, ${durationS} s in real time`);

      const cpuBefore = process.cpuUsage();
      const wallBefore = performance.now();
      const reports = await Promise.all(opened.map((s) => s.room.run(s.client, { durationS, signal: stop.signal })));
      const wallS = (performance.now() - wallBefore) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuPercent = ((cpu.user + cpu.system) / 1e6 / wallS) * 100;

      const rtts: number[] = [];
      for (const s of opened) for (const v of s.room.rttSamplesUs) rtts.push(v / 1000);
      const summary = sdk.summarize(rtts);
      const sum = (key: 'framesSent' | 'framesLate' | 'framesLost' | 'framesUnsent' | 'reconnects') => reports.reduce((acc, r) => acc + r[key], 0);
      const steadyFrom = Math.ceil(options.identificationS) + 1;
      const nrs = opened.map((s, i) => {
        const seconds = reports[i].nrDbPerSecond.length;
        const from = seconds > steadyFrom ? steadyFrom : Math.max(0, Math.min(Math.ceil(options.identificationS), seconds - 1));
        return s.room.nrDb(from);
      });
      const finiteNrs = nrs.filter((v) => Number.isFinite(v));
      const meanNrDb = finiteNrs.length > 0 ? finiteNrs.reduce((a, b) => a + b, 0) / finiteNrs.length : null;
      const aborted = reports.some((r) => r.stoppedBy === 'aborted');
      const closed = reports.filter((r) => r.stoppedBy === 'closed');
      const errors: Record<string, number> = {};
      for (const r of reports) for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;

      const result = {
        rttMsP50: summary.p50,
        rttMsP95: summary.p95,
        rttMsP99: summary.p99,
        rttMsMean: summary.mean,
        rttMsMax: summary.max,
        framesSent: sum('framesSent'),
        framesLate: sum('framesLate'),
        framesLost: sum('framesLost'),
        framesUnsent: sum('framesUnsent'),
        meanNrDb,
        nrDbPerSession: nrs,
        sessions,
        sessionsClosedEarly: closed.length,
        durationS,
        audioS: Math.min(...reports.map((r) => r.audioS)),
        wallS,
        transport: options.transport,
        frameSize: options.frame,
        sampleRate: LIVE_DEFAULTS.sampleRate,
        playoutDelayFrames: LIVE_DEFAULTS.playoutDelayFrames,
        scene: options.scene,
        loadGeneratorCpuPercent: cpuPercent,
        reconnects: sum('reconnects'),
        errors,
        histogramMs: sdk.histogram(rtts, HISTOGRAM_EDGES_MS).map((b) => ({ fromMs: b.from, toMs: Number.isFinite(b.to) ? b.to : null, count: b.count })),
      };
      if (json) {
        out(toJsonLine(result));
      } else {
        out(`round trips (send -> anti-noise), ${summary.count} answers from ${sessions} session${sessions === 1 ? '' : 's'}:`);
        out(histogramTable(result.histogramMs, summary.count));
        out(`  rtt p50 ${fixed(summary.p50, 3)} ms, p95 ${fixed(summary.p95, 3)} ms, p99 ${fixed(summary.p99, 3)} ms, max ${fixed(summary.max, 3)} ms ` +
          `(budget ${fixed((LIVE_DEFAULTS.playoutDelayFrames * options.frame * 1000) / LIVE_DEFAULTS.sampleRate, 1)} ms)`);
        out(`  frames sent ${result.framesSent}, late ${result.framesLate}, lost ${result.framesLost}` +
          (result.framesUnsent > 0 ? `, not sent (stream down) ${result.framesUnsent}` : '') +
          (result.reconnects > 0 ? `; reconnects ${result.reconnects}` : ''));
        out(`  mean NR after identification ${fixed(meanNrDb)} dB (per session: ${nrs.map((v) => fixed(v)).join(' ')})`);
        out(`  load generator CPU ${fixed(cpuPercent, 0)}% of one core over ${fixed(wallS, 1)} s`);
        if (Object.keys(errors).length > 0) out(`  errors: ${Object.entries(errors).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      }
      if (closed.length > 0) {
        note('loadtest', `${closed.length} session${closed.length === 1 ? '' : 's'} closed early: ${closed[0].closeReason ?? 'unknown reason'}`);
        if (closed.length === sessions) return 1;
      }
      return aborted ? EXIT_INTERRUPTED : 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await Promise.all(opened.map((s) => s.close()));
    }
  },
};

function histogramTable(bins: { fromMs: number; toMs: number | null; count: number }[], total: number): string {
  const max = Math.max(1, ...bins.map((b) => b.count));
  const rows = bins.map((b) => [
    b.toMs === null ? `≥ ${b.fromMs} ms` : `${b.fromMs}–${b.toMs} ms`,
    String(b.count),
    total > 0 ? `${fixed((100 * b.count) / total, 1)}%` : 'n/a',
    '#'.repeat(Math.round((40 * b.count) / max)),
  ]);
  return table(['round trip', 'answers', 'share', ''], rows);
}
