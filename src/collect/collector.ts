/**
 * One refresh's worth of collection: the task iterator and the four /proc
 * files. Owns the BPF object for the process lens and closes it.
 */
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import { DEFAULT_RING_BYTES, openBpftop, type BpftopBpf } from "../bpf/bpftop.ts";
import { PAGE_SIZE } from "../bpf/libc.ts";
import { CgroupDirectory, ContainerNames } from "./cgroups.ts";
import { CmdlineCache } from "./cmdline.ts";
import { Freezer } from "./freezer.ts";
import { GpuCollector, type GpuSample } from "./gpu.ts";
import { findCgroup2Mount } from "./mounts.ts";
import { EventCollector, type EventBatch } from "./events.ts";
import { NetCollector, type NetCollection } from "./net.ts";
import { OverheadCollector, type OverheadSample } from "./overhead.ts";
import { SystemCollector, type SystemSample } from "./system.ts";
import { TaskCollector, type TaskCollection } from "./tasks.ts";
import { UserNames } from "./users.ts";

export interface Collected {
  tasks: TaskCollection;
  system: SystemSample;
  /** performance.now() when the task walk ran. */
  atMs: number;
  /** Time spent collecting, ms. */
  collectMs: number;
  /** Process events since the last collect (undefined when events are unavailable). */
  events?: EventBatch;
  /** Sockets and closed connections (undefined unless the network lens is on). */
  net?: NetCollection;
  /** Time of each collection phase, ms. */
  phases: { tasks: number; taskWalk: number; system: number; events: number; net: number; netWalk: number };
  /** NVIDIA GPUs and per-process usage (undefined without NVML). */
  gpu?: GpuSample;
  /** bpftop's own cost (only while `overhead.enabled`). */
  overhead?: OverheadSample;
}

export interface CollectorOptions {
  /** Also collect sockets and connections. */
  net: boolean;
  /**
   * Count per-socket bytes and owners with sock_send/recv_length (default
   * true). False runs the network lens as on a kernel older than 6.3.
   */
  socketIo?: boolean;
  /** Where container runtimes keep their metadata ("/" in production; a fixture tree in tests). */
  containerMetadataRoot?: string;
  /** Count this process's own system calls (bpftop bench). */
  countSyscalls?: boolean;
}

export class Collector {
  readonly cmdlines = new CmdlineCache();
  readonly users = new UserNames();
  readonly pageSize = PAGE_SIZE;
  readonly hostname = safe(() => hostname(), "localhost");
  readonly kernel = safe(() => readFileSync("/proc/sys/kernel/osrelease", "latin1").trim(), "unknown");
  readonly cgroupMount = findCgroup2Mount(safe(() => readFileSync("/proc/self/mountinfo", "latin1"), ""));
  readonly cgroups = new CgroupDirectory(this.cgroupMount);
  readonly containers: ContainerNames;
  readonly freezer: Freezer;
  /** NVML when an NVIDIA driver is present; the GPU columns stay hidden otherwise. */
  private readonly gpu = GpuCollector.open();

  private readonly events: EventCollector | undefined;
  private readonly net: NetCollector | undefined;
  /** bpftop's own CPU, BPF program run times and buffer fill: off until the readout is shown. */
  readonly overhead: OverheadCollector;

  private constructor(
    private readonly bpf: BpftopBpf,
    private readonly sys: SystemCollector,
    private readonly tasks: TaskCollector,
    options: CollectorOptions,
  ) {
    this.containers = new ContainerNames(options.containerMetadataRoot ?? "/", (uid) => this.users.home(uid));
    this.freezer = new Freezer(this.cgroupMount, this.containers);
    this.events = bpf.events ? new EventCollector(bpf) : undefined;
    const { tcpIter, udpIter, connRecords } = bpf;
    this.net = tcpIter && udpIter && connRecords ? new NetCollector({ ...bpf, tcpIter, udpIter, connRecords }) : undefined;
    this.overhead = new OverheadCollector(bpf);
  }

  static async open(options: CollectorOptions = { net: false }): Promise<Collector> {
    const sys = new SystemCollector();
    try {
      const expectedTasks = sys.collect().loadavgTasks;
      const bpf = await openBpftop({
        tasks: { expectedTasks },
        events: { fork: false, ringBytes: DEFAULT_RING_BYTES },
        net: options.net && { expectedSockets: socketsInUse(), socketIo: options.socketIo ?? true },
        countSyscalls: options.countSyscalls,
      });
      return new Collector(bpf, sys, new TaskCollector({ taskIter: bpf.taskIter!, taskRecords: bpf.taskRecords! }), options);
    } catch (e) {
      sys.close();
      throw e;
    }
  }

  /** Why process events are off, if they are. */
  get eventsUnavailable(): string | undefined {
    return this.bpf.eventsUnavailable;
  }

  /** Why per-socket bytes and owners are off (kernel < 6.3), if they are. */
  get socketIoUnavailable(): string | undefined {
    return this.bpf.socketIoUnavailable;
  }

  get hasNet(): boolean {
    return this.net !== undefined;
  }

  /** System calls this process made so far (only with countSyscalls). */
  ownSyscalls(): number | undefined {
    return this.bpf.ownSyscalls?.();
  }

  set collectThreads(on: boolean) {
    this.tasks.collectThreads = on;
  }

  collect(): Collected {
    const t0 = performance.now();
    // Events first: an exit drained now belongs to a process the task walk may no longer see.
    const events = this.events?.take();
    const t1 = performance.now();
    const tasks = this.tasks.collect();
    const t2 = performance.now();
    const system = this.sys.collect();
    const t3 = performance.now();
    const net = this.net?.collect();
    const gpu = this.gpu?.collect();
    const t4 = performance.now();
    const phases = { events: t1 - t0, tasks: t2 - t1, taskWalk: tasks.walkMs, system: t3 - t2, net: t4 - t3, netWalk: net?.walkMs ?? 0 };
    const overhead = this.overhead.enabled ? this.overhead.sample({ tasks: tasks.arrayFill, sockets: net?.arrayFill }) : undefined;
    return { tasks, system, atMs: t0, collectMs: t4 - t0, events, net, phases, gpu, overhead };
  }

  close(): void {
    this.overhead.close();
    this.gpu?.close();
    this.events?.close();
    this.net?.close();
    this.bpf.close();
    this.sys.close();
  }
}

/** TCP and UDP sockets in use now (with time-wait), from /proc/net/sockstat, to size the socket array. */
function socketsInUse(): number {
  const text = safe(() => readFileSync("/proc/net/sockstat", "latin1"), "");
  let n = 0;
  for (const m of text.matchAll(/^(?:TCP|UDP): inuse (\d+)(?:.* tw (\d+))?/gm)) n += Number(m[1]) + Number(m[2] ?? 0);
  return n;
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
