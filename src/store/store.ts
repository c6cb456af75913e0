/**
 * The process model. Each refresh the collectors' cumulative samples come in;
 * rows keep the previous sample, so CPU% is a pure function of two samples and
 * the period. Rows are kept per tgid (and tid) and updated in place: a
 * mark-and-sweep, like htop's Table.c.
 */
import type { CmdlineCache } from "../collect/cmdline.ts";
import type { SystemSample } from "../collect/system.ts";
import type { ProcessSample, TaskCollection, ThreadSample } from "../collect/tasks.ts";
import type { UserNames } from "../collect/users.ts";
import { cpuUsage } from "./system.ts";
import type { ProcessRow, SystemSummary } from "./types.ts";

/** What the store needs to name things; implemented by collect/ caches. */
export interface Resolvers {
  cmdlines: Pick<CmdlineCache, "get" | "invalidate" | "retain">;
  users: Pick<UserNames, "name">;
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

  private readonly processes = new Map<number, Tracked>();
  private readonly threads = new Map<number, Tracked>();
  private prevSystem: SystemSample | undefined;
  private prevAtMs: number | undefined;
  private generation = 0;

  constructor(private readonly resolvers: Resolvers) {}

  update(tasks: TaskCollection, sys: SystemSample, atMs: number): void {
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
    sweep(this.processes, gen);
    sweep(this.threads, gen);
    this.resolvers.cmdlines.retain((tgid) => this.processes.has(tgid));
    this.rows = rows;
    this.system = this.summarize(sys, tasks);
    this.prevSystem = sys;
  }

  // --- internal ---

  private processRow(p: ProcessSample, gen: number, periodNs: number, first: boolean, sys: SystemSample, memTotal: number): ProcessRow {
    let t = this.processes.get(p.tgid);
    if (t && t.startNs !== p.startNs) {
      // The pid was reused by a new process.
      this.resolvers.cmdlines.invalidate(p.tgid);
      t = undefined;
    }
    if (t && t.row.comm !== p.comm && !p.kernelThread) {
      // comm changes on exec: the command line did too.
      this.resolvers.cmdlines.invalidate(p.tgid);
    }
    const row = t?.row ?? emptyRow(p.tgid);
    row.cpuPercent = first ? 0 : cpuPercent(t?.prevRuntimeNs, p.runtimeNs, periodNs);
    if (!t) {
      t = { row, prevRuntimeNs: p.runtimeNs, startNs: p.startNs, generation: gen };
      this.processes.set(p.tgid, t);
    }
    t.prevRuntimeNs = p.runtimeNs;
    t.generation = gen;
    row.tgid = p.tgid;
    row.ppid = p.ppid;
    row.uid = p.uid;
    row.euid = p.euid;
    row.user = this.resolvers.users.name(p.uid);
    row.comm = p.comm;
    row.cmdline = p.kernelThread ? `[${p.comm}]` : this.resolvers.cmdlines.get(p.tgid, p.startNs, p.comm);
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
    });
    return row;
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
    };
  }
}

function sweep(map: Map<number, Tracked>, gen: number): void {
  for (const [id, t] of map) if (t.generation !== gen) map.delete(id);
}

function emptyRow(pid: number): ProcessRow {
  return {
    pid, tgid: pid, ppid: 0, uid: 0, euid: 0, user: "", comm: "", cmdline: "", state: "S", priority: 0, nice: 0,
    threads: 1, cpuPercent: 0, cpuTimeNs: 0, rssBytes: 0, vsizeBytes: 0, memPercent: 0, startTimeMs: 0, cgroupId: 0,
    kernelThread: false, isThread: false,
  };
}
