/**
 * The in-memory model every view and output reads. Collectors fill it; the UI
 * and outputs never call collectors (shared/design.md, "The store is the only
 * shared state").
 */

import type { BufferFill } from "../collect/overhead.ts";
import type { TaskCounts } from "../collect/tasks.ts";
import type { TaskState } from "../collect/task-state.ts";

export type { BufferFill } from "../collect/overhead.ts";

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
  /** cgroup v2 path relative to the cgroup2 mount ("/system.slice/nginx.service"); "" when unknown. */
  cgroup: string;
  /** The systemd unit that owns the process (".service", ".scope" or ".slice"; user units too); "" if none. */
  unit: string;
  /** The container the process runs in, recognised from its cgroup path. */
  container?: ContainerInfo;
  /** Its cgroup (or an ancestor) is frozen (cgroup.events says frozen 1). */
  frozen: boolean;
  /** GPU memory this process holds, summed over GPUs (0 without NVML). */
  gpuMemoryBytes: number;
  /** GPU utilisation attributed to this process over the last interval, percent (0 without NVML). */
  gpuPercent: number;
  /** Bytes per second this process's sockets sent / received over the last refresh (0 without the network lens). */
  netSendRate: number;
  netReceiveRate: number;
  /**
   * Set when the process has exited: the row stays a few refreshes (drawn
   * dimmed, with its exit status) with its last counters, CPU% 0.
   */
  exit?: ExitStatus;
  /**
   * A process that was born and died between two refreshes, known only from
   * its exec and exit events (the UI shows these with the `e` toggle).
   */
  shortLived?: boolean;
}

/** How a process ended, decoded from its wait status. */
export interface ExitStatus {
  /** exit(2) status, when it exited normally. */
  code?: number;
  /** The signal that killed it, when it was killed. */
  signal?: number;
  coreDumped: boolean;
  /** Wall-clock time of the exit, ms since epoch. */
  timeMs: number;
}

export type ProcessEventKind = "exec" | "exit" | "fork";

/** One exec, exit or fork, as the kernel reported it. */
export interface ProcessEvent {
  /** Increasing number, unique in this run. */
  seq: number;
  kind: ProcessEventKind;
  /** Wall-clock time, ms since epoch. */
  timeMs: number;
  pid: number;
  ppid: number;
  uid: number;
  user: string;
  comm: string;
  cgroupId: number;
  /** exec: the path given to execve. */
  filename?: string;
  /** exit: how it ended. */
  exit?: ExitStatus;
  /** exit: how long the process lived, ms. */
  durationMs?: number;
  /** exit: CPU time of all its threads, ns. */
  cpuTimeNs?: number;
  /** exit: the largest RSS it reached, bytes. */
  peakRssBytes?: number;
}

/** Event rates over the last refresh and the loss counter. */
export interface EventStats {
  execsPerSec: number;
  exitsPerSec: number;
  forksPerSec: number;
  /** Events the kernel could not queue (ring buffer full), since start. Never silently lost. */
  dropped: number;
  /** Why events are unavailable (e.g. a kernel without the tracepoints); undefined when they work. */
  unavailable?: string;
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

export type ContainerRuntime = "docker" | "podman" | "containerd" | "crio" | "kubernetes" | "lxc" | "systemd-nspawn";

export interface ContainerInfo {
  /** Full id from the cgroup path (64 hex for Docker/Podman/containerd). */
  id: string;
  /** The name from the runtime's on-disk metadata, or the 12-character short id. */
  name: string;
  runtime: ContainerRuntime;
}

/** One GPU, from NVML. */
export interface GpuInfo {
  index: number;
  name: string;
  utilPercent: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  temperatureC: number;
}

/** What a freeze or thaw acts on. */
export interface FreezeTarget {
  /** cgroup path relative to the cgroup2 mount. */
  cgroup: string;
  unit: string;
  container?: ContainerInfo;
  /** Every process in the cgroup and its descendants, which the freeze stops. */
  pids: number[];
  /** The process is in the root cgroup: freezing first moves it into a cgroup of its own (removed after thaw). */
  movesProcess: boolean;
  frozen: boolean;
}

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
  /** GPUs found through NVML; empty without an NVIDIA driver (the GPU columns then stay hidden). */
  gpus: GpuInfo[];
  /** Frozen cgroups, from cgroup.events; 0 on a cgroup-v1-only host. */
  frozenCgroups: number;
  /** Why freeze/thaw cannot work here (e.g. no cgroup v2); undefined when it can. */
  freezeUnavailable?: string;
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
  /** Where collectMs went, ms: the task walk and decode, the four /proc reads, the event drain, the socket walks, the stores. */
  phases?: RefreshPhases;
}

export interface RefreshPhases {
  /** The task walk and the decoding of its records; taskWalk is the walk alone (kernel time and reads). */
  tasks: number;
  taskWalk: number;
  system: number;
  events: number;
  /** The socket walks and decoding; netWalk is the walks alone. */
  net: number;
  netWalk: number;
  store: number;
}

export type ConnectionProto = "tcp" | "udp";

/** One TCP or UDP socket (a connection, a listener, or a UDP socket). */
export interface ConnectionRow {
  /** The socket cookie as a decimal string: unique for the socket's life. */
  id: string;
  proto: ConnectionProto;
  family: 4 | 6;
  /** Address text: IPv4 dotted, IPv6 compressed; IPv4-mapped IPv6 shown as IPv4. */
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  /** "127.0.0.1:80", "[::1]:443"; "*:*" for a listener or an unconnected UDP socket's remote. */
  local: string;
  remote: string;
  /** TCP state name (ESTABLISHED, LISTEN, TIME_WAIT, …); UDP: CONNECTED or UNCONN. */
  state: string;
  /** Owning process (0 and "" when not known yet: no connect, listen or I/O seen). */
  pid: number;
  comm: string;
  user: string;
  /** Application bytes (exact) when bpftop saw the socket start; otherwise TCP's wire counters (see `approximate`). */
  bytesSent: number;
  bytesReceived: number;
  /** TCP segments, or UDP datagrams (send/receive calls). */
  packetsSent: number;
  packetsReceived: number;
  /** Bytes per second over the last refresh. */
  sendRate: number;
  receiveRate: number;
  /** Smoothed RTT in microseconds; 0 when unknown (UDP, listeners). */
  rttUs: number;
  retransmits: number;
  resetsSent: number;
  resetsReceived: number;
  /** TCP states the socket entered while bpftop watched, in order of the state numbers. */
  statesSeen: string[];
  /** Byte counts come from TCP's own counters (socket older than bpftop, or kernel < 6.3). */
  approximate: boolean;
  /** Set when the connection closed: kept a few refreshes, dimmed, with its final counters. */
  closed?: { timeMs: number };
}

/** Totals for the network view's summary and the status line. */
export interface NetStats {
  connections: number;
  byState: Record<string, number>;
  sendRate: number;
  receiveRate: number;
  /** Close records the kernel could not queue, since start. */
  dropped: number;
  /** Why the network lens is off entirely. */
  unavailable?: string;
  /** Why it runs degraded (no per-socket bytes/owners: kernel < 6.3). */
  degraded?: string;
}
/** One of bpftop's BPF programs over the last refresh period (kernel statistics). */
export interface ProgramOverhead {
  name: string;
  /** Runs in the period. */
  runs: number;
  runsPerSec: number;
  /** Mean time in the program per run, ns. */
  avgNs: number;
  /** Time in the program, % of one CPU. */
  cpuPercent: number;
}

/** What bpftop itself cost over the last refresh period: the `b` readout. */
export interface SelfOverhead {
  /** All of bpftop's threads, % of one CPU, and its user and system parts. */
  cpuPercent: number;
  userPercent: number;
  systemPercent: number;
  rssBytes: number;
  /** The last refresh: collection and store, ms. */
  refreshMs: number;
  /** Busiest first; empty when the kernel's statistics are off (programsUnavailable says why). */
  programs: ProgramOverhead[];
  programsUnavailable?: string;
  buffers: BufferFill[];
}
