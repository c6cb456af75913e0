/**
 * What bpftop itself costs, as raw counters: its CPU time and RSS, the run
 * counts and run times of its BPF programs (while the kernel's statistics
 * are on), and how full its record arrays and ring buffers got. The store
 * turns two samples into rates (src/store/overhead.ts).
 */
import type { BpftopBpf } from "../bpf/bpftop.ts";
import type { ProgramRunStats, RunStats } from "../bpf/stats.ts";

export interface BufferFill {
  name: string;
  /** Records written (past capacity: the rest were streamed, not lost) or bytes waiting. */
  used: number;
  capacity: number;
  unit: "records" | "bytes";
  /** Records the kernel could not queue since start (rings only). */
  lost?: number;
}

export interface OverheadSample {
  /** performance.now() of the sample. */
  atMs: number;
  /** CPU time of every thread of this process, µs. */
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  /** Cumulative per-program counters; undefined when the kernel's statistics are off, with the reason. */
  programs?: ProgramRunStats[];
  programsUnavailable?: string;
  buffers: BufferFill[];
}

type OverheadBpf = Pick<BpftopBpf, "programs" | "enableRunStats" | "events" | "eventDrops" | "connEvents" | "connDrops">;

export class OverheadCollector {
  private stats: RunStats | undefined;
  private unavailable: string | undefined;

  constructor(private readonly bpf: OverheadBpf) {}

  get enabled(): boolean {
    return this.stats !== undefined || this.unavailable !== undefined;
  }

  /** On: the kernel starts counting (2 clock reads per program run); off: it stops. */
  set enabled(on: boolean) {
    if (on === this.enabled) return;
    if (on) {
      const stats = this.bpf.enableRunStats();
      if (typeof stats === "string") this.unavailable = stats;
      else this.stats = stats;
    } else {
      this.stats?.close();
      this.stats = undefined;
      this.unavailable = undefined;
    }
  }

  /** One sample; `arrays` are the record arrays' fill from this refresh's walks. */
  sample(arrays: { tasks: { used: number; capacity: number }; sockets?: { used: number; capacity: number } }): OverheadSample {
    const cpu = process.cpuUsage();
    const buffers: BufferFill[] = [{ name: "task records", unit: "records", ...arrays.tasks }];
    if (arrays.sockets) buffers.push({ name: "socket records", unit: "records", ...arrays.sockets });
    const { events, connEvents } = this.bpf;
    if (events) buffers.push({ name: "event ring", unit: "bytes", used: events.takePeakBacklog(), capacity: events.capacityBytes, lost: this.bpf.eventDrops() });
    if (connEvents) buffers.push({ name: "close ring", unit: "bytes", used: connEvents.takePeakBacklog(), capacity: connEvents.capacityBytes, lost: this.bpf.connDrops() });
    return {
      atMs: performance.now(),
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rssBytes: process.memoryUsage.rss(),
      programs: this.stats?.read(this.bpf.programs),
      programsUnavailable: this.unavailable,
      buffers,
    };
  }

  close(): void {
    this.enabled = false;
  }
}
