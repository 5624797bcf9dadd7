/**
 * Dashboard: the live sessions table, server-wide frame latency p50/p95/p99 and throughput, and recent noise events,
 * all from the push channel (GET /api/v1/dashboard/stream). The table starts from the stream's snapshot and is
 * then updated row by row from the per-second deltas.
 */
import type uPlot from 'uplot';
import { openDashboardStream, type NoiseEvent, type SessionSummary } from './api.js';
import { sparkline, WindowChart } from './charts.js';
import { backToLogin, escapeHtml, showBanner } from './main.js';

const fmt = (x: number | null, digits = 1): string => (x === null ? '–' : x.toFixed(digits));

export async function renderDashboard(app: HTMLElement): Promise<() => void> {
  app.innerHTML = `
    <h1>Live sessions</h1>
    <p id="stream-status" role="status">Connecting…</p>
    <table aria-label="Live sessions">
      <thead><tr><th scope="col">Session</th><th scope="col">Algorithm</th><th scope="col">Transport</th><th scope="col">NR (dB)</th>
        <th scope="col">NR, last 60 s</th><th scope="col">Late / lost</th><th scope="col">Worker p50/p99 (µs)</th><th scope="col">Noise type</th>
        <th scope="col">Emergency bypass</th></tr></thead>
      <tbody id="sessions"><tr id="no-sessions"><td colspan="9">No live sessions.</td></tr></tbody>
    </table>
    <div class="grid">
      <div class="card" id="latency-chart"></div>
      <div class="card" id="throughput-chart"></div>
    </div>
    <h2>Recent noise events</h2>
    <ul id="noise-events" aria-live="polite"></ul>`;
  const tbody = app.querySelector<HTMLElement>('#sessions')!;
  const status = app.querySelector<HTMLElement>('#stream-status')!;
  const latency = new WindowChart(app.querySelector('#latency-chart')!, 'Frame latency in the service (µs)', [
    { label: 'p50', stroke: '#2f6fde' }, { label: 'p95', stroke: '#e08a00' }, { label: 'p99', stroke: '#c0392b' },
  ]);
  const throughput = new WindowChart(app.querySelector('#throughput-chart')!, 'Throughput (frames/s)', [{ label: 'frames/s', stroke: '#27ae60' }]);
  const sparks = new Map<string, uPlot>();

  const upsert = (s: SessionSummary): void => {
    app.querySelector('#no-sessions')?.remove();
    let row = tbody.querySelector<HTMLTableRowElement>(`tr[data-session="${CSS.escape(s.id)}"]`);
    if (!row) {
      row = document.createElement('tr');
      row.dataset.session = s.id;
      tbody.append(row);
    }
    sparks.get(s.id)?.destroy();
    row.innerHTML = `<td><a href="#/session/${encodeURIComponent(s.id)}">${escapeHtml(s.id.slice(0, 8))}</a></td>
      <td>${escapeHtml(s.algorithm ?? '–')}${s.enabled === false ? ' (off)' : ''}</td><td>${escapeHtml(s.transport)}</td>
      <td data-field="nrDb">${fmt(s.nrDb)}</td><td class="spark"></td><td data-field="lateLost">${s.framesLate} / ${s.framesLost}</td>
      <td data-field="latency">${fmt(s.processingUsP50, 0)} / ${fmt(s.processingUsP99, 0)}</td><td>${escapeHtml(s.noiseType ?? '–')}</td>
      <td class="${s.emergencyBypass ? 'bypass' : ''}">${s.emergencyBypass ? 'BYPASSED' : 'off'}</td>`;
    sparks.set(s.id, sparkline(row.querySelector<HTMLElement>('.spark')!, s.nrHistoryDb));
  };
  const remove = (id: string): void => {
    sparks.get(id)?.destroy();
    sparks.delete(id);
    tbody.querySelector(`tr[data-session="${CSS.escape(id)}"]`)?.remove();
  };
  const events = app.querySelector<HTMLElement>('#noise-events')!;
  const addEvent = (e: NoiseEvent): void => {
    const item = document.createElement('li');
    item.textContent = `${e.t.slice(11, 19)} ${e.sessionId.slice(0, 8)} ${e.type} ${JSON.stringify(e.detail)}`;
    events.prepend(item);
    while (events.children.length > 20) events.lastElementChild!.remove();
  };

  const close = openDashboardStream({
    snapshot(sessions) {
      showBanner(null);
      status.textContent = 'Live: updates every second.';
      tbody.querySelectorAll('tr[data-session]').forEach((r) => remove((r as HTMLElement).dataset.session!));
      sessions.forEach(upsert);
    },
    tick(event) {
      event.sessions.forEach(upsert);
      event.ended.forEach(remove);
      const t = Date.parse(event.t) / 1000;
      latency.push(t, [event.latency.p50Us, event.latency.p95Us, event.latency.p99Us]);
      throughput.push(t, [event.framesPerS]);
    },
    noise: addEvent,
    failure(kind) {
      if (kind === 'auth') backToLogin('Your login has expired or is invalid. Please log in again.');
      else {
        status.textContent = 'Disconnected.';
        showBanner('The Antiphase service cannot be reached; retrying…');
      }
    },
  });
  return () => {
    close();
    latency.destroy();
    throughput.destroy();
    for (const s of sparks.values()) s.destroy();
  };
}
