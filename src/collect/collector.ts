/**
 * One refresh's worth of collection: the task iterator and the four /proc
 * files. Owns the BPF object for the process lens and closes it.
 */
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import { DEFAULT_RING_BYTES, openBpftop, type BpftopBpf } from "../bpf/bpftop.ts";
import { PAGE_SIZE } from "../bpf/libc.ts";
import { CmdlineCache } from "./cmdline.ts";
import { EventCollector, type EventBatch } from "./events.ts";
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
}

export class Collector {
  readonly cmdlines = new CmdlineCache();
  readonly users = new UserNames();
  readonly pageSize = PAGE_SIZE;
  readonly hostname = safe(() => hostname(), "localhost");
  readonly kernel = safe(() => readFileSync("/proc/sys/kernel/osrelease", "latin1").trim(), "unknown");

  private readonly events: EventCollector | undefined;

  private constructor(
    private readonly bpf: BpftopBpf,
    private readonly sys: SystemCollector,
    private readonly tasks: TaskCollector,
  ) {
    this.events = bpf.events ? new EventCollector(bpf) : undefined;
  }

  static async open(): Promise<Collector> {
    const sys = new SystemCollector();
    try {
      const expectedTasks = sys.collect().loadavgTasks;
      const bpf = await openBpftop({ tasks: { expectedTasks }, events: { fork: false, ringBytes: DEFAULT_RING_BYTES } });
      return new Collector(bpf, sys, new TaskCollector({ taskIter: bpf.taskIter!, taskRecords: bpf.taskRecords! }));
    } catch (e) {
      sys.close();
      throw e;
    }
  }

  /** Why process events are off, if they are. */
  get eventsUnavailable(): string | undefined {
    return this.bpf.eventsUnavailable;
  }

  set collectThreads(on: boolean) {
    this.tasks.collectThreads = on;
  }

  collect(): Collected {
    const t0 = performance.now();
    // Events first: an exit drained now belongs to a process the task walk may no longer see.
    const events = this.events?.take();
    const tasks = this.tasks.collect();
    const system = this.sys.collect();
    return { tasks, system, atMs: t0, collectMs: performance.now() - t0, events };
  }

  close(): void {
    this.events?.close();
    this.bpf.close();
    this.sys.close();
  }
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
