/**
 * Process events from the ring buffer, drained every 100 ms by a timer of
 * its own, so a long refresh interval never lets the ring fill up. Records
 * wait in a bounded queue until the next take().
 */
import type { BpftopBpf } from "../bpf/bpftop.ts";
import { boottimeNs } from "../bpf/libc.ts";
import type { EventRecord } from "../bpf/records.ts";

const DRAIN_MS = 100;
/** Records kept between two take() calls; beyond this they are counted as dropped, not kept. */
const QUEUE_LIMIT = 200_000;

export interface EventBatch {
  records: EventRecord[];
  /** Records lost so far: the kernel's count (ring full) plus any over the queue limit. */
  dropped: number;
  /** Add to a boot-clock ns value / 1e6 to get epoch ms. */
  bootToEpochMs: number;
}

export class EventCollector {
  private queue: EventRecord[] = [];
  private overflow = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Set when reading the ring failed; the next take() throws it. */
  private failure: unknown;

  constructor(
    private readonly bpf: Pick<BpftopBpf, "events" | "eventDrops">,
    drainMs = DRAIN_MS,
  ) {
    this.timer = setInterval(() => this.drain(), drainMs);
    // Draining alone must not keep the process alive.
    this.timer.unref();
  }

  /** Everything queued since the last call. */
  take(): EventBatch {
    this.drain();
    if (this.failure) throw this.failure;
    const records = this.queue;
    this.queue = [];
    return { records, dropped: this.bpf.eventDrops() + this.overflow, bootToEpochMs: Date.now() - boottimeNs() / 1e6 };
  }

  close(): void {
    clearInterval(this.timer);
  }

  private drain(): void {
    if (!this.bpf.events || this.failure) return;
    try {
      const batch = this.bpf.events.consume();
      const room = QUEUE_LIMIT - this.queue.length;
      if (batch.length > room) this.overflow += batch.length - Math.max(0, room);
      for (let i = 0; i < Math.min(room, batch.length); i++) this.queue.push(batch[i]!);
    } catch (e) {
      this.failure = e;
    }
  }
}
