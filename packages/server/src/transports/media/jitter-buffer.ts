/**
 * The receive side of an RTP audio stream: puts packets back in sequence order, drops duplicates and packets that
 * come after their turn, and declares a missing packet lost once later ones have waited `maxDelayMs` for it.
 *
 * The consumer here is the session engine, not a loudspeaker, so nothing is gained by holding packets that arrive
 * in order: they are released at once, and only a hole makes the packets behind it wait (at most maxDelayMs; the
 * wait of every released packet is measured). A burst that outgrows `capacity` packets gives up on the hole early.
 * Sequence numbers are 16-bit and wrap; they are extended to a running count on arrival.
 */
export interface RtpPacketLike {
  sequenceNumber: number;
  timestamp: number;
  payload: Uint8Array;
}

export interface JitterBufferStats {
  received: number;
  released: number;
  /** Never arrived within maxDelayMs (or pushed out by a burst). */
  lost: number;
  /** Arrived after their turn had passed (released or declared lost). */
  late: number;
  duplicates: number;
  /** Arrived after a packet with a higher sequence number (then released in order, unless late). */
  reordered: number;
  /** How long released packets waited here, ms. */
  waitMsMean: number;
  waitMsMax: number;
}

export interface JitterBufferOptions {
  /** Longest a packet waits for a missing one before it is declared lost, ms. */
  maxDelayMs: number;
  /** Packets held at most (a hole followed by a burst). */
  capacity: number;
  onPacket: (packet: RtpPacketLike) => void;
}

/** Sequence numbers remembered behind `next`, to tell a duplicate of a released packet from a late one. */
const HISTORY = 1024;

interface Held {
  packet: RtpPacketLike;
  arrivedAt: number;
}

export class JitterBuffer {
  private readonly held = new Map<number, Held>();
  /** Extended sequence number of the next packet to release; null before the first packet. */
  private next: number | null = null;
  private highest = -1;
  /** Whether each of the last HISTORY sequence numbers before `next` was released (1) or given up (0). */
  private readonly history = new Uint8Array(HISTORY);
  private waitSumMs = 0;
  private readonly counts = { received: 0, released: 0, lost: 0, late: 0, duplicates: 0, reordered: 0, waitMsMax: 0 };

  constructor(private readonly options: JitterBufferOptions) {
    if (!(options.maxDelayMs >= 0) || !(options.capacity >= 1)) throw new RangeError('maxDelayMs must be ≥ 0 and capacity ≥ 1');
  }

  push(packet: RtpPacketLike, now: number): void {
    this.counts.received++;
    const sequence = this.extend(packet.sequenceNumber);
    if (this.next === null) this.next = sequence;
    if (sequence < this.next) {
      if (this.next - sequence <= HISTORY && this.history[sequence % HISTORY] === 1) this.counts.duplicates++;
      else this.counts.late++;
      return;
    }
    if (this.held.has(sequence)) {
      this.counts.duplicates++;
      return;
    }
    if (sequence < this.highest) this.counts.reordered++;
    this.highest = Math.max(this.highest, sequence);
    this.held.set(sequence, { packet, arrivedAt: now });
    this.drain(now);
  }

  /** Releases what may go now: call on every push (done) and at nextDeadline(). */
  drain(now: number): void {
    while (this.next !== null && this.held.size > 0) {
      const head = this.held.get(this.next);
      if (head) {
        this.held.delete(this.next);
        this.history[this.next % HISTORY] = 1;
        this.next++;
        this.release(head, now);
        continue;
      }
      // A hole: give up on it when the oldest packet behind it has waited long enough, or the buffer is full.
      const deadline = this.nextDeadline();
      if (deadline !== null && now < deadline && this.held.size < this.options.capacity) return;
      const resume = Math.min(...this.held.keys());
      this.counts.lost += resume - this.next;
      for (; this.next < resume; this.next++) this.history[this.next % HISTORY] = 0;
    }
  }

  /** When the packets behind a hole have waited maxDelayMs (performance.now() ms), or null without a hole. */
  nextDeadline(): number | null {
    let oldest = Infinity;
    for (const { arrivedAt } of this.held.values()) oldest = Math.min(oldest, arrivedAt);
    return oldest === Infinity ? null : oldest + this.options.maxDelayMs;
  }

  get stats(): JitterBufferStats {
    const { received, released, lost, late, duplicates, reordered, waitMsMax } = this.counts;
    return { received, released, lost, late, duplicates, reordered, waitMsMean: released === 0 ? 0 : this.waitSumMs / released, waitMsMax };
  }

  private release(held: Held, now: number): void {
    const waited = now - held.arrivedAt;
    this.counts.released++;
    this.waitSumMs += waited;
    this.counts.waitMsMax = Math.max(this.counts.waitMsMax, waited);
    this.options.onPacket(held.packet);
  }

  /** The 16-bit sequence number as a running count: the candidate nearest the highest seen. */
  private extend(sequenceNumber: number): number {
    if (this.highest < 0) return sequenceNumber;
    const base = this.highest - (this.highest & 0xffff);
    let best = base + sequenceNumber;
    for (const candidate of [best - 0x10000, best + 0x10000]) {
      if (Math.abs(candidate - this.highest) < Math.abs(best - this.highest)) best = candidate;
    }
    return best;
  }
}
