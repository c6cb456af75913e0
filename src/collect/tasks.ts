/**
 * Task collection: one iter/task run per refresh, every thread's record
 * aggregated into its process. Samples are kept per tgid (and per tid while
 * threads are shown) and updated in place, so a refresh allocates nothing per
 * task once the set of processes is stable.
 */
import { commText, emptyTaskRecord, readIterTrailer, readTaskRecord, IterTrailerLayout, TaskRecordLayout, type TaskRecord } from "../bpf/records.ts";
import { taskStateLetter, zeroStateCounts, type StateCounts, type TaskState } from "./task-state.ts";

const PF_KTHREAD = 0x00200000;

/** Cumulative counters of one thread. */
export interface ThreadSample extends CachedComm {
  tid: number;
  tgid: number;
  state: TaskState;
  prio: number;
  staticPrio: number;
  runtimeNs: number;
  startNs: number;
  generation: number;
}

/** Cumulative counters of one process (thread group). */
export interface ProcessSample extends CachedComm {
  tgid: number;
  ppid: number;
  uid: number;
  euid: number;
  /** The group leader's state, as /proc/PID/stat reports it. */
  state: TaskState;
  prio: number;
  staticPrio: number;
  /** CPU time of live threads plus exited ones, ns. */
  runtimeNs: number;
  /** Leader's start, ns since boot. */
  startNs: number;
  cgroupId: number;
  rssPages: number;
  vmPages: number;
  threads: number;
  kernelThread: boolean;
  /** Some thread is stopped by the cgroup v2 freezer. */
  frozen: boolean;
  /** Threads of this process seen in this refresh (filled only while threads are collected). */
  threadList: ThreadSample[];
  generation: number;
}

export interface TaskCounts {
  /** Processes (thread groups), kernel threads included. */
  processes: number;
  /** User-space threads, all processes together. */
  userThreads: number;
  kernelThreads: number;
  /** Count of tasks (threads) in each state. */
  byState: StateCounts;
}

export interface TaskCollection {
  processes: Map<number, ProcessSample>;
  counts: TaskCounts;
  /** Records that did not fit in the mmapped array and were streamed (a sizing hint). */
  streamed: number;
  /** Records the walk wrote (streamed ones too) and the mmapped array's size. */
  arrayFill: { used: number; capacity: number };
  /** Time in the kernel's walk (the iterator run and its reads), ms; the rest of collect() is decoding. */
  walkMs: number;
}

/** What the collector reads: the iterator run (overflow + trailer) and the mmapped record array. */
export interface TaskRecordSource {
  taskIter: { run(): DataView };
  taskRecords: { view: DataView; entries: number };
}

export class TaskCollector {
  private readonly processes = new Map<number, ProcessSample>();
  private readonly threads = new Map<number, ThreadSample>();
  private readonly record: TaskRecord = emptyTaskRecord();
  private generation = 0;
  collectThreads = false;

  constructor(private readonly bpf: TaskRecordSource) {}

  collect(): TaskCollection {
    const gen = ++this.generation;
    const counts: TaskCounts = { processes: 0, userThreads: 0, kernelThreads: 0, byState: zeroStateCounts() };
    const walkStart = performance.now();
    const stream = this.bpf.taskIter.run();
    const walkMs = performance.now() - walkStart;
    const trailerAt = stream.byteLength - IterTrailerLayout.size;
    if (trailerAt < 0 || trailerAt % TaskRecordLayout.size !== 0) {
      throw new Error(`task iterator returned ${stream.byteLength} bytes, not records plus a trailer`);
    }
    const inMap = Math.min(readIterTrailer(stream, trailerAt).recordsInMap, this.bpf.taskRecords.entries);
    const mapView = this.bpf.taskRecords.view;
    for (let i = 0; i < inMap; i++) this.add(readTaskRecord(mapView, i * TaskRecordLayout.size, this.record), gen, counts);
    for (let off = 0; off < trailerAt; off += TaskRecordLayout.size) this.add(readTaskRecord(stream, off, this.record), gen, counts);

    // values(), not entries(): no [key, value] pair per task per refresh.
    for (const p of this.processes.values()) if (p.generation !== gen) this.processes.delete(p.tgid);
    for (const t of this.threads.values()) if (t.generation !== gen) this.threads.delete(t.tid);
    const streamed = trailerAt / TaskRecordLayout.size;
    return { processes: this.processes, counts, streamed, arrayFill: { used: inMap + streamed, capacity: this.bpf.taskRecords.entries }, walkMs };
  }

  // --- internal ---

  private add(r: TaskRecord, gen: number, counts: TaskCounts): void {
    const kernel = (r.flags & PF_KTHREAD) !== 0;
    const state = taskStateLetter(r.state, r.exitState);
    counts.byState[state]++;
    if (kernel) counts.kernelThreads++;
    else counts.userThreads++;

    let p = this.processes.get(r.tgid);
    if (!p) {
      p = newProcess(r.tgid);
      this.processes.set(r.tgid, p);
    }
    if (p.generation !== gen) {
      // First record of this process in this refresh.
      p.generation = gen;
      p.runtimeNs = r.deadRuntimeNs;
      p.rssPages = 0;
      p.vmPages = 0;
      // Truncating an array is a slow generic store in JSC even when it is empty: 10,000 per refresh show.
      if (p.threadList.length !== 0) p.threadList.length = 0;
      p.threads = r.nrThreads;
      p.kernelThread = kernel;
      p.cgroupId = r.cgroupId;
      p.frozen = false;
      counts.processes++;
    }
    if (r.frozen) p.frozen = true;
    p.runtimeNs += r.runtimeNs;
    // Every thread shares the mm; a zombie leader has none, so take any thread's.
    if (r.rssPages > p.rssPages) p.rssPages = r.rssPages;
    if (r.vmPages > p.vmPages) p.vmPages = r.vmPages;
    if (r.pid === r.tgid) {
      p.ppid = r.ppid;
      p.uid = r.uid;
      p.euid = r.euid;
      p.state = state;
      p.prio = r.prio;
      p.staticPrio = r.staticPrio;
      p.startNs = r.startNs;
      p.cgroupId = r.cgroupId;
      refreshComm(p, r);
    }
    if (this.collectThreads && !kernel) p.threadList.push(this.thread(r, state, gen));
  }

  private thread(r: TaskRecord, state: TaskState, gen: number): ThreadSample {
    let t = this.threads.get(r.pid);
    if (!t || t.tgid !== r.tgid) {
      t = { tid: r.pid, tgid: r.tgid, state, prio: 0, staticPrio: 0, runtimeNs: 0, startNs: 0, comm: "", generation: gen, c0: 0, c1: 0, c2: 0, c3: 0 };
      this.threads.set(r.pid, t);
    }
    t.generation = gen;
    t.state = state;
    t.prio = r.prio;
    t.staticPrio = r.staticPrio;
    t.runtimeNs = r.runtimeNs;
    t.startNs = r.startNs;
    refreshComm(t, r);
    return t;
  }
}

/** A comm decoded once and kept with its raw words, so an unchanged comm is never decoded again. */
interface CachedComm {
  comm: string;
  c0: number; c1: number; c2: number; c3: number;
}

function refreshComm(target: CachedComm, r: TaskRecord): void {
  if (r.comm0 === target.c0 && r.comm1 === target.c1 && r.comm2 === target.c2 && r.comm3 === target.c3 && target.comm) return;
  target.c0 = r.comm0; target.c1 = r.comm1; target.c2 = r.comm2; target.c3 = r.comm3;
  target.comm = commText(r);
}

function newProcess(tgid: number): ProcessSample {
  return {
    tgid, ppid: 0, uid: 0, euid: 0, state: "S", prio: 0, staticPrio: 0, runtimeNs: 0, startNs: 0,
    cgroupId: 0, rssPages: 0, vmPages: 0, threads: 0, kernelThread: false, frozen: false, comm: "", threadList: [],
    generation: 0, c0: 0, c1: 0, c2: 0, c3: 0,
  };
}
