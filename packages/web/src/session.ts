/**
 * Session view: NR per second (the engine's nrHistoryDb), the loop's secondary-path delay, and live controls that
 * PATCH /api/v1/sessions/:id. Updates come from the dashboard stream, filtered to this session.
 *
 * Not shown for service sessions: octave bands and spectra of d and e. The service never hears d (the noise without
 * control) — it estimates NR from its model — and keeps no spectra, so there is nothing honest to plot; the demo
 * page, which simulates the room, shows them.
 */
import { api, openDashboardStream, type SessionSummary } from './api.js';
import { WindowChart } from './charts.js';
import { backToLogin, escapeHtml, showBanner } from './main.js';

interface SessionView {
  id: string;
  transport: string;
  phase: string;
  live: boolean;
  config: { algorithm?: string; stepSize?: number; enabled?: boolean; sampleRate?: number; frameSize?: number; playoutDelayFrames?: number };
  stats: { nrDb: number; nrHistoryDb: number[]; secondaryPathDelaySamples: number | null; processingUsP50: number; processingUsP99: number } | null;
}

const ALGORITHMS = ['fxlms', 'fxnlms', 'fxrls', 'fdfxlms', 'pbfxlms'];

export async function renderSession(app: HTMLElement, id: string): Promise<() => void> {
  const view = await api<SessionView>('GET', `/sessions/${encodeURIComponent(id)}`);
  const c = view.config;
  const delay = view.stats?.secondaryPathDelaySamples ?? null;
  const fs = c.sampleRate ?? 16000;
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
      <div class="card"><h2>Causality</h2>
        <p>Secondary-path delay the service identified (acoustics + playout of ${c.playoutDelayFrames ?? '?'} × ${c.frameSize ?? '?'} samples):
          <strong id="secondary-delay">${delay === null ? 'not identified yet' : `${delay} samples = ${(delay * 1000 / fs).toFixed(2)} ms`}</strong>.</p>
        <p>Causality margin = delay(P) − this delay. The service does not know the room's primary path, so it cannot report
          the margin itself; where it is negative only periodic noise cancels (see the demo page for both sides).</p>
        <p>Octave bands and spectra of d and e need d, which the service never hears; the demo page shows them.</p>
      </div></div>`;
  const nrChart = new WindowChart(app.querySelector('#nr-chart')!, 'NR per second (dB)', [{ label: 'NR', stroke: '#2f6fde' }], 600, { xLabel: 's', yLabel: 'dB' });
  const drawHistory = (history: number[]): void => nrChart.set([history.map((_, i) => i + 1), history]);
  drawHistory(view.stats?.nrHistoryDb ?? []);
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
  };
}
