/// <reference types="vite/client" />
/**
 * The demo page: one simulated room (the SDK's 'duct': the reference mic 6 ms of sound travel ahead of the error
 * mic), one noise scene, and the ANC loop closed in one of two places (../shared/DESIGN.md §2):
 *   local    FxNLMS (256 taps, 48 kHz) in an AudioWorklet (worklet.ts), 128-sample render quanta: the only delay
 *            in the loop is one quantum. A generated scene renders in an OfflineAudioContext (as fast as the machine
 *            allows, no user gesture needed); the microphone runs in a real-time AudioContext.
 *   service  the SDK's VirtualRoom streams the same room to the Antiphase service (WebRTC when the browser and the
 *            service can, else WebSocket), which identifies Ŝ for 1 s and then runs FxNLMS with 1024 taps; the room
 *            plays its anti-noise D frames later: D·N samples of delay in the loop.
 * Each run records what the listener hears without control (d, "before") and with it (e, "after") for playback,
 * plots NR per second as it converges, and the results table puts both modes side by side with the reason for the
 * difference: the causality margin delay(P) − (loop delay + delay(S)).
 */
import { connectWithFallback, RtcStreamClient, summarize, VirtualRoom, WsStreamClient, ductGeometry, type StreamClient } from '@antiphase/client/browser';
import { pathDelaySamples, type KernelName } from '@antiphase/dsp';
import workletUrl from './worklet.ts?worker&url';
import { api, ApiFailure, auth } from './api.js';
import { WindowChart } from './charts.js';
import { DURATION_S, PROCESSOR_NAME, QUANTUM, SAMPLE_RATE, TAPS } from './demo-constants.js';
import { DEMO_SCENES, demoScene, isDemoScene, SCENE_LABELS, SIREN_ONSET_S, type DemoScene } from './demo-scenes.js';
import { escapeHtml } from './main.js';
import type { DoneMessage, LocalLoopOptions, WorkletMessage } from './worklet.js';

const MIC = 'microphone';
/** Local FxNLMS step size (normalised), tuned on the duct at 48 kHz. */
const LOCAL_STEP_SIZE = 0.02;
/** Service mode: playout delay D in frames (the SDK's default jitter buffer). */
const PLAYOUT_DELAY_FRAMES = 2;
/** Service mode: how long a slot waits for its answer, ms (see runService). */
const SLOT_DEADLINE_MS = 250;
/**
 * Service mode: FxNLMS taps. Behind 20 ms of playout the filter must predict the harmonics 14 ms ahead, which at
 * 48 kHz takes a filter spanning about one engine period (21 ms); long filters are what the service tier is for.
 */
const SERVICE_TAPS = 1024;
/** NR is reported over the last seconds of a run (the converged part). */
const STEADY_S = 3;

type Mode = 'local' | 'service';

interface RunResult {
  mode: Mode;
  scene: string;
  /** NR per second of audio, dB. */
  nrDbPerSecond: number[];
  /** NR over the last STEADY_S seconds, dB. */
  steadyNrDb: number;
  /** Delay between the controller and the loudspeaker that the loop adds to S, samples. */
  loopDelaySamples: number;
  marginSamples: number;
  detail: string;
  disturbance: Float32Array;
  error: Float32Array;
}

export async function renderDemo(app: HTMLElement): Promise<() => void> {
  const { primaryPath, secondaryPath } = ductGeometry(SAMPLE_RATE);
  const leadSamples = pathDelaySamples(primaryPath);
  const speakerSamples = pathDelaySamples(secondaryPath);
  app.innerHTML = `
    <h1>Demo: active noise control, local and through the service</h1>
    <p>A simulated duct: the reference microphone hears the noise ${ms(leadSamples)} before the listener's error microphone
      (delay(P) = ${leadSamples} samples at 48 kHz); the loudspeaker is ${ms(speakerSamples)} from it (delay(S) = ${speakerSamples}).
      Run the loop in this browser (an AudioWorklet) or through the Antiphase service, then listen to the difference.</p>
    <form id="demo-form" class="inline" aria-describedby="demo-status">
      <label>Noise <select id="scene" name="scene">
        ${DEMO_SCENES.map((s) => `<option value="${s}">${escapeHtml(SCENE_LABELS[s])}</option>`).join('')}
        <option value="${MIC}">Microphone (local mode)</option>
      </select></label>
      <label>Local kernel <select id="kernel" name="kernel">
        <option value="wasm-simd">WASM SIMD</option>
        <option value="scalar">TypeScript (reference)</option>
      </select></label>
      <label>Service frame <select id="frame" name="frame">
        <option value="480">480 samples (10 ms)</option>
        <option value="128">128 samples (2.7 ms)</option>
      </select></label>
      <label>Service transport <select id="transport" name="transport">
        <option value="auto">WebRTC, else WebSocket</option>
        <option value="ws">WebSocket</option>
      </select></label>
      <button type="button" id="run-local">Run locally (AudioWorklet)</button>
      <button type="button" id="run-service">Run through the service</button>
    </form>
    <p id="demo-status" role="status" aria-live="polite">Pick a noise and a mode.</p>
    <p id="demo-error" class="message" role="alert" hidden></p>
    <div class="inline" role="group" aria-label="Playback of the last run">
      <button type="button" id="play-before" disabled>Play before (no control)</button>
      <button type="button" id="play-after" disabled>Play after (with ANC)</button>
      <button type="button" id="play-stop" disabled>Stop</button>
      <span id="play-what"></span>
    </div>
    <div class="grid">
      <div class="card" id="demo-chart"></div>
      <div class="card">
        <table id="demo-results" aria-label="Local and service results">
          <thead><tr><th scope="col"></th><th scope="col">local (AudioWorklet)</th><th scope="col">service</th></tr></thead>
          <tbody>
            <tr><th scope="row">Noise</th><td data-local="scene">–</td><td data-service="scene">–</td></tr>
            <tr><th scope="row">Controller</th><td>FxNLMS, ${TAPS} taps, Ŝ = the room's S</td><td>FxNLMS, ${SERVICE_TAPS} taps, Ŝ identified in the first second</td></tr>
            <tr><th scope="row">NR, last ${STEADY_S} s (dB)</th><td class="figure" id="local-nr" data-local="nr">–</td><td class="figure" id="service-nr" data-service="nr">–</td></tr>
            <tr><th scope="row">Loop delay added to S</th><td data-local="delay">–</td><td data-service="delay">–</td></tr>
            <tr><th scope="row">Causality margin</th><td id="local-margin" data-local="margin">–</td><td id="service-margin" data-service="margin">–</td></tr>
            <tr><th scope="row">Timing</th><td id="local-timing" data-local="detail">–</td><td id="service-timing" data-service="detail">–</td></tr>
          </tbody>
        </table>
        <p id="demo-reason"></p>
      </div>
    </div>`;

  const $ = <T extends HTMLElement>(selector: string): T => app.querySelector<T>(selector)!;
  const chart = new WindowChart($('#demo-chart'), 'NR per second (dB)', [
    { label: 'local', stroke: '#2f6fde' },
    { label: 'service', stroke: '#d9822b' },
  ], 60, { xLabel: 's of audio', yLabel: 'dB' });
  const status = $('#demo-status');
  const errorBox = $<HTMLParagraphElement>('#demo-error');
  const runButtons = [$<HTMLButtonElement>('#run-local'), $<HTMLButtonElement>('#run-service')];
  const results: Partial<Record<Mode, RunResult>> = {};
  const player = new Player($<HTMLButtonElement>('#play-before'), $<HTMLButtonElement>('#play-after'), $<HTMLButtonElement>('#play-stop'), $('#play-what'));
  let abort: AbortController | null = null;

  const showError = (message: string | null): void => {
    errorBox.hidden = message === null;
    errorBox.textContent = message ?? '';
  };

  const run = async (mode: Mode): Promise<void> => {
    const choice = $<HTMLSelectElement>('#scene').value;
    showError(null);
    if (mode === 'service' && choice === MIC) {
      showError('The microphone feeds the local loop only: pick a generated noise to run through the service.');
      return;
    }
    for (const b of runButtons) b.disabled = true;
    abort = new AbortController();
    const series: (number | null)[][] = [[], [], []];
    const otherMode = mode === 'local' ? 'service' : 'local';
    const onSecond = (second: number, nrDb: number, note = ''): void => {
      series[0].push(second);
      series[mode === 'local' ? 1 : 2].push(nrDb);
      series[mode === 'local' ? 2 : 1].push(results[otherMode]?.nrDbPerSecond[second - 1] ?? null);
      chart.set(series as number[][]);
      status.textContent = `${mode === 'local' ? 'Local' : 'Service'}: second ${second} of ${DURATION_S}, NR ${nrDb.toFixed(1)} dB${note}`;
    };
    try {
      status.textContent = mode === 'local' ? 'Starting the AudioWorklet…' : 'Connecting to the service…';
      const result = mode === 'local'
        ? await runLocal(choice === MIC ? null : sceneOf(choice), $<HTMLSelectElement>('#kernel').value as KernelName, onSecond, (text) => (status.textContent = text))
        : await runService(sceneOf(choice), Number($<HTMLSelectElement>('#frame').value), $<HTMLSelectElement>('#transport').value === 'auto', onSecond, abort.signal);
      if (abort.signal.aborted) return;
      results[mode] = result;
      showResult(app, result);
      $('#demo-reason').textContent = reason(results, leadSamples);
      player.load(result);
      status.textContent = `Done: ${mode} NR ${result.steadyNrDb.toFixed(1)} dB over the last ${STEADY_S} s.`;
    } catch (error) {
      if (abort.signal.aborted) return;
      status.textContent = 'The run failed.';
      showError(describeFailure(mode, error));
    } finally {
      for (const b of runButtons) b.disabled = false;
    }
  };
  runButtons[0].addEventListener('click', () => void run('local'));
  runButtons[1].addEventListener('click', () => void run('service'));

  return () => {
    abort?.abort();
    player.close();
    chart.destroy();
  };

  function sceneOf(choice: string): { name: DemoScene; samples: Float32Array } {
    if (!isDemoScene(choice)) throw new Error(`unknown noise '${choice}'`);
    return { name: choice, samples: demoScene(choice, DURATION_S) };
  }

  // ---- local mode ----

  async function runLocal(
    scene: { name: DemoScene; samples: Float32Array } | null,
    kernel: KernelName,
    onSecond: (second: number, nrDb: number, note?: string) => void,
    say: (text: string) => void,
  ): Promise<RunResult> {
    const total = Math.ceil((DURATION_S * SAMPLE_RATE) / QUANTUM) * QUANTUM;
    let microphone: MediaStream | null = null;
    if (scene === null) {
      microphone = await openMicrophone();
      say('Listening to the microphone (the loop runs in real time; the speakers stay silent to avoid feedback)…');
    }
    const context = scene === null ? new AudioContext({ sampleRate: SAMPLE_RATE }) : new OfflineAudioContext(1, total, SAMPLE_RATE);
    try {
      await context.audioWorklet.addModule(workletUrl);
      const options: LocalLoopOptions = {
        scene: scene?.samples ?? null, primaryPath, secondaryPath, stepSize: LOCAL_STEP_SIZE, durationS: DURATION_S, kernel, bypass: true,
      };
      const node = new AudioWorkletNode(context, PROCESSOR_NAME, { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions: options });
      let ready: () => void = () => undefined;
      const constructed = new Promise<void>((resolve) => (ready = resolve));
      const done = new Promise<DoneMessage>((resolve) => {
        node.port.onmessage = (event: MessageEvent<WorkletMessage>) => {
          const message = event.data;
          if (message.type === 'ready') ready();
          else if (message.type === 'second') onSecond(message.second, message.nrDb, message.bypass ? ' (emergency bypass: anti-noise off)' : '');
          else if (message.type === 'done') resolve(message);
        };
      });
      let underrunsBefore: { events: number; seconds: number } | null = null;
      if (microphone !== null && context instanceof AudioContext) {
        // Underruns count from here: not while the context idled before the processor existed.
        await constructed;
        underrunsBefore = playbackUnderruns(context);
        context.createMediaStreamSource(microphone).connect(node);
        // Pulled by the destination but silent: the error signal through the speakers would feed the microphone.
        const mute = context.createGain();
        mute.gain.value = 0;
        node.connect(mute).connect(context.destination);
        await context.resume();
      } else {
        node.connect(context.destination);
        await (context as OfflineAudioContext).startRendering();
      }
      const message = await done;
      const underrunsAfter = context instanceof AudioContext ? playbackUnderruns(context) : null;
      const underruns = underrunsAfter && underrunsBefore
        ? { events: underrunsAfter.events - underrunsBefore.events, seconds: underrunsAfter.seconds - underrunsBefore.seconds } : null;
      const timing = summarize(Array.from(message.quantumUs));
      const budgetUs = (QUANTUM / SAMPLE_RATE) * 1e6;
      const over = message.quantumUs.reduce((n, us) => n + (us > budgetUs ? 1 : 0), 0);
      let detail = message.timed
        ? `${message.kernel} kernel; per ${QUANTUM}-sample quantum: median ${timing.p50.toFixed(1)} µs, p99 ${timing.p99.toFixed(1)} µs, max ${timing.max.toFixed(1)} µs of the ${budgetUs.toFixed(0)} µs budget (${over} of ${message.quantumUs.length} over; clock resolution ${message.clockResolutionUs} µs)`
        : `${message.kernel} kernel; this browser gives the AudioWorklet no clock, so the quanta are not timed`;
      const cell = app.querySelector<HTMLElement>('#local-timing')!;
      cell.dataset.p50Us = timing.p50.toFixed(2);
      cell.dataset.p99Us = timing.p99.toFixed(2);
      cell.dataset.quanta = String(message.quantumUs.length);
      cell.dataset.kernel = message.kernel;
      cell.dataset.maxUs = timing.max.toFixed(2);
      cell.dataset.over = String(over);
      cell.dataset.maxAt = String(message.quantumUs.indexOf(timing.max));
      delete cell.dataset.underruns; // from an earlier run
      if (underruns !== null) {
        cell.dataset.underruns = String(underruns.events);
        detail += `; the audio device reported ${underruns.events} underruns (${(underruns.seconds * 1000).toFixed(1)} ms of audio)`;
      }
      const bypass = message.bypassSeconds > 0 ? `; emergency bypass for ${message.bypassSeconds.toFixed(1)} s` : '';
      return finish('local', scene?.name ?? MIC, QUANTUM, detail + bypass, message.disturbance, message.error);
    } finally {
      microphone?.getTracks().forEach((track) => track.stop());
      if (context instanceof AudioContext) await context.close();
    }
  }

  // ---- service mode ----

  /**
   * The SDK's VirtualRoom, unpaced: frame k runs as soon as the answer to frame k − D is in (or SLOT_DEADLINE_MS
   * passed), so the run takes as long as its round trips and a loaded machine's hiccups do not turn answers late;
   * the delay in the loop is still exactly D·N samples. Whether a real-time client would have made its D·N budget
   * is shown from the measured round trips.
   */
  async function runService(
    scene: { name: DemoScene; samples: Float32Array },
    frameSize: number,
    tryWebRtc: boolean,
    onSecond: (second: number, nrDb: number, note?: string) => void,
    signal: AbortSignal,
  ): Promise<RunResult> {
    const token = auth.token;
    if (token === null) throw new NeedsLogin();
    // One cheap authenticated request first: it tells "log in again" and "the service is down" apart, which a
    // refused WebSocket upgrade or peer connection cannot (browsers hide the status of both).
    try {
      await api('GET', '/auth/me');
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) auth.token = null; // as the dashboard does: log in afresh
      throw error;
    }
    const room = new VirtualRoom({
      sampleRate: SAMPLE_RATE, frameSize, playoutDelayFrames: PLAYOUT_DELAY_FRAMES, scene: scene.samples, primaryPath, secondaryPath,
      pace: false, slotDeadlineMs: SLOT_DEADLINE_MS, identificationS: 1,
    });
    const connect = { url: location.origin, token, config: room.sessionConfig({ taps: SERVICE_TAPS }), reconnect: false, connectTimeoutMs: 10_000 };
    const factories: (() => StreamClient)[] = tryWebRtc && typeof RTCPeerConnection === 'function'
      ? [() => new RtcStreamClient(), () => new WsStreamClient()]
      : [() => new WsStreamClient()];
    const { client, info } = await connectWithFallback(connect, factories);
    const d = new Float32Array(Math.round(DURATION_S * SAMPLE_RATE) + frameSize);
    const e = new Float32Array(d.length);
    let at = 0;
    try {
      const report = await room.run(client, {
        durationS: DURATION_S, signal,
        onFrame: (dFrame, eFrame) => {
          d.set(dFrame, at);
          e.set(eFrame, at);
          at += dFrame.length;
        },
        onSecond: (s) => onSecond(s.second, s.nrDb, s.second <= 1 ? ' (the service identifies Ŝ first)' : ''),
      });
      if (report.stoppedBy === 'closed') throw new Error(`the service closed the stream: ${report.closeReason ?? 'no reason given'}`);
      const budgetUs = ((PLAYOUT_DELAY_FRAMES * frameSize) / SAMPLE_RATE) * 1e6;
      const over = room.rttSamplesUs.reduce((n, us) => n + (us > budgetUs ? 1 : 0), 0);
      const bypass = await bypassEvents(info.sessionId);
      const detail = `${report.transport}; round trip median ${(report.rttUs.p50 / 1000).toFixed(2)} ms, p99 ${(report.rttUs.p99 / 1000).toFixed(2)} ms ` +
        `of the ${(budgetUs / 1000).toFixed(1)} ms playout budget (${over} of ${room.rttSamplesUs.length} answers over it); ${report.framesLate} late, ${report.framesLost} lost${bypass}`;
      return finish('service', scene.name, PLAYOUT_DELAY_FRAMES * frameSize, detail, d.subarray(0, at), e.subarray(0, at));
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  function finish(mode: Mode, scene: string, loopDelaySamples: number, detail: string, disturbance: Float32Array, error: Float32Array): RunResult {
    const perSecond: number[] = [];
    for (let s = 0; (s + 1) * SAMPLE_RATE <= disturbance.length; s++) perSecond.push(nrDb(disturbance, error, s * SAMPLE_RATE, (s + 1) * SAMPLE_RATE));
    const end = Math.floor(disturbance.length / SAMPLE_RATE) * SAMPLE_RATE;
    return {
      mode, scene, nrDbPerSecond: perSecond, steadyNrDb: nrDb(disturbance, error, end - STEADY_S * SAMPLE_RATE, end),
      loopDelaySamples, marginSamples: leadSamples - (loopDelaySamples + speakerSamples), detail, disturbance, error,
    };
  }
}

/** Underruns of a real-time context's output so far, where the browser reports them (Chromium's playbackStats). */
function playbackUnderruns(context: AudioContext): { events: number; seconds: number } | null {
  const stats = (context as { playbackStats?: { underrunEvents: number; underrunDuration: number } }).playbackStats;
  return stats && typeof stats.underrunEvents === 'number' ? { events: stats.underrunEvents, seconds: stats.underrunDuration } : null;
}

/** The service's emergency-bypass decisions for a session, as a note for the results table. */
async function bypassEvents(sessionId: string): Promise<string> {
  try {
    const events = await api<{ events: { type: string; atS: number }[] }>('GET', `/sessions/${sessionId}/events`);
    const on = events.events.filter((event) => event.type === 'bypass-on');
    return on.length === 0 ? '' : `; emergency bypass from ${on.map((event) => event.atS.toFixed(1)).join(', ')} s`;
  } catch {
    return ''; // the figures above stand without it
  }
}

function nrDb(d: Float32Array, e: Float32Array, from: number, to: number): number {
  let dd = 0;
  let ee = 0;
  for (let i = Math.max(0, from); i < to; i++) {
    dd += d[i] * d[i];
    ee += e[i] * e[i];
  }
  return 10 * Math.log10(dd / Math.max(ee, 1e-30));
}

function ms(samples: number): string {
  return `${((samples * 1000) / SAMPLE_RATE).toFixed(2)} ms`;
}

function showResult(app: HTMLElement, result: RunResult): void {
  const cell = (field: string): HTMLElement => app.querySelector<HTMLElement>(`[data-${result.mode}="${field}"]`)!;
  cell('scene').textContent = result.scene === MIC ? 'microphone' : SCENE_LABELS[result.scene as DemoScene];
  cell('nr').textContent = result.steadyNrDb.toFixed(1);
  cell('delay').textContent = result.mode === 'local'
    ? `${result.loopDelaySamples} samples (${ms(result.loopDelaySamples)}): one render quantum`
    : `${result.loopDelaySamples} samples (${ms(result.loopDelaySamples)}): ${PLAYOUT_DELAY_FRAMES} frames of playout`;
  const margin = cell('margin');
  margin.textContent = `${result.marginSamples >= 0 ? '+' : ''}${result.marginSamples} samples (${ms(result.marginSamples)})`;
  margin.dataset.samples = String(result.marginSamples);
  cell('detail').textContent = result.detail;
}

/** Why the two modes differ, from the margins (DESIGN.md §1: causality). */
function reason(results: Partial<Record<Mode, RunResult>>, leadSamples: number): string {
  const explain = (r: RunResult): string => `${r.mode}: margin = delay(P) ${leadSamples} − (loop ${r.loopDelaySamples} + delay(S)) = ${r.marginSamples} samples (${ms(r.marginSamples)}), ` +
    (r.marginSamples >= 0 ? 'so the anti-noise can arrive in time even for unpredictable (broadband) noise' : 'so the anti-noise is late for unpredictable noise: only periodic noise such as engine harmonics, which the filter can predict, is cancelled');
  const parts = (['local', 'service'] as const).flatMap((m) => (results[m] ? [explain(results[m]!)] : []));
  const note = results.local?.scene === 'siren' || results.service?.scene === 'siren'
    ? ` On the siren scene NR falls to about 0 dB from ${SIREN_ONSET_S} s on: that is the emergency bypass letting the warning through.` : '';
  return parts.length === 0 ? '' : `Why: ${parts.join('. ')}.${note}`;
}

class NeedsLogin extends Error {
  constructor() {
    super('Service mode streams to your account: log in first (Dashboard → Log in), then come back to the demo. Local mode needs no account.');
  }
}

class MicrophoneFailure extends Error {}

async function openMicrophone(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new MicrophoneFailure('This page cannot use a microphone here: browsers allow it only on https:// or http://localhost. Pick a generated noise instead.');
  }
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new MicrophoneFailure('Microphone access was denied. Allow the microphone for this site in the browser\'s site settings and run again, or pick a generated noise.');
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError') throw new MicrophoneFailure('No microphone was found. Connect one and run again, or pick a generated noise.');
    throw new MicrophoneFailure(`The microphone could not be opened (${name ?? 'error'}: ${(error as Error).message}).`);
  }
}

function describeFailure(mode: Mode, error: unknown): string {
  if (error instanceof NeedsLogin || error instanceof MicrophoneFailure) return error.message;
  if (error instanceof ApiFailure && error.status === 401) return 'Your login has expired or is invalid: log in again (Dashboard → Log in), then come back to the demo. Local mode needs no account.';
  if (error instanceof ApiFailure && error.code === 'NETWORK') return 'The Antiphase service cannot be reached. Is it running? Local mode works without it.';
  const text = error instanceof Error ? error.message : String(error);
  if (mode === 'service') {
    const code = (error as { codeName?: string | null }).codeName;
    if (code === 'UNAUTHORIZED' || /401|unauthori[sz]ed|token/i.test(text)) return `The service refused your login (${text}). Log in again, then come back to the demo.`;
    return `The Antiphase service cannot be reached or refused the stream (${text}). Is it running? Local mode works without it.`;
  }
  return `The local AudioWorklet loop failed: ${text}`;
}

/** Plays the last run's d ("before") or e ("after") through the speakers. */
class Player {
  private context: AudioContext | null = null;
  private source: AudioBufferSourceNode | null = null;
  private result: RunResult | null = null;

  constructor(private readonly before: HTMLButtonElement, private readonly after: HTMLButtonElement, private readonly stopButton: HTMLButtonElement, private readonly label: HTMLElement) {
    before.addEventListener('click', () => void this.play('before'));
    after.addEventListener('click', () => void this.play('after'));
    stopButton.addEventListener('click', () => this.stop());
  }

  load(result: RunResult): void {
    this.stop();
    this.result = result;
    this.before.disabled = this.after.disabled = false;
    this.label.textContent = `Last run: ${result.mode}, ${result.scene === MIC ? 'microphone' : SCENE_LABELS[result.scene as DemoScene]}.`;
  }

  private async play(what: 'before' | 'after'): Promise<void> {
    if (this.result === null) return;
    this.stop();
    // Created on the click: browsers start audio output only from a user gesture.
    this.context ??= new AudioContext({ sampleRate: SAMPLE_RATE });
    await this.context.resume();
    const samples = what === 'before' ? this.result.disturbance : this.result.error;
    const buffer = this.context.createBuffer(1, samples.length, SAMPLE_RATE);
    buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    source.onended = () => {
      if (this.source === source) this.stop();
    };
    source.start();
    this.source = source;
    this.stopButton.disabled = false;
    this.label.textContent = `Playing ${what === 'before' ? 'before (no control)' : 'after (with ANC)'}: ${this.result.mode}, ${this.result.scene}.`;
  }

  stop(): void {
    const source = this.source;
    this.source = null;
    if (source) {
      source.onended = null;
      source.stop();
    }
    this.stopButton.disabled = true;
  }

  close(): void {
    this.stop();
    void this.context?.close();
  }
}
