/**
 * The physical side of a feedforward ANC loop, block by block (../shared/DESIGN.md §1):
 *
 *   noise ──► reference mic x = noise
 *     └──► P ──► d
 *   anti-noise y ──► playback queue (loop latency) ──► S ──► y'      e = d + y'
 *
 * A controller sees (x, e) for a block only after the block has been captured, so the anti-noise it computes for
 * block k is played from block k + 1 on: one block of delay plus `loopLatency` samples are part of the effective
 * secondary path, exactly as buffering is in a real device — and, over a network, as transport delay is.
 * The playback queue is a ring that starts playing `loopLatency` samples after the first anti-noise arrives; when
 * anti-noise arrives late (network) the speaker plays silence for the missing samples, as a real one would.
 */
import { FirFilter } from '../fir.js';

export interface PlantOptions {
  /** Primary path P (noise source → error mic), taps at the audio rate. */
  primaryPath: ArrayLike<number>;
  /** Secondary path S (loudspeaker → error mic), taps at the audio rate. */
  secondaryPath: ArrayLike<number>;
  /** Extra delay between emitting anti-noise and the loudspeaker playing it, in samples (DAC, network). */
  loopLatency?: number;
  /** Capacity of the playback queue in samples (default 1 s at 48 kHz). */
  queueCapacity?: number;
}

export class AcousticPlant {
  private readonly primary: FirFilter;
  private readonly secondary: FirFilter;
  private readonly queue: Float32Array;
  private readPos = 0;
  private queued = 0;
  private started = false;
  /** Samples the loudspeaker had to play as silence because anti-noise had not arrived. */
  underrunSamples = 0;
  /** Anti-noise samples dropped because the queue was full. */
  overrunSamples = 0;
  readonly loopLatency: number;

  constructor(options: PlantOptions) {
    this.primary = new FirFilter(options.primaryPath);
    this.secondary = new FirFilter(options.secondaryPath);
    this.loopLatency = options.loopLatency ?? 0;
    if (!Number.isInteger(this.loopLatency) || this.loopLatency < 0) {
      throw new RangeError(`loopLatency must be a whole number of samples ≥ 0, got ${options.loopLatency}`);
    }
    this.queue = new Float32Array(Math.max(options.queueCapacity ?? 48000, this.loopLatency + 1));
  }

  /**
   * Advances the room by one block of source noise: fills the reference mic x, the disturbance d (what the
   * listener would hear without control) and the error mic e = d + S * (anti-noise played during this block).
   */
  capture(noise: Float32Array, reference: Float32Array, disturbance: Float32Array, error: Float32Array): void {
    const capacity = this.queue.length;
    for (let i = 0; i < noise.length; i++) {
      let played = 0;
      if (this.queued > 0) {
        played = this.queue[this.readPos];
        this.queue[this.readPos] = 0;
        this.readPos = this.readPos + 1 === capacity ? 0 : this.readPos + 1;
        this.queued--;
      } else if (this.started) {
        this.underrunSamples++;
      }
      const x = noise[i];
      const d = this.primary.next(x);
      reference[i] = x;
      disturbance[i] = d;
      error[i] = d + this.secondary.next(played);
    }
  }

  /** Queues anti-noise for the loudspeaker, after everything queued before it. */
  play(antiNoise: Float32Array): void {
    const capacity = this.queue.length;
    if (!this.started) {
      this.started = true;
      this.queued = this.loopLatency; // the loop latency is silence waiting ahead of the first anti-noise
    }
    for (let i = 0; i < antiNoise.length; i++) {
      if (this.queued === capacity) {
        this.overrunSamples += antiNoise.length - i;
        return;
      }
      let at = this.readPos + this.queued;
      if (at >= capacity) at -= capacity;
      this.queue[at] = antiNoise[i];
      this.queued++;
    }
  }

  /** Samples of anti-noise waiting to be played. */
  get queuedSamples(): number {
    return this.queued;
  }
}
