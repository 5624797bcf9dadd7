/**
 * Session view: NR per second (the engine's nrHistoryDb), the engine's per-second analysis — octave-band levels
 * before/after and their attenuation, spectra of d̂ and e, the causality margin — and live controls that PATCH
 * /api/v1/sessions/:id. The first figures come from GET /sessions/:id, updates from the dashboard stream, filtered
 * to this session; an analysis replaces the one shown only if its window is later (the stream's summary can lag
 * a GET by one window).
 *
 * "Before" is d̂ = e − Ŝ*p, the disturbance the engine rebuilds with its model of the loudspeaker path: the service
 * never hears d itself (docs/protocol.md, "Session analysis"); the page says so.
 */
import { api, openDashboardStream, type SessionAnalysis, type SessionSummary } from './api.js';
import { BandChart, SpectrumChart, WindowChart } from './charts.js';
import { backToLogin, escapeHtml, showBanner } from './main.js';

interface SessionView {
  id: string;
  transport: string;
  phase: string;
  live: boolean;
  config: { algorithm?: string; stepSize?: number; enabled?: boolean; sampleRate?: number; frameSize?: number; playoutDelayFrames?: number };
  stats: {
    nrDb: number; nrHistoryDb: number[]; secondaryPathDelaySamples: number | null; processingUsP50: number; processingUsP99: number;
    analysis: SessionAnalysis | null;
  } | null;
}

const db = (v: number | null): string => (v === null ? '–' : v.toFixed(1));
const bandLabel = (hz: number): string => (hz >= 1000 ? `${hz / 1000}k` : String(hz));

const ALGORITHMS = ['fxlms', 'fxnlms', 'fxrls', 'fdfxlms', 'pbfxlms'];

export async function renderSession(app: HTMLElement, id: string): Promise<() => void> {
  const view = await api<SessionView>('GET', `/sessions/${encodeURIComponent(id)}`);
  const c = view.config;
  app.innerHTML = `
    <p><a href="#/dashboard">← Dashboard</a></p>
    <h1>Session <code>${escapeHtml(view.id)}</code></h1>
    <p>${escapeHtml(view.transport)} · <span id="phase">${escapeHtml(view.phase)}</span> · NR <span class="figure" id="nr">${view.stats ? view.stats.nrDb.toFixed(1) : '–'}</span> dB</p>
    <form id="controls" class="inline" aria-label="Session controls">
      <label>Algorithm <select id="algorithm">${ALGORITHMS.map((a) => `<option ${a === c.algorithm ? 'selected' : ''}>${a}</option>`).join('')}</select></label>
      <label>Step size (μ) <input id="stepSize" type="number" step="any" min="0" value="${c.stepSize ?? ''}"></label>
      <label><span>Control enabled</span><input id="enabled" type="checkbox" ${c.enabled === false ? '' : 'checked'}></label>
      <button type="submit" id="apply" ${view.live ? '' : 'disabled'}>Apply</button>
      <span id="control-status" role="status"></span>
    </form>
    <div class="grid"><div class="card" id="nr-chart"></div>
      <section class="card" aria-labelledby="causality-title"><h2 id="causality-title">Causality margin</h2>
        <p>Margin <strong class="figure" id="margin">–</strong> <span id="margin-ms"></span></p>
        <dl class="facts">
          <dt>Primary path (reference → error mic), estimated</dt><dd id="primary-delay">–</dd>
          <dt>Anti-noise path Ŝ (playout + acoustics)</dt><dd id="secondary-delay">–</dd>
          <dt>of which loop latency (playout ${c.playoutDelayFrames ?? '?'} × ${c.frameSize ?? '?'} samples)</dt><dd id="loop-latency">–</dd>
        </dl>
        <p id="margin-note" role="note">Waiting for the first analysis (it starts once Ŝ is identified).</p>
      </section>
      <section class="card" aria-labelledby="bands-title"><h2 id="bands-title">Octave-band attenuation</h2>
        <form class="inline" id="analysis-controls" aria-label="Analysis display">
          <label>Octave chart <select id="band-view">
            <option value="levels">Levels before / after</option><option value="attenuation">Attenuation</option>
          </select></label>
          <label><span>Freeze analysis</span><input id="freeze" type="checkbox"></label>
        </form>
        <div id="band-chart"></div><div id="attenuation-chart" hidden></div>
        <table id="bands"><caption id="bands-caption">No analysis yet.</caption>
          <thead><tr><th scope="col">Band (Hz)</th><th scope="col">Before: d̂ (dB)</th><th scope="col">After: e (dB)</th><th scope="col">Attenuation (dB)</th></tr></thead>
          <tbody></tbody></table>
      </section>
      <section class="card" aria-labelledby="spectrum-title"><h2 id="spectrum-title">Spectra of d̂ and e</h2>
        <div id="spectrum-chart"></div>
        <p>d̂ = e − Ŝ*p is the noise without control as the engine rebuilds it from the error mic and the anti-noise
          played (the service never hears it directly); it is exact where the identified Ŝ matches the loudspeaker path.
          Welch PSDs over one window of about a second, averaged over a third of an octave; levels in dB re full scale.</p>
      </section></div>`;
  const nrChart = new WindowChart(app.querySelector('#nr-chart')!, 'NR per second (dB)', [{ label: 'NR', stroke: '#2f6fde' }], 600, { xLabel: 's', yLabel: 'dB' });
  const drawHistory = (history: number[]): void => nrChart.set([history.map((_, i) => i + 1), history]);
  drawHistory(view.stats?.nrHistoryDb ?? []);

  const bandChart = new BandChart(app.querySelector('#band-chart')!, 'Octave-band levels (dB re FS)',
    [{ label: 'before (d̂)', fill: '#d9822b' }, { label: 'after (e)', fill: '#2f6fde' }], { xLabel: 'Hz', yLabel: 'dB' });
  const attenuationChart = new BandChart(app.querySelector('#attenuation-chart')!, 'Octave-band attenuation (dB)',
    [{ label: 'attenuation', fill: '#2a9d5b' }], { xLabel: 'Hz', yLabel: 'dB' });
  const spectrumChart = new SpectrumChart(app.querySelector('#spectrum-chart')!, 'Power spectral density (dB re FS²/Hz)',
    [{ label: 'd̂ (before)', stroke: '#d9822b' }, { label: 'e (after)', stroke: '#2f6fde' }], { yLabel: 'dB' });
  const bandView = app.querySelector<HTMLSelectElement>('#band-view')!;
  const freeze = app.querySelector<HTMLInputElement>('#freeze')!;
  bandView.addEventListener('change', () => {
    const levels = bandView.value === 'levels';
    app.querySelector<HTMLElement>('#band-chart')!.hidden = !levels;
    app.querySelector<HTMLElement>('#attenuation-chart')!.hidden = levels;
  });
  let shown: SessionAnalysis | null = null;
  const drawAnalysis = (a: SessionAnalysis | null): void => {
    if (a === null || freeze.checked || (shown !== null && a.toS <= shown.toS)) return;
    shown = a;
    const labels = a.octaveBands.map((b) => bandLabel(b.centerHz));
    bandChart.set(labels, [a.octaveBands.map((b) => b.disturbanceDb), a.octaveBands.map((b) => b.errorDb)]);
    attenuationChart.set(labels, [a.octaveBands.map((b) => b.attenuationDb)]);
    spectrumChart.set(a.spectrum.frequencyHz, [a.spectrum.disturbanceDb, a.spectrum.errorDb]);
    app.querySelector('#bands-caption')!.textContent = `Window ${a.fromS.toFixed(2)}–${a.toS.toFixed(2)} s of the session's audio.`;
    app.querySelector('#bands tbody')!.innerHTML = a.octaveBands.map((b) => `
      <tr data-band="${b.centerHz}"><th scope="row">${b.centerHz}</th><td data-field="disturbanceDb">${db(b.disturbanceDb)}</td>
        <td data-field="errorDb">${db(b.errorDb)}</td><td data-field="attenuationDb">${db(b.attenuationDb)}</td></tr>`).join('');
    const k = a.causality;
    const ms = (samples: number): string => `${samples} samples (${(samples * 1000 / (c.sampleRate ?? 16000)).toFixed(2)} ms)`;
    app.querySelector('#margin')!.textContent = k.marginSamples === null ? 'unknown' : `${k.marginSamples} samples`;
    app.querySelector('#margin-ms')!.textContent = k.marginMs === null ? '' : `= ${k.marginMs.toFixed(2)} ms`;
    app.querySelector('#primary-delay')!.textContent = k.primaryPathDelaySamples === null
      ? `not resolved (peak ratio ${k.primaryPathPeakRatio.toFixed(1)}, rival peak ${Math.round(k.primaryPathRivalShare * 100)} %)` : ms(k.primaryPathDelaySamples);
    app.querySelector('#secondary-delay')!.textContent = ms(k.secondaryPathDelaySamples);
    app.querySelector('#loop-latency')!.textContent = ms(k.loopLatencySamples);
    app.querySelector('#margin-note')!.textContent = k.marginSamples === null
      ? 'This noise does not reveal the primary path\'s delay (periodic noise has no unique lag). Periodic noise cancels whatever the margin.'
      : k.marginSamples >= 0
        ? 'Positive: the anti-noise reaches the error mic before the noise does, so broadband noise can be cancelled.'
        : `Negative: the anti-noise arrives ${(-k.marginMs!).toFixed(2)} ms after the noise, which limits broadband cancellation; ` +
          'only predictable (periodic) noise such as engine harmonics still cancels. Shorter frames, a smaller playout delay or a closer tier raise the margin.';
  };
  drawAnalysis(view.stats?.analysis ?? null);
  const status = app.querySelector<HTMLElement>('#control-status')!;
  app.querySelector('#controls')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const patch = {
      algorithm: (app.querySelector('#algorithm') as HTMLSelectElement).value,
      stepSize: Number((app.querySelector('#stepSize') as HTMLInputElement).value),
      enabled: (app.querySelector('#enabled') as HTMLInputElement).checked,
    };
    status.textContent = 'Applying…';
    api<{ config: { stepSize: number } }>('PATCH', `/sessions/${encodeURIComponent(id)}`, patch).then(
      (stats) => { status.textContent = `Applied (μ = ${stats.config.stepSize}).`; },
      (error: unknown) => { status.textContent = `Not applied: ${error instanceof Error ? error.message : String(error)}`; },
    );
  });
  const apply = (s: SessionSummary): void => {
    if (s.id !== id) return;
    app.querySelector('#nr')!.textContent = s.nrDb === null ? '–' : s.nrDb.toFixed(1);
    app.querySelector('#phase')!.textContent = s.phase;
    // The stream carries the last 60 s; keep the longer history fetched at open and extend it.
    const history = view.stats?.nrHistoryDb ?? [];
    const last = s.nrHistoryDb[s.nrHistoryDb.length - 1];
    if (last !== undefined && s.framesProcessed > 0) history.push(last);
    if (view.stats) drawHistory(history);
    drawAnalysis(s.analysis);
  };
  const close = openDashboardStream({
    snapshot: (sessions) => { showBanner(null); sessions.forEach(apply); },
    tick: (event) => {
      event.sessions.forEach(apply);
      if (event.ended.includes(id)) {
        app.querySelector('#phase')!.textContent = 'ended';
        (app.querySelector('#apply') as HTMLButtonElement).disabled = true;
      }
    },
    noise: () => undefined,
    failure: (kind) => (kind === 'auth' ? backToLogin('Your login has expired or is invalid. Please log in again.') : showBanner('The Antiphase service cannot be reached; retrying…')),
  });
  return () => {
    close();
    nrChart.destroy();
    bandChart.destroy();
    attenuationChart.destroy();
    spectrumChart.destroy();
  };
}
