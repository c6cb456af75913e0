/**
 * The process monitor: a Collector feeding a ProcessStore. What `top`,
 * `snapshot` and `bench` drive, one refresh() at a time.
 */
import { Collector } from "../collect/collector.ts";
import { ProcessStore } from "./store.ts";
import type { ProcessRow, RefreshInfo, SystemSummary } from "./types.ts";

export interface MonitorSnapshot {
  rows: readonly ProcessRow[];
  system: SystemSummary;
  info: RefreshInfo;
}

export class Monitor {
  private seq = 0;

  private constructor(
    private readonly collector: Collector,
    readonly store: ProcessStore,
  ) {}

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
    this.store.update(c.tasks, c.system, c.atMs);
    const warnings: string[] = [];
    return {
      rows: this.store.rows,
      system: this.store.system!,
      info: { seq: ++this.seq, collectMs: performance.now() - t0, periodMs: this.store.periodMs, warnings },
    };
  }

  close(): void {
    this.collector.close();
  }
}
