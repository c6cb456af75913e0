/**
 * One refresh's worth of collection: the task iterator and the four /proc
 * files. Owns the BPF object for the process lens and closes it.
 */
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import { openBpftop, type BpftopBpf } from "../bpf/bpftop.ts";
import { PAGE_SIZE } from "../bpf/libc.ts";
import { CmdlineCache } from "./cmdline.ts";
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
}

export class Collector {
  readonly cmdlines = new CmdlineCache();
  readonly users = new UserNames();
  readonly pageSize = PAGE_SIZE;
  readonly hostname = safe(() => hostname(), "localhost");
  readonly kernel = safe(() => readFileSync("/proc/sys/kernel/osrelease", "latin1").trim(), "unknown");

  private constructor(
    private readonly bpf: BpftopBpf,
    private readonly sys: SystemCollector,
    private readonly tasks: TaskCollector,
  ) {}

  static async open(): Promise<Collector> {
    const sys = new SystemCollector();
    try {
      const expectedTasks = sys.collect().loadavgTasks;
      const bpf = await openBpftop({ expectedTasks });
      return new Collector(bpf, sys, new TaskCollector(bpf));
    } catch (e) {
      sys.close();
      throw e;
    }
  }

  set collectThreads(on: boolean) {
    this.tasks.collectThreads = on;
  }

  collect(): Collected {
    const t0 = performance.now();
    const tasks = this.tasks.collect();
    const system = this.sys.collect();
    return { tasks, system, atMs: t0, collectMs: performance.now() - t0 };
  }

  close(): void {
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
