/**
 * The in-memory model every view and output reads. Collectors fill it; the UI
 * and outputs never call collectors (shared/design.md, "The store is the only
 * shared state").
 */

import type { TaskCounts } from "../collect/tasks.ts";
import type { TaskState } from "../collect/task-state.ts";

export { TASK_STATES, type TaskState } from "../collect/task-state.ts";

/** One process (or, with threads shown, one thread) as the table draws it. */
export interface ProcessRow {
  /** Process id, or the thread id for a thread row. */
  pid: number;
  /** The owning process id (equals pid for a process row). */
  tgid: number;
  ppid: number;
  uid: number;
  euid: number;
  user: string;
  /** Kernel task name (15 bytes at most). */
  comm: string;
  /** Full command line, argv joined by spaces; "[comm]" for kernel threads. */
  cmdline: string;
  state: TaskState;
  /** Priority as htop's PRI column shows it (task->prio - 100; <= -100 is real-time). */
  priority: number;
  nice: number;
  threads: number;
  /** CPU use since the previous refresh; 100 = one full core. */
  cpuPercent: number;
  /** Total CPU time consumed, live and exited threads, in nanoseconds. */
  cpuTimeNs: number;
  rssBytes: number;
  vsizeBytes: number;
  /** rssBytes as a percentage of physical memory. */
  memPercent: number;
  /** Start time in ms since the Unix epoch. */
  startTimeMs: number;
  cgroupId: number;
  kernelThread: boolean;
  /** A thread row (shown only with threads on); its process row has the same tgid. */
  isThread: boolean;
}

/** Per-CPU (and aggregate) utilisation since the previous refresh, in percent of that CPU. */
export interface CpuUsage {
  /** "cpu" for the total, "cpu0"… for each CPU. */
  name: string;
  user: number;
  nice: number;
  system: number;
  irq: number;
  iowait: number;
  steal: number;
  /** Sum of everything but idle and iowait. */
  busy: number;
}

export interface MemoryUsage {
  totalBytes: number;
  /** total - free - buffers - cache (htop's "used"). */
  usedBytes: number;
  buffersBytes: number;
  cacheBytes: number;
  availableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

/** Process and thread counts of a refresh, by kind and by state. */
export type TaskTotals = TaskCounts;

export interface SystemSummary {
  /** Wall-clock time of the sample, ms since epoch. */
  timeMs: number;
  hostname: string;
  kernel: string;
  cpus: CpuUsage[];
  /** Aggregate of all CPUs. */
  cpuTotal: CpuUsage;
  memory: MemoryUsage;
  load: [number, number, number];
  uptimeSeconds: number;
  tasks: TaskTotals;
}

/** What a refresh produced, besides the rows. */
export interface RefreshInfo {
  /** Refresh counter, starting at 1. */
  seq: number;
  /** Time the collection and store update took, ms. */
  collectMs: number;
  /** Interval actually covered by the CPU% deltas, ms. */
  periodMs: number;
  /** Non-fatal problems to show in the status line (e.g. a degraded feature). */
  warnings: string[];
}
