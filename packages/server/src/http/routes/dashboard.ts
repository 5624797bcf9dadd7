/**
 * GET /dashboard/stream — the web dashboard's push channel, Server-Sent Events (text/event-stream).
 *
 * Credentials: the browser's EventSource cannot set headers, so this route (and only this one) also accepts the
 * JWT or API key as `?access_token=` — the same trade-off the WebSocket upgrade makes with `?token=`. The header
 * still wins when both are present. The token is checked once, at connect; an expired token ends nothing here, the
 * next reconnect gets a 401 and the page goes back to the login form.
 *
 * Events (each `data:` is one JSON object):
 *   snapshot  once, at connect: every live session the caller may watch (admins: everyone's)
 *   sessions  every second: summaries of the sessions whose engine stats changed, ids of those that ended, and the
 *             server-wide frame latency p50/p95/p99 and throughput of that second
 *   noise     as it happens: a noise event (bypass-on / bypass-off / noise-type) of a watched session
 * Everything comes from what the server computes anyway: the engine's per-second stats (SessionService keeps the
 * latest in memory) and the frame-latency histogram of /metrics — no engine call, no database query per tick.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SessionAnalysis, SessionStats } from '@antiphase/engine';
import { bearerToken, type Principal } from '../../auth/service.js';
import type { LiveSession } from '../../sessions.js';
import type { ServerMetrics } from '../../metrics.js';
import type { AppDeps } from '../app.js';

/** Seconds between `sessions` events: the engine's stats cadence, so every push carries fresh numbers. */
const TICK_MS = 1000;
/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_TICKS = 15;

export interface SessionSummary {
  id: string;
  userId: string;
  transport: string;
  phase: string;
  algorithm: string | null;
  stepSize: number | null;
  enabled: boolean | null;
  nrDb: number | null;
  /** The last (at most) 60 per-second NR values, dB, for the sparkline. */
  nrHistoryDb: number[];
  framesProcessed: number;
  framesLate: number;
  framesLost: number;
  processingUsP50: number | null;
  processingUsP99: number | null;
  noiseType: string | null;
  emergencyBypass: boolean;
  /**
   * The engine's latest per-second analysis (spectra and octave bands of d̂ and e, causality margin), as in the
   * session's stats; null until the first window after Ŝ is known.
   */
  analysis: SessionAnalysis | null;
}

/** A `sessions` event of the dashboard stream: the sessions that changed, those that ended, service latency. */
export interface DashboardTick {
  t: string;
  sessions: SessionSummary[];
  ended: string[];
  latency: { p50Us: number | null; p95Us: number | null; p99Us: number | null };
  framesPerS: number;
  live: number;
}

export function summarize(session: LiveSession, stats: SessionStats | null): SessionSummary {
  const config = (stats?.config ?? {}) as { algorithm?: string; stepSize?: number; enabled?: boolean };
  const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);
  return {
    id: session.id, userId: session.userId, transport: session.transport, phase: stats?.phase ?? 'starting',
    algorithm: config.algorithm ?? null, stepSize: finite(config.stepSize), enabled: config.enabled ?? null,
    nrDb: finite(stats?.nrDb), nrHistoryDb: (stats?.nrHistoryDb ?? []).slice(-60).map((x) => (Number.isFinite(x) ? x : 0)),
    framesProcessed: stats?.framesProcessed ?? 0, framesLate: (stats?.framesLate ?? 0) + session.dropped, framesLost: stats?.framesLost ?? 0,
    processingUsP50: finite(stats?.processingUsP50), processingUsP99: finite(stats?.processingUsP99),
    noiseType: stats?.noiseType ?? session.noiseType, emergencyBypass: stats?.emergencyBypass ?? session.bypassed,
    analysis: stats?.analysis ?? null,
  };
}

/** Cumulative frame-latency histogram summed over transports: bucket upper bounds (s) → counts, and the total. */
async function latencyHistogram(metrics: ServerMetrics): Promise<{ bounds: number[]; counts: number[]; total: number }> {
  const { values } = await metrics.frameLatency.get();
  const byBound = new Map<number, number>();
  let total = 0;
  for (const v of values) {
    if (v.metricName?.endsWith('_bucket')) {
      const le = (v.labels as { le?: string | number }).le;
      const bound = le === '+Inf' ? Infinity : Number(le);
      byBound.set(bound, (byBound.get(bound) ?? 0) + v.value);
    } else if (v.metricName?.endsWith('_count')) {
      total += v.value;
    }
  }
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  return { bounds, counts: bounds.map((b) => byBound.get(b)!), total };
}

/**
 * Quantile q of the frames observed between two cumulative histograms, µs, interpolated linearly inside the bucket
 * (what Prometheus' histogram_quantile does); null when no frame was observed.
 */
export function intervalQuantileUs(bounds: number[], before: number[], after: number[], q: number): number | null {
  const delta = after.map((c, i) => c - (before[i] ?? 0));
  const total = delta[delta.length - 1] ?? 0;
  if (!(total > 0)) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (delta[i] >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1];
      const upper = Number.isFinite(bounds[i]) ? bounds[i] : lower;
      const below = i === 0 ? 0 : delta[i - 1];
      const inBucket = delta[i] - below;
      const fraction = inBucket > 0 ? (rank - below) / inBucket : 1;
      return (lower + (upper - lower) * fraction) * 1e6;
    }
  }
  return null;
}

function send(reply: FastifyReply, event: string, data: unknown): void {
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export async function dashboardRoutes(app: FastifyInstance, { auth, sessions, metrics }: AppDeps): Promise<void> {
  // Server shutdown ends the open streams first (preClose: before the HTTP server waits for its connections to
  // finish), so that app.close() does not wait for the browsers to hang up.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const stop of [...open]) stop();
  });
  app.get<{ Querystring: { access_token?: string } }>('/dashboard/stream', {
    schema: {
      summary: 'Server-Sent Events for the web dashboard: snapshot, per-second session summaries and latency, noise events (token as Bearer or ?access_token=)',
      tags: ['dashboard'],
      querystring: { type: 'object', properties: { access_token: { type: 'string', maxLength: 4096 } } },
    },
  }, async (request, reply) => {
    const principal: Principal = await auth.authenticate(bearerToken(request.headers.authorization) ?? request.query.access_token);
    const visible = (userId: string): boolean => principal.role === 'admin' || userId === principal.userId;
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let last = new Map<string, number>();
    for (const { session, stats } of sessions.liveSummaries(principal)) last.set(session.id, stats?.framesProcessed ?? -1);
    send(reply, 'snapshot', {
      user: { id: principal.userId, role: principal.role },
      sessions: sessions.liveSummaries(principal).map(({ session, stats }) => summarize(session, stats)),
    });
    let histogram = await latencyHistogram(metrics);
    let ticks = 0;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        const now = sessions.liveSummaries(principal);
        const next = new Map<string, number>();
        const changed: SessionSummary[] = [];
        for (const { session, stats } of now) {
          const frames = stats?.framesProcessed ?? -1;
          next.set(session.id, frames);
          if (last.get(session.id) !== frames) changed.push(summarize(session, stats));
        }
        const ended = [...last.keys()].filter((id) => !next.has(id));
        last = next;
        const current = await latencyHistogram(metrics);
        const q = (p: number): number | null => intervalQuantileUs(current.bounds, histogram.bounds.length === current.bounds.length ? histogram.counts : [], current.counts, p);
        const latency = { p50Us: q(0.5), p95Us: q(0.95), p99Us: q(0.99) };
        const framesPerS = (current.total - histogram.total) / (TICK_MS / 1000);
        histogram = current;
        const tick: DashboardTick = { t: new Date().toISOString(), sessions: changed, ended, latency, framesPerS, live: now.length };
        send(reply, 'sessions', tick);
        if (++ticks % HEARTBEAT_TICKS === 0) reply.raw.write(': heartbeat\n\n');
      })().catch((error: unknown) => request.log.warn(error)).finally(() => { busy = false; });
    }, TICK_MS);
    const unsubscribe = sessions.subscribeNoiseEvents((event, userId) => {
      if (visible(userId)) send(reply, 'noise', event);
    });
    const stop = (): void => {
      if (!open.delete(stop)) return;
      clearInterval(timer);
      unsubscribe();
      reply.raw.end();
    };
    open.add(stop);
    request.raw.on('close', stop);
  });
}
