/** Process events: the exec/exit/fork ring buffer behind a RingQueue. */
import type { BpftopBpf } from "../bpf/bpftop.ts";
import type { EventRecord } from "../bpf/records.ts";
import { RingQueue, type RingBatch } from "./ring-queue.ts";

export type EventBatch = RingBatch<EventRecord>;

export class EventCollector extends RingQueue<EventRecord> {
  constructor(bpf: Pick<BpftopBpf, "events" | "eventDrops">, drainMs?: number) {
    super(bpf.events, bpf.eventDrops, drainMs);
  }
}
