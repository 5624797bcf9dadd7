/**
 * Prometheus metrics (prom-client), one registry per server so that several servers in one process (tests) keep
 * their own counts. Names follow the Prometheus conventions: base units (seconds), _total for counters.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type TransportLabel = 'rest' | 'ws' | 'grpc' | 'webrtc';

/** 10 µs … 50 ms: per-frame processing (an audio frame lasts 1–100 ms; anything near that is already too slow). */
export const FRAME_LATENCY_BUCKETS_S = [
  10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3,
];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly frameLatency: Histogram<'transport'>;
  readonly activeSessions: Gauge<'transport'>;
  readonly frames: Counter<'transport'>;
  readonly framesLate: Counter<'transport'>;
  readonly framesLost: Counter<'transport'>;
  readonly framesInvalid: Counter<'transport'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobs: Counter<'status'>;
  readonly noiseEvents: Counter<'type'>;
  readonly sessionsByNoiseType: Gauge<'noise_type'>;
  readonly sessionsBypassed: Gauge;
  readonly webhookFailures: Counter;
  readonly webrtcPeers: Gauge;
  readonly webrtcMediaPackets: Counter<'direction'>;
  /** Read at each scrape (set by the server): the engine's background jobs skipped so far. */
  backgroundSkipped: () => number = () => 0;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'antiphase_' });
    this.frameLatency = new Histogram({
      name: 'antiphase_frame_processing_seconds',
      help: 'Server time from receiving an audio frame to sending its anti-noise, by transport',
      labelNames: ['transport'], buckets: FRAME_LATENCY_BUCKETS_S, registers,
    });
    this.activeSessions = new Gauge({
      name: 'antiphase_active_sessions', help: 'Live engine sessions, by the transport that created them',
      labelNames: ['transport'], registers,
    });
    this.frames = new Counter({ name: 'antiphase_frames_total', help: 'Audio frames answered with anti-noise', labelNames: ['transport'], registers });
    this.framesLate = new Counter({
      name: 'antiphase_frames_late_total', help: 'Audio frames dropped as late (engine latency limit or a full connection queue)',
      labelNames: ['transport'], registers,
    });
    this.framesLost = new Counter({ name: 'antiphase_frames_lost_total', help: 'Audio frames that never arrived (sequence gaps)', labelNames: ['transport'], registers });
    this.framesInvalid = new Counter({
      name: 'antiphase_frames_invalid_total', help: 'Frames rejected: malformed, oversized, NaN/Inf, format mismatch',
      labelNames: ['transport'], registers,
    });
    this.httpDuration = new Histogram({
      name: 'antiphase_http_request_duration_seconds', help: 'HTTP request duration, by route template',
      labelNames: ['method', 'route', 'status'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers,
    });
    this.jobs = new Counter({ name: 'antiphase_jobs_total', help: 'File jobs finished, by outcome', labelNames: ['status'], registers });
    this.noiseEvents = new Counter({
      name: 'antiphase_noise_events_total', help: 'Noise events: bypass-on, bypass-off (emergency bypass) and noise-type changes',
      labelNames: ['type'], registers,
    });
    this.sessionsByNoiseType = new Gauge({
      name: 'antiphase_sessions_by_noise_type', help: 'Live sessions by their current noise class (classifier)', labelNames: ['noise_type'], registers,
    });
    this.sessionsBypassed = new Gauge({ name: 'antiphase_sessions_bypassed', help: 'Live sessions whose anti-noise the emergency bypass holds off', registers });
    this.webhookFailures = new Counter({ name: 'antiphase_webhook_failures_total', help: 'Noise-event webhook deliveries that failed', registers });
    this.webrtcPeers = new Gauge({ name: 'antiphase_webrtc_peers', help: 'WebRTC peer connections held (negotiating or connected)', registers });
    this.webrtcMediaPackets = new Counter({
      name: 'antiphase_webrtc_media_packets_total', help: 'Opus RTP packets of the track mode: up (received) and down (anti-noise sent)', labelNames: ['direction'], registers,
    });
    const skipped = (): number => this.backgroundSkipped();
    new Counter({
      name: 'antiphase_background_jobs_skipped_total',
      help: 'Classifications and analyses the engine\'s background thread skipped because it was behind (the emergency detector runs regardless)',
      registers,
      collect() {
        this.reset();
        this.inc(skipped());
      },
    });
    for (const direction of ['up', 'down']) this.webrtcMediaPackets.inc({ direction }, 0);
    for (const type of ['bypass-on', 'bypass-off', 'noise-type']) this.noiseEvents.inc({ type }, 0);
    for (const transport of ['rest', 'ws', 'grpc', 'webrtc'] as const) {
      this.activeSessions.set({ transport }, 0);
      this.frames.inc({ transport }, 0);
      this.framesLate.inc({ transport }, 0);
      this.framesLost.inc({ transport }, 0);
      this.framesInvalid.inc({ transport }, 0);
    }
  }
}
