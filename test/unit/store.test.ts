import { describe, expect, test } from "bun:test";
import { TaskCollector } from "../../src/collect/tasks.ts";
import type { SystemSample } from "../../src/collect/system.ts";
import { cpuPercent, ProcessStore, type Resolvers } from "../../src/store/store.ts";
import { cpuUsage } from "../../src/store/system.ts";
import { fakeTaskSource, type FakeTask } from "../helpers/records.ts";

const cpu = (name: string, user: number, idle: number) => ({ name, user, nice: 0, system: 0, idle, iowait: 0, irq: 0, softirq: 0, steal: 0 });

function system(): SystemSample {
  return {
    atMs: 0, cpuTotal: cpu("cpu", 0, 0), cpus: [cpu("cpu0", 0, 0)], bootTimeSec: 1_700_000_000,
    memory: { totalBytes: 1000 * 4096, freeBytes: 0, availableBytes: 0, buffersBytes: 0, cacheBytes: 0, swapTotalBytes: 0, swapFreeBytes: 0 },
    load: [0, 0, 0], loadavgTasks: 0, uptimeSeconds: 10,
  };
}

function resolvers(cmdlineReads: number[] = []): Resolvers {
  return {
    cmdlines: { get: (tgid, _s, fallback) => (cmdlineReads.push(tgid), `${fallback} --arg`), invalidate: () => {} },
    users: { name: (uid) => (uid === 0 ? "root" : String(uid)) },
    pageSize: 4096, hostname: "h", kernel: "k",
    cgroups: { info: () => undefined }, containers: { name: (c) => c.id }, cgroupMount: undefined,
  };
}

/** Run the store over successive task sets, `periodMs` apart. */
function harness(first: FakeTask[]) {
  const src = fakeTaskSource(first);
  const tasks = new TaskCollector(src.bpf);
  const store = new ProcessStore(resolvers());
  let at = 0;
  return {
    store, tasks,
    step(next: FakeTask[], periodMs: number) {
      src.set(next);
      at += periodMs;
      store.update(tasks.collect(), system(), at);
      return new Map(store.rows.map((r) => [`${r.isThread ? "t" : "p"}${r.pid}`, r]));
    },
  };
}

describe("CPU%", () => {
  test("pure delta math", () => {
    expect(cpuPercent(1e9, 1.5e9, 1e9)).toBe(50);
    expect(cpuPercent(undefined, 2e8, 1e9)).toBe(20); // born inside the period
    expect(cpuPercent(5e9, 4e9, 1e9)).toBe(0); // never negative
    expect(cpuPercent(0, 1e9, 0)).toBe(0); // no period, no rate
  });

  test("a process with two busy threads reads 200%, and each thread 100%", () => {
    const h = harness([]);
    h.tasks.collectThreads = true;
    const t = (runtime: number): FakeTask[] => [
      { pid: 50, tgid: 50, runtimeNs: runtime, nrThreads: 2 },
      { pid: 51, tgid: 50, runtimeNs: runtime, nrThreads: 2 },
    ];
    const first = h.step(t(1e9), 0);
    expect(first.get("p50")!.cpuPercent).toBe(0);
    const rows = h.step(t(2e9), 1000);
    expect(rows.get("p50")!.cpuPercent).toBeCloseTo(200, 6);
    expect(rows.get("t51")!.cpuPercent).toBeCloseTo(100, 6);
    expect(rows.get("t51")!.isThread).toBe(true);
    expect(rows.get("t51")!.tgid).toBe(50);
  });

  test("CPU time of a thread that exited between refreshes still counts", () => {
    const h = harness([]);
    h.step([{ pid: 60, runtimeNs: 1e9, nrThreads: 2 }, { pid: 61, tgid: 60, runtimeNs: 1e9, nrThreads: 2 }], 0);
    // Thread 61 ran 0.5 s more and exited: its 1.5 s moved into signal->sum_sched_runtime.
    const rows = h.step([{ pid: 60, runtimeNs: 1.25e9, deadRuntimeNs: 1.5e9 }], 1000);
    expect(rows.get("p60")!.cpuPercent).toBeCloseTo(75, 6);
    expect(rows.get("p60")!.cpuTimeNs).toBe(2.75e9);
  });

  test("a reused pid is a new process, not a negative delta", () => {
    const h = harness([]);
    h.step([{ pid: 70, runtimeNs: 9e9, startNs: 1e9 }], 0);
    const rows = h.step([{ pid: 70, runtimeNs: 1e8, startNs: 5e9 }], 1000);
    expect(rows.get("p70")!.cpuPercent).toBeCloseTo(10, 6);
  });
});

describe("rows", () => {
  test("memory, priority, nice, start time and names", () => {
    const h = harness([]);
    const rows = h.step([{ pid: 80, rssPages: 100, vmPages: 400, prio: 139, staticPrio: 139, startNs: 2.5e9, uid: 0, comm: "svc" }], 0);
    const r = rows.get("p80")!;
    expect(r.rssBytes).toBe(409600);
    expect(r.vsizeBytes).toBe(1638400);
    expect(r.memPercent).toBeCloseTo(10, 6);
    expect(r.priority).toBe(39);
    expect(r.nice).toBe(19);
    expect(r.startTimeMs).toBe(1_700_000_002_500);
    expect(r.user).toBe("root");
    expect(r.cmdline).toBe("svc --arg");
  });

  test("kernel threads show [comm] and never read /proc", () => {
    const reads: number[] = [];
    const src = fakeTaskSource([{ pid: 2, flags: 0x00200000, comm: "kthreadd" }]);
    const store = new ProcessStore(resolvers(reads));
    store.update(new TaskCollector(src.bpf).collect(), system(), 0);
    expect(store.rows[0]!.cmdline).toBe("[kthreadd]");
    expect(reads).toEqual([]);
  });
});

test("names are looked up when what they come from changes, not every refresh", () => {
  const lookups: string[] = [];
  const cgroups = new Map([[7, { path: "/system.slice/a.service", unit: "a.service" }], [8, { path: "/system.slice/b.service", unit: "b.service" }]]);
  const r: Resolvers = {
    ...resolvers(),
    cmdlines: { get: (tgid, _s, comm) => (lookups.push(`cmdline ${tgid}`), `${comm} --arg`), invalidate: (tgid) => lookups.push(`invalidate ${tgid}`) },
    users: { name: (uid) => (lookups.push(`user ${uid}`), uid === 0 ? "root" : uid === 1000 ? "ann" : String(uid)) },
    cgroups: { info: (id) => (lookups.push(`cgroup ${id}`), cgroups.get(id)) },
  };
  const src = fakeTaskSource([]);
  const tasks = new TaskCollector(src.bpf);
  const store = new ProcessStore(r);
  const exec = { seq: 1, kind: "exec" as const, timeMs: 0, pid: 90, ppid: 1, uid: 1000, user: "ann", comm: "app", cgroupId: 7, filename: "/bin/app" };
  const step = (task: FakeTask, events: (typeof exec)[] = []) => {
    lookups.length = 0;
    src.set([task]);
    store.update(tasks.collect(), system(), 0, events);
    return store.rows[0]!;
  };
  const base: FakeTask = { pid: 90, uid: 1000, cgroupId: 7, comm: "app", startNs: 5e9 };

  expect(step(base)).toMatchObject({ user: "ann", cmdline: "app --arg", unit: "a.service" });
  expect(lookups).toEqual(["user 1000", "cmdline 90", "cgroup 7"]);
  step({ ...base, runtimeNs: 1e9, rssPages: 10 });
  expect(lookups).toEqual([]); // only numbers changed
  expect(step({ ...base, uid: 0, cgroupId: 8 })).toMatchObject({ user: "root", unit: "b.service" });
  expect(lookups).toEqual(["user 0", "cgroup 8"]);
  step({ ...base, uid: 0, cgroupId: 8 }, [exec]); // exec: the next refresh reads the command line again
  expect(step({ ...base, uid: 0, cgroupId: 8 })).toMatchObject({ cmdline: "app --arg" });
  expect(lookups).toEqual(["cmdline 90"]);
  expect(step({ ...base, uid: 0, cgroupId: 8, comm: "renamed" })).toMatchObject({ cmdline: "renamed --arg" });
  expect(lookups).toEqual(["invalidate 90", "cmdline 90"]);
  // A uid without a name and a cgroup not in the directory yet are retried each refresh.
  step({ ...base, uid: 4242, cgroupId: 99 });
  expect(step({ ...base, uid: 4242, cgroupId: 99 })).toMatchObject({ user: "4242", unit: "" });
  expect(lookups).toEqual(["user 4242", "cgroup 99"]);
});

test("per-CPU usage from two /proc/stat samples", () => {
  const u = cpuUsage(
    { name: "cpu0", user: 100, nice: 0, system: 50, idle: 800, iowait: 0, irq: 0, softirq: 0, steal: 0 },
    { name: "cpu0", user: 130, nice: 10, system: 60, idle: 840, iowait: 10, irq: 0, softirq: 0, steal: 0 },
  );
  expect(u.user).toBeCloseTo(30, 6);
  expect(u.nice).toBeCloseTo(10, 6);
  expect(u.system).toBeCloseTo(10, 6);
  expect(u.iowait).toBeCloseTo(10, 6);
  expect(u.busy).toBeCloseTo(50, 6);
});
