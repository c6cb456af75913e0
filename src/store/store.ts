/**
 * The process model. Each refresh the collectors' cumulative samples come in;
 * rows keep the previous sample, so CPU% is a pure function of two samples and
 * the period. Rows are kept per tgid (and tid) and updated in place: a
 * mark-and-sweep, like htop's Table.c.
 */
import { cgroupFrozen, type CgroupDirectory, type ContainerNames } from "../collect/cgroups.ts";
import type { CmdlineCache } from "../collect/cmdline.ts";
import type { SystemSample } from "../collect/system.ts";
import type { ProcessSample, TaskCollection, ThreadSample } from "../collect/tasks.ts";
import type { UserNames } from "../collect/users.ts";
import { cpuUsage } from "./system.ts";
import type { ExitStatus, ProcessEvent, ProcessRow, SystemSummary } from "./types.ts";

/** Refreshes an exited process stays in the table, dimmed, with its exit status. */
export const KEEP_EXITED_REFRESHES = 3;
/** Processes that lived between two refreshes, kept for the `e` toggle. */
export const SHORT_LIVED_LIMIT = 500;
/** Bounds for per-pid event state whose process never shows up. */
const PENDING_LIMIT = 10_000;

/** What the store needs to name things; implemented by collect/ caches. */
export interface Resolvers {
  cmdlines: Pick<CmdlineCache, "get" | "invalidate">;
  users: Pick<UserNames, "name">;
  cgroups: Pick<CgroupDirectory, "info">;
  containers: Pick<ContainerNames, "name">;
  /** The cgroup2 mount, for reading cgroup.events of frozen cgroups; undefined on cgroup v1. */
  cgroupMount: string | undefined;
  pageSize: number;
  hostname: string;
  kernel: string;
}

interface Tracked {
  row: ProcessRow;
  /** Cumulative CPU ns at the previous refresh. */
  prevRuntimeNs: number;
  startNs: number;
  generation: number;
}

/**
 * A process's row plus what its names were resolved from: user, command line
 * and cgroup are looked up again only when their inputs change (a sleeping
 * process costs no lookups; at 10,000 processes the lookups were most of a
 * refresh's store time).
 */
interface TrackedProcess extends Tracked {
  /** row.user was resolved from this uid (-1: not yet, or to a bare number: retried each refresh). */
  userOf: number;
  /** row.cmdline is current; cleared by exec, a comm change and pid reuse. */
  cmdlineValid: boolean;
  /** row.cgroup/unit/container were resolved from this cgroup id (-1: not yet, or unknown then). */
  cgroupOf: number;
}

/**
 * CPU% over a period: 100 = one core busy for the whole period. A row seen
 * for the first time was born inside the period (after the first refresh),
 * so all its CPU time counts; on the first refresh there is no period.
 */
export function cpuPercent(prevRuntimeNs: number | undefined, runtimeNs: number, periodNs: number): number {
  if (periodNs <= 0) return 0;
  const delta = runtimeNs - (prevRuntimeNs ?? 0);
  return delta > 0 ? (delta / periodNs) * 100 : 0;
}

export class ProcessStore {
  rows: ProcessRow[] = [];
  system: SystemSummary | undefined;
  /** Wall-clock period of the last CPU% computation, ms. */
  periodMs = 0;

  private readonly processes = new Map<number, TrackedProcess>();
  private readonly threads = new Map<number, Tracked>();
  /** Exited processes still shown, with the refresh after which they go. */
  private readonly exited = new Map<number, { row: ProcessRow; untilGeneration: number }>();
  /** Exit events of processes still in the task list (zombies until reaped). */
  private readonly pendingExits = new Map<number, ProcessEvent>();
  /** The last exec of each pid, to name short-lived processes. */
  private readonly lastExec = new Map<number, ProcessEvent>();
  private shortLived: ProcessRow[] = [];
  private prevSystem: SystemSample | undefined;
  private prevAtMs: number | undefined;
  private generation = 0;

  constructor(private readonly resolvers: Resolvers) {}

  update(tasks: TaskCollection, sys: SystemSample, atMs: number, events: readonly ProcessEvent[] = []): void {
    const gen = ++this.generation;
    const first = this.prevAtMs === undefined;
    const periodNs = first ? 0 : (atMs - this.prevAtMs!) * 1e6;
    this.periodMs = periodNs / 1e6;
    this.prevAtMs = atMs;
    const memTotal = sys.memory.totalBytes;

    const rows: ProcessRow[] = [];
    for (const p of tasks.processes.values()) {
      const row = this.processRow(p, gen, periodNs, first, sys, memTotal);
      rows.push(row);
      for (const t of p.threadList) rows.push(this.threadRow(t, row, gen, periodNs, first, sys));
    }
    this.applyEvents(events, sys);
    this.sweepProcesses(gen);
    sweep(this.threads, gen);
    for (const x of this.exited.values()) rows.push(x.row);
    rows.push(...this.shortLived);
    this.rows = rows;
    this.system = this.summarize(sys, tasks);
    this.prevSystem = sys;
  }

  /** The row of a live process (not a thread, not an exited one), by tgid. */
  processRowOf(tgid: number): ProcessRow | undefined {
    return this.processes.get(tgid)?.row;
  }

  // --- internal ---

  /**
   * exec: the command line changed (read it again). exit: remember it until
   * the process leaves the task list; a process never seen by a refresh was
   * born and died between two, and becomes a short-lived row.
   */
  private applyEvents(events: readonly ProcessEvent[], sys: SystemSample): void {
    for (const e of events) {
      if (e.kind === "exec") {
        this.invalidateCmdline(e.pid);
        boundedSet(this.lastExec, e.pid, e);
      } else if (e.kind === "exit") {
        if (this.processes.has(e.pid)) boundedSet(this.pendingExits, e.pid, e);
        else this.addShortLived(e, sys);
      }
    }
  }

  private invalidateCmdline(pid: number): void {
    this.resolvers.cmdlines.invalidate(pid);
    const t = this.processes.get(pid);
    if (t) t.cmdlineValid = false;
  }

  private addShortLived(exit: ProcessEvent, sys: SystemSample): void {
    const exec = this.lastExec.get(exit.pid);
    this.lastExec.delete(exit.pid);
    const row = emptyRow(exit.pid);
    row.ppid = exit.ppid;
    row.uid = row.euid = exit.uid;
    row.user = exit.user;
    row.comm = exit.comm;
    row.cmdline = exec?.filename || exit.comm;
    row.state = "X";
    row.cpuTimeNs = exit.cpuTimeNs ?? 0;
    row.rssBytes = exit.peakRssBytes ?? 0;
    row.memPercent = sys.memory.totalBytes > 0 ? (row.rssBytes / sys.memory.totalBytes) * 100 : 0;
    row.startTimeMs = exit.timeMs - (exit.durationMs ?? 0);
    row.cgroupId = exit.cgroupId;
    row.exit = exit.exit as ExitStatus;
    row.shortLived = true;
    this.shortLived.push(row);
    if (this.shortLived.length > SHORT_LIVED_LIMIT) this.shortLived.splice(0, this.shortLived.length - SHORT_LIVED_LIMIT);
  }

  /** Processes not seen in this refresh: kept a while if their exit is known, else gone. */
  private sweepProcesses(gen: number): void {
    // values(), not entries(): no [key, value] pair per process per refresh.
    for (const t of this.processes.values()) {
      if (t.generation === gen) continue;
      const pid = t.row.tgid;
      this.processes.delete(pid);
      this.resolvers.cmdlines.invalidate(pid);
      const exit = this.pendingExits.get(pid);
      this.pendingExits.delete(pid);
      this.lastExec.delete(pid);
      if (!exit?.exit) continue;
      t.row.exit = exit.exit;
      t.row.cpuPercent = 0;
      if (exit.cpuTimeNs !== undefined) t.row.cpuTimeNs = exit.cpuTimeNs;
      this.exited.set(pid, { row: t.row, untilGeneration: gen + KEEP_EXITED_REFRESHES });
    }
    for (const x of this.exited.values()) {
      const pid = x.row.tgid;
      // Gone for good, or the pid came back as a new process.
      if (x.untilGeneration <= gen || this.processes.has(pid)) this.exited.delete(pid);
    }
  }

  private processRow(p: ProcessSample, gen: number, periodNs: number, first: boolean, sys: SystemSample, memTotal: number): ProcessRow {
    let t = this.processes.get(p.tgid);
    if (t && t.startNs !== p.startNs) {
      // The pid was reused by a new process.
      this.resolvers.cmdlines.invalidate(p.tgid);
      t = undefined;
    }
    if (t && t.row.comm !== p.comm) {
      // comm changes on exec: the command line did too.
      this.resolvers.cmdlines.invalidate(p.tgid);
      t.cmdlineValid = false;
    }
    const row = t?.row ?? emptyRow(p.tgid);
    row.cpuPercent = first ? 0 : cpuPercent(t?.prevRuntimeNs, p.runtimeNs, periodNs);
    if (!t) {
      t = { row, prevRuntimeNs: p.runtimeNs, startNs: p.startNs, generation: gen, userOf: -1, cmdlineValid: false, cgroupOf: -1 };
      this.processes.set(p.tgid, t);
    }
    t.prevRuntimeNs = p.runtimeNs;
    t.generation = gen;
    row.tgid = p.tgid;
    row.ppid = p.ppid;
    row.uid = p.uid;
    row.euid = p.euid;
    if (t.userOf !== p.uid) {
      row.user = this.resolvers.users.name(p.uid);
      // A uid without a name yet (a user added later) is looked up again next time.
      t.userOf = row.user === String(p.uid) ? -1 : p.uid;
    }
    row.comm = p.comm;
    if (!t.cmdlineValid) {
      row.cmdline = p.kernelThread ? `[${p.comm}]` : this.resolvers.cmdlines.get(p.tgid, p.startNs, p.comm);
      t.cmdlineValid = true;
    }
    row.state = p.state;
    row.priority = p.prio - 100;
    row.nice = p.staticPrio - 120;
    row.threads = p.threads;
    row.cpuTimeNs = p.runtimeNs;
    row.rssBytes = p.rssPages * this.resolvers.pageSize;
    row.vsizeBytes = p.vmPages * this.resolvers.pageSize;
    row.memPercent = memTotal > 0 ? (row.rssBytes / memTotal) * 100 : 0;
    row.startTimeMs = sys.bootTimeSec * 1000 + p.startNs / 1e6;
    row.cgroupId = p.cgroupId;
    row.kernelThread = p.kernelThread;
    row.frozen = p.frozen;
    if (t.cgroupOf !== p.cgroupId) {
      const cg = this.resolvers.cgroups.info(p.cgroupId);
      row.cgroup = cg?.path ?? "";
      row.unit = cg?.unit ?? "";
      row.container = cg?.container && { id: cg.container.id, runtime: cg.container.runtime, name: this.resolvers.containers.name(cg.container, cg.path) };
      // An id not in the directory yet (a cgroup made since the last walk) is looked up again next time.
      t.cgroupOf = cg ? p.cgroupId : -1;
    }
    return row;
  }

  private threadRow(s: ThreadSample, parent: ProcessRow, gen: number, periodNs: number, first: boolean, sys: SystemSample): ProcessRow {
    let t = this.threads.get(s.tid);
    if (t && t.startNs !== s.startNs) t = undefined;
    const row = t?.row ?? emptyRow(s.tid);
    row.cpuPercent = first ? 0 : cpuPercent(t?.prevRuntimeNs, s.runtimeNs, periodNs);
    if (!t) {
      t = { row, prevRuntimeNs: s.runtimeNs, startNs: s.startNs, generation: gen };
      this.threads.set(s.tid, t);
    }
    t.prevRuntimeNs = s.runtimeNs;
    t.generation = gen;
    Object.assign(row, {
      ...parent,
      pid: s.tid,
      comm: s.comm,
      state: s.state,
      priority: s.prio - 100,
      nice: s.staticPrio - 120,
      cpuPercent: row.cpuPercent,
      cpuTimeNs: s.runtimeNs,
      startTimeMs: sys.bootTimeSec * 1000 + s.startNs / 1e6,
      isThread: true,
      // Traffic and GPU use are per process: the process row carries them.
      netSendRate: 0,
      netReceiveRate: 0,
      gpuMemoryBytes: 0,
      gpuPercent: 0,
    });
    return row;
  }

  private frozenCgroups(): number {
    return frozenCgroupsOf(this.rows, this.resolvers.cgroupMount);
  }

  private summarize(sys: SystemSample, tasks: TaskCollection): SystemSummary {
    const prev = this.prevSystem;
    const m = sys.memory;
    return {
      timeMs: Date.now(),
      hostname: this.resolvers.hostname,
      kernel: this.resolvers.kernel,
      cpuTotal: cpuUsage(prev?.cpuTotal, sys.cpuTotal),
      cpus: sys.cpus.map((c, i) => cpuUsage(prev?.cpus[i]?.name === c.name ? prev.cpus[i] : undefined, c)),
      memory: {
        totalBytes: m.totalBytes,
        usedBytes: Math.max(0, m.totalBytes - m.freeBytes - m.buffersBytes - m.cacheBytes),
        buffersBytes: m.buffersBytes,
        cacheBytes: m.cacheBytes,
        availableBytes: m.availableBytes,
        swapTotalBytes: m.swapTotalBytes,
        swapUsedBytes: Math.max(0, m.swapTotalBytes - m.swapFreeBytes),
      },
      load: sys.load,
      uptimeSeconds: sys.uptimeSeconds,
      tasks: tasks.counts,
      gpus: [],
      frozenCgroups: this.frozenCgroups(),
    };
  }
}

/** Cost: one cgroup.events read per cgroup holding a frozen task, none when nothing is frozen. */
function frozenCgroupsOf(rows: readonly ProcessRow[], mount: string | undefined): number {
  if (!mount) return 0;
  const candidates = new Set<string>();
  for (const r of rows) if (r.frozen && r.cgroup && !r.exit) candidates.add(r.cgroup);
  let n = 0;
  for (const path of candidates) if (cgroupFrozen(mount, path)) n++;
  return n;
}

function boundedSet<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > PENDING_LIMIT) map.delete(map.keys().next().value as K);
}

function sweep(map: Map<number, Tracked>, gen: number): void {
  for (const t of map.values()) if (t.generation !== gen) map.delete(t.row.pid);
}

function emptyRow(pid: number): ProcessRow {
  return {
    pid, tgid: pid, ppid: 0, uid: 0, euid: 0, user: "", comm: "", cmdline: "", state: "S", priority: 0, nice: 0,
    threads: 1, cpuPercent: 0, cpuTimeNs: 0, rssBytes: 0, vsizeBytes: 0, memPercent: 0, startTimeMs: 0, cgroupId: 0,
    kernelThread: false, isThread: false, netSendRate: 0, netReceiveRate: 0, cgroup: "", unit: "", frozen: false, gpuMemoryBytes: 0, gpuPercent: 0,
  };
}
