/**
 * Process events in the store: kernel records turned into ProcessEvents
 * (wall-clock time, user name, decoded exit status), a bounded log for the
 * events view, and the rates for the header.
 */
import { EventType, type EventRecord } from "../bpf/records.ts";
import type { EventBatch } from "../collect/events.ts";
import type { EventStats, ExitStatus, ProcessEvent, ProcessEventKind } from "./types.ts";

export const EVENT_LOG_LIMIT = 10_000;
/** Rates are averaged over this much history, so a short refresh interval does not make them jump. */
export const RATE_WINDOW_MS = 5_000;

const KINDS: Record<number, ProcessEventKind> = { [EventType.exec]: "exec", [EventType.exit]: "exit", [EventType.fork]: "fork" };

/** Decode a wait status (exit_code in the kernel): status << 8 | 0x80 if core dumped | signal. */
export function decodeWaitStatus(status: number, timeMs: number): ExitStatus {
  const signal = status & 0x7f;
  return signal
    ? { signal, coreDumped: (status & 0x80) !== 0, timeMs }
    : { code: (status >> 8) & 0xff, coreDumped: false, timeMs };
}

export function toProcessEvent(r: EventRecord, seq: number, bootToEpochMs: number, userName: (uid: number) => string, pageSize: number): ProcessEvent | undefined {
  const kind = KINDS[r.type];
  if (!kind) return undefined;
  const timeMs = bootToEpochMs + r.tsNs / 1e6;
  const e: ProcessEvent = { seq, kind, timeMs, pid: r.pid, ppid: r.ppid, uid: r.uid, user: userName(r.uid), comm: r.comm, cgroupId: r.cgroupId };
  if (kind === "exec") e.filename = r.filename;
  if (kind === "exit") {
    e.exit = decodeWaitStatus(r.exitCode, timeMs);
    e.durationMs = Math.max(0, (r.tsNs - r.startNs) / 1e6);
    e.cpuTimeNs = r.cpuNs;
    e.peakRssBytes = r.peakRssPages * pageSize;
  }
  return e;
}

/** The bounded log and the per-refresh rates. */
export class EventLog {
  events: ProcessEvent[] = [];
  stats: EventStats = { execsPerSec: 0, exitsPerSec: 0, forksPerSec: 0, dropped: 0 };
  private seq = 0;
  /** Per-refresh counts inside the rate window, oldest first. */
  private window: { periodMs: number; exec: number; exit: number; fork: number }[] = [];

  constructor(
    private readonly userName: (uid: number) => string,
    private readonly pageSize: number,
    private readonly limit = EVENT_LOG_LIMIT,
  ) {}

  /** Add a drained batch; returns the new events, oldest first. */
  add(batch: EventBatch, periodMs: number): ProcessEvent[] {
    const added: ProcessEvent[] = [];
    const counts = { exec: 0, exit: 0, fork: 0 };
    for (const r of batch.records) {
      const e = toProcessEvent(r, ++this.seq, batch.bootToEpochMs, this.userName, this.pageSize);
      if (!e) continue;
      counts[e.kind]++;
      added.push(e);
    }
    this.events.push(...added);
    if (this.events.length > this.limit) this.events.splice(0, this.events.length - this.limit);
    this.window.push({ periodMs, ...counts });
    let spanMs = this.window.reduce((t, w) => t + w.periodMs, 0);
    while (this.window.length > 1 && spanMs - this.window[0]!.periodMs >= RATE_WINDOW_MS) spanMs -= this.window.shift()!.periodMs;
    const perSec = (kind: ProcessEventKind) => (spanMs > 0 ? (this.window.reduce((t, w) => t + w[kind], 0) * 1000) / spanMs : 0);
    this.stats = {
      execsPerSec: perSec("exec"),
      exitsPerSec: perSec("exit"),
      forksPerSec: perSec("fork"),
      dropped: batch.dropped,
      unavailable: this.stats.unavailable,
    };
    return added;
  }

  markUnavailable(reason: string): void {
    this.stats = { ...this.stats, unavailable: reason };
  }
}
