/**
 * A ring buffer drained every 100 ms by a timer of its own, so a long
 * refresh interval never lets the kernel's ring fill up. Records wait in a
 * bounded queue until the next take(); beyond the bound they are counted as
 * dropped, never silently lost.
 */
import { boottimeNs } from "../bpf/libc.ts";

const DRAIN_MS = 100;
const QUEUE_LIMIT = 200_000;

export interface RingBatch<T> {
  records: T[];
  /** Records lost so far: the kernel's count (ring full) plus any over the queue limit. */
  dropped: number;
  /** Add to a boot-clock ns value / 1e6 to get epoch ms. */
  bootToEpochMs: number;
}

export class RingQueue<T> {
  private queue: T[] = [];
  private overflow = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Set when reading the ring failed; the next take() throws it. */
  private failure: unknown;

  constructor(
    private readonly reader: { consume(): T[] } | undefined,
    private readonly kernelDrops: () => number,
    drainMs = DRAIN_MS,
  ) {
    this.timer = setInterval(() => this.drain(), drainMs);
    // Draining alone must not keep the process alive.
    this.timer.unref();
  }

  /** Everything queued since the last call. */
  take(): RingBatch<T> {
    this.drain();
    if (this.failure) throw this.failure;
    const records = this.queue;
    this.queue = [];
    return { records, dropped: this.kernelDrops() + this.overflow, bootToEpochMs: Date.now() - boottimeNs() / 1e6 };
  }

  close(): void {
    clearInterval(this.timer);
  }

  private drain(): void {
    if (!this.reader || this.failure) return;
    try {
      const batch = this.reader.consume();
      const room = Math.max(0, QUEUE_LIMIT - this.queue.length);
      if (batch.length > room) this.overflow += batch.length - room;
      for (let i = 0; i < Math.min(room, batch.length); i++) this.queue.push(batch[i]!);
    } catch (e) {
      this.failure = e;
    }
  }
}
