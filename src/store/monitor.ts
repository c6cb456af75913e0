/**
 * The process monitor: a Collector feeding a ProcessStore. What `top`,
 * `snapshot` and `bench` drive, one refresh() at a time.
 */
import { Collector, type CollectorOptions } from "../collect/collector.ts";
import type { OverheadSample } from "../collect/overhead.ts";
import { EventLog } from "./events.ts";
import { NetStore } from "./net.ts";
import { selfOverhead } from "./overhead.ts";
import { ProcessStore } from "./store.ts";
import type { ConnectionRow, EventStats, NetStats, ProcessEvent, ProcessRow, RefreshInfo, SelfOverhead, SystemSummary } from "./types.ts";

export interface MonitorSnapshot {
  rows: readonly ProcessRow[];
  system: SystemSummary;
  info: RefreshInfo;
  /** Recent process events, oldest first (bounded). */
  events: readonly ProcessEvent[];
  eventStats: EventStats;
  /** Sockets and recently closed connections (empty unless opened with the network lens). */
  connections: readonly ConnectionRow[];
  netStats: NetStats;
  /** bpftop's own cost, while asked for (setShowOverhead). */
  overhead?: SelfOverhead;
}

export class Monitor {
  private seq = 0;
  private lastAtMs: number | undefined;
  /** Rows given network rates or GPU use by the last refresh. */
  private withTraffic: ProcessRow[] = [];
  private onGpu: ProcessRow[] = [];
  private prevOverhead: OverheadSample | undefined;

  readonly events: EventLog;
  readonly net: NetStore;

  private constructor(
    private readonly collector: Collector,
    readonly store: ProcessStore,
  ) {
    const userName = (uid: number) => collector.users.name(uid);
    this.events = new EventLog(userName, collector.pageSize);
    if (collector.eventsUnavailable) this.events.markUnavailable(collector.eventsUnavailable);
    this.net = new NetStore(userName, {
      unavailable: collector.hasNet ? undefined : "the network lens is off (start bpftop with it: bpftop net)",
      degraded: collector.socketIoUnavailable,
    });
  }

  static async open(options?: CollectorOptions): Promise<Monitor> {
    const c = await Collector.open(options);
    return new Monitor(c, new ProcessStore(c));
  }

  /** System calls this process made so far (opened with countSyscalls). */
  ownSyscalls(): number | undefined {
    return this.collector.ownSyscalls();
  }

  /** cgroup v2 freeze and thaw (src/collect/freezer.ts). */
  get freezer() {
    return this.collector.freezer;
  }

  setShowThreads(on: boolean): void {
    this.collector.collectThreads = on;
  }

  /** Measure bpftop's own cost from the next refresh on (the kernel counts BPF run times only meanwhile). */
  setShowOverhead(on: boolean): void {
    this.collector.overhead.enabled = on;
    this.prevOverhead = undefined;
  }

  refresh(): MonitorSnapshot {
    const t0 = performance.now();
    const c = this.collector.collect();
    const storeStart = performance.now();
    const added = c.events ? this.events.add(c.events, c.atMs - (this.lastAtMs ?? c.atMs)) : [];
    this.lastAtMs = c.atMs;
    this.store.update(c.tasks, c.system, c.atMs, added);
    if (c.net) {
      this.net.update(c.net, c.atMs);
      for (const row of this.withTraffic) row.netSendRate = row.netReceiveRate = 0;
      this.withTraffic = this.rowsOf(this.net.rateByPid, (row, rate) => {
        row.netSendRate = rate.send;
        row.netReceiveRate = rate.receive;
      });
    }
    if (c.gpu) {
      for (const row of this.onGpu) row.gpuMemoryBytes = row.gpuPercent = 0;
      this.onGpu = this.rowsOf(c.gpu.byPid, (row, use) => {
        row.gpuMemoryBytes = use.memoryBytes;
        row.gpuPercent = use.utilPercent;
      });
    }
    const storeMs = performance.now() - storeStart;
    const warnings = [this.collector.eventsUnavailable, this.collector.socketIoUnavailable].filter((w): w is string => !!w);
    const system = { ...this.store.system!, gpus: c.gpu?.gpus ?? [], freezeUnavailable: this.collector.freezer.unavailable };
    const collectMs = performance.now() - t0;
    const overhead = c.overhead && selfOverhead(this.prevOverhead, c.overhead, collectMs);
    this.prevOverhead = c.overhead;
    return {
      rows: this.store.rows,
      system,
      info: { seq: ++this.seq, collectMs, periodMs: this.store.periodMs, warnings, phases: { ...c.phases, store: storeMs } },
      events: this.events.events.slice(),
      eventStats: this.events.stats,
      connections: this.net.rows,
      netStats: this.net.stats,
      overhead,
    };
  }

  close(): void {
    this.collector.close();
  }

  /**
   * Applies per-pid figures to the live process rows they name, and returns
   * those rows, to be zeroed before the next refresh: a few processes with
   * traffic or a GPU cost a few lookups, not one per process.
   */
  private rowsOf<T>(byPid: ReadonlyMap<number, T>, apply: (row: ProcessRow, value: T) => void): ProcessRow[] {
    const rows: ProcessRow[] = [];
    for (const [pid, value] of byPid) {
      const row = this.store.processRowOf(pid);
      if (!row) continue;
      apply(row, value);
      rows.push(row);
    }
    return rows;
  }
}
