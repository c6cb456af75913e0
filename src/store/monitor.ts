/**
 * The process monitor: a Collector feeding a ProcessStore. What `top`,
 * `snapshot` and `bench` drive, one refresh() at a time.
 */
import { Collector } from "../collect/collector.ts";
import { EventLog } from "./events.ts";
import { ProcessStore } from "./store.ts";
import type { EventStats, ProcessEvent, ProcessRow, RefreshInfo, SystemSummary } from "./types.ts";

export interface MonitorSnapshot {
  rows: readonly ProcessRow[];
  system: SystemSummary;
  info: RefreshInfo;
  /** Recent process events, oldest first (bounded). */
  events: readonly ProcessEvent[];
  eventStats: EventStats;
}

export class Monitor {
  private seq = 0;
  private lastAtMs: number | undefined;

  readonly events: EventLog;

  private constructor(
    private readonly collector: Collector,
    readonly store: ProcessStore,
  ) {
    this.events = new EventLog((uid) => collector.users.name(uid), collector.pageSize);
    if (collector.eventsUnavailable) this.events.markUnavailable(collector.eventsUnavailable);
  }

  static async open(): Promise<Monitor> {
    const c = await Collector.open();
    return new Monitor(c, new ProcessStore(c));
  }

  setShowThreads(on: boolean): void {
    this.collector.collectThreads = on;
  }

  refresh(): MonitorSnapshot {
    const t0 = performance.now();
    const c = this.collector.collect();
    const added = c.events ? this.events.add(c.events, c.atMs - (this.lastAtMs ?? c.atMs)) : [];
    this.lastAtMs = c.atMs;
    this.store.update(c.tasks, c.system, c.atMs, added);
    const warnings = this.collector.eventsUnavailable ? [this.collector.eventsUnavailable] : [];
    return {
      rows: this.store.rows,
      system: this.store.system!,
      info: { seq: ++this.seq, collectMs: performance.now() - t0, periodMs: this.store.periodMs, warnings },
      events: this.events.events.slice(),
      eventStats: this.events.stats,
    };
  }

  close(): void {
    this.collector.close();
  }
}
