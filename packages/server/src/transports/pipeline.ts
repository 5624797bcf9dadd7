/**
 * The bounded per-connection frame queue shared by the streaming transports (WebSocket, gRPC).
 *
 * At most `capacity` frames are held per connection: waiting here plus submitted to the engine. At most
 * `maxSubmitted` of them are in the engine at once, so a slow worker cannot collect an unbounded backlog. When a
 * frame arrives and the queue is full, the oldest *waiting* frame is dropped (counted as late by `onDrop`): an old
 * frame is worth less than a new one in a real-time loop, and memory stays bounded whatever the client sends.
 * Answers come back in submission order because the engine processes a session's frames in order.
 */
export interface PipelineOptions<T> {
  capacity: number;
  maxSubmitted: number;
  /** Hands an item to the engine. Must take what it needs from the item synchronously (the item may be reused). */
  submit: (item: T) => Promise<void>;
  onDrop: (item: T) => void;
}

export class FramePipeline<T> {
  private readonly waiting: T[] = [];
  private submitted = 0;
  private stopped = false;

  constructor(private readonly options: PipelineOptions<T>) {
    if (options.capacity < 1 || options.maxSubmitted < 1) throw new RangeError('capacity and maxSubmitted must be ≥ 1');
  }

  /** Frames held: waiting + in the engine. */
  get size(): number {
    return this.waiting.length + this.submitted;
  }

  push(item: T): void {
    if (this.stopped) {
      this.options.onDrop(item);
      return;
    }
    if (this.size >= this.options.capacity) {
      if (this.waiting.length > 0) this.options.onDrop(this.waiting.shift()!);
      else {
        this.options.onDrop(item); // everything held is already in the engine
        return;
      }
    }
    this.waiting.push(item);
    this.drain();
  }

  /** Drops everything waiting (the connection closed); frames in the engine finish and are discarded by the caller. */
  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
  }

  private drain(): void {
    while (!this.stopped && this.submitted < this.options.maxSubmitted && this.waiting.length > 0) {
      const item = this.waiting.shift()!;
      this.submitted++;
      this.options.submit(item).catch(() => undefined).finally(() => {
        this.submitted--;
        this.drain();
      });
    }
  }
}
