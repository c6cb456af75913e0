import { describe, expect, test } from "bun:test";
import { EventType, type EventRecord } from "../../src/bpf/records.ts";
import { TraceFilter } from "../../src/cli/trace.ts";
import { TaskCollector } from "../../src/collect/tasks.ts";
import type { SystemSample } from "../../src/collect/system.ts";
import { TRACE_HEADER, traceJson, traceLine } from "../../src/output/trace.ts";
import { decodeWaitStatus, EventLog, toProcessEvent } from "../../src/store/events.ts";
import { KEEP_EXITED_REFRESHES, ProcessStore } from "../../src/store/store.ts";
import type { ProcessEvent } from "../../src/store/types.ts";
import { fakeTaskSource } from "../helpers/records.ts";

function record(over: Partial<EventRecord>): EventRecord {
  return { type: EventType.exec, tsNs: 5e9, startNs: 4.988e9, cpuNs: 0, cgroupId: 1, peakRssPages: 0, pid: 100, ppid: 1, uid: 0, exitCode: 0, comm: "ls", filename: "/bin/ls", ...over };
}
const ev = (r: Partial<EventRecord>, seq = 1) => toProcessEvent(record(r), seq, 1_700_000_000_000, (u) => (u === 0 ? "root" : String(u)), 4096)!;

describe("decoding", () => {
  test("wait status: exit code, signal, core dump", () => {
    expect(decodeWaitStatus(3 << 8, 1)).toEqual({ code: 3, coreDumped: false, timeMs: 1 });
    expect(decodeWaitStatus(9, 1)).toEqual({ signal: 9, coreDumped: false, timeMs: 1 });
    expect(decodeWaitStatus(11 | 0x80, 1)).toEqual({ signal: 11, coreDumped: true, timeMs: 1 });
  });

  test("an exit record: wall time from the boot clock, lifetime, CPU, peak RSS", () => {
    const e = ev({ type: EventType.exit, exitCode: 3 << 8, cpuNs: 7e6, peakRssPages: 10 });
    expect(e.kind).toBe("exit");
    expect(e.timeMs).toBe(1_700_000_005_000);
    expect(e.durationMs).toBeCloseTo(12, 6);
    expect(e.cpuTimeNs).toBe(7e6);
    expect(e.peakRssBytes).toBe(40960);
    expect(e.filename).toBeUndefined();
    expect(toProcessEvent(record({ type: 99 }), 1, 0, String, 4096)).toBeUndefined();
  });
});

describe("trace output", () => {
  test("text lines share the header's widths", () => {
    expect(TRACE_HEADER).toBe("TIME     EVENT COMM             PID     PPID    FILENAME/EXIT CODE");
    const exec = traceLine(ev({ pid: 1234, ppid: 1000, comm: "bash", filename: "/usr/bin/bash" }));
    expect(exec).toMatch(/^\d\d:\d\d:\d\d EXEC  bash             1234    1000    \/usr\/bin\/bash$/);
    const exit = traceLine(ev({ type: EventType.exit, pid: 1235, ppid: 1234, exitCode: 0 }));
    expect(exit).toMatch(/^\d\d:\d\d:\d\d EXIT  ls               1235    1234    \[0\] \(12ms\)$/);
    const killed = traceLine({ ...ev({ type: EventType.exit, exitCode: 11 | 0x80 }), durationMs: 1500 });
    expect(killed).toEndWith(" [SIGSEGV (core)] (1.50s)");
  });

  test("JSON lines carry the documented fields", () => {
    const j = JSON.parse(traceJson(ev({ type: EventType.exit, exitCode: 9 })));
    expect(j).toMatchObject({ event: "exit", comm: "ls", pid: 100, ppid: 1, uid: 0, filename: null, exit_code: null, signal: "SIGKILL", duration_ms: 12 });
    expect(j.time).toBe("2023-11-14T22:13:25.000Z");
    const x = JSON.parse(traceJson(ev({})));
    expect(x).toMatchObject({ event: "exec", filename: "/bin/ls", exit_code: null, signal: null, duration_ms: null });
  });
});

describe("trace filters", () => {
  const exec = (pid: number, t: number) => ({ ...ev({ pid }), timeMs: t });
  const exit = (pid: number, ms: number) => ({ ...ev({ type: EventType.exit, pid }), durationMs: ms });

  test("-d keeps only long-lived exits and their execs", () => {
    const f = new TraceFilter({ json: false, fork: false, minDurationMs: 100 });
    expect(f.push(exec(1, 0))).toEqual([]);
    expect(f.push(exec(2, 0))).toEqual([]);
    expect(f.push(exit(1, 5))).toEqual([]);
    const out = f.push(exit(2, 150));
    expect(out.map((e) => [e.kind, e.pid])).toEqual([["exec", 2], ["exit", 2]]);
  });

  test("-d prints the exec of a process still running once it has lived long enough", () => {
    const f = new TraceFilter({ json: false, fork: false, minDurationMs: 100 });
    f.push(exec(3, 1000));
    expect(f.due(1050)).toEqual([]);
    expect(f.due(1100).map((e) => e.pid)).toEqual([3]);
    expect(f.push(exit(3, 500)).map((e) => e.kind)).toEqual(["exit"]);
  });

  test("-p matches the pid or its parent, -u the uid, -c the command name", () => {
    const f = new TraceFilter({ json: false, fork: false, pids: [7], uid: 0, comm: "l" });
    expect(f.push(ev({ pid: 7 }))).toHaveLength(1);
    expect(f.push(ev({ pid: 8, ppid: 7 }))).toHaveLength(1);
    expect(f.push(ev({ pid: 9 }))).toHaveLength(0);
    expect(f.push(ev({ pid: 7, uid: 1000 }))).toHaveLength(0);
    expect(f.push(ev({ pid: 7, comm: "cat" }))).toHaveLength(0);
  });
});

test("the event log is bounded and counts rates over the period", () => {
  const log = new EventLog(String, 4096, 5);
  const records = Array.from({ length: 8 }, (_, i) => record({ pid: i, type: i % 2 ? EventType.exit : EventType.exec }));
  const added = log.add({ records, dropped: 2, bootToEpochMs: 0 }, 2000);
  expect(added).toHaveLength(8);
  expect(log.events.map((e) => e.pid)).toEqual([3, 4, 5, 6, 7]);
  expect(log.stats).toMatchObject({ execsPerSec: 2, exitsPerSec: 2, dropped: 2 });
  // Rates average over the last 5 s of refreshes: one quiet 1 s refresh does not zero them.
  log.add({ records: [], dropped: 2, bootToEpochMs: 0 }, 1000);
  expect(log.stats.execsPerSec).toBeCloseTo(4 / 3, 6);
  for (let i = 0; i < 5; i++) log.add({ records: [], dropped: 2, bootToEpochMs: 0 }, 1000);
  expect(log.stats.execsPerSec).toBe(0);
});

describe("exited and short-lived processes in the store", () => {
  const sys = (): SystemSample => ({
    atMs: 0, cpuTotal: { name: "cpu", user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 }, cpus: [], bootTimeSec: 0,
    memory: { totalBytes: 1 << 30, freeBytes: 0, availableBytes: 0, buffersBytes: 0, cacheBytes: 0, swapTotalBytes: 0, swapFreeBytes: 0 },
    load: [0, 0, 0], loadavgTasks: 0, uptimeSeconds: 1,
  });
  const invalidated: number[] = [];
  const store = () => new ProcessStore({
    cmdlines: { get: (_p, _s, f) => f, invalidate: (p) => invalidated.push(p) },
    users: { name: String }, pageSize: 4096, hostname: "h", kernel: "k",
    cgroups: { info: () => undefined }, containers: { name: (c) => c.id }, cgroupMount: undefined,
  });

  test("an exited process stays dimmed with its status for a few refreshes, then goes", () => {
    const src = fakeTaskSource([{ pid: 10 }, { pid: 11 }]);
    const tasks = new TaskCollector(src.bpf);
    const s = store();
    s.update(tasks.collect(), sys(), 0);
    const exit: ProcessEvent = ev({ type: EventType.exit, pid: 11, exitCode: 3 << 8, cpuNs: 5e6 });
    src.set([{ pid: 10 }]);
    s.update(tasks.collect(), sys(), 1000, [exit]);
    const row = s.rows.find((r) => r.pid === 11)!;
    expect(row.exit).toMatchObject({ code: 3 });
    expect(row.cpuPercent).toBe(0);
    expect(row.cpuTimeNs).toBe(5e6);
    for (let i = 1; i < KEEP_EXITED_REFRESHES; i++) {
      s.update(tasks.collect(), sys(), 1000 + i * 1000);
      expect(s.rows.some((r) => r.pid === 11)).toBe(true);
    }
    s.update(tasks.collect(), sys(), 9000);
    expect(s.rows.some((r) => r.pid === 11)).toBe(false);
  });

  test("a process born and gone between refreshes becomes a short-lived row named by its exec", () => {
    const src = fakeTaskSource([{ pid: 10 }]);
    const tasks = new TaskCollector(src.bpf);
    const s = store();
    s.update(tasks.collect(), sys(), 0);
    s.update(tasks.collect(), sys(), 1000, [ev({ pid: 50, filename: "/usr/bin/make" }), ev({ type: EventType.exit, pid: 50, exitCode: 9, peakRssPages: 100 })]);
    const row = s.rows.find((r) => r.pid === 50)!;
    expect(row).toMatchObject({ shortLived: true, cmdline: "/usr/bin/make", state: "X", rssBytes: 409600 });
    expect(row.exit?.signal).toBe(9);
    expect(invalidated).toContain(50);
  });
});
