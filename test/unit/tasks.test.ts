import { describe, expect, test } from "bun:test";
import { taskStateLetter } from "../../src/collect/task-state.ts";
import { TaskCollector } from "../../src/collect/tasks.ts";
import { commText, emptyTaskRecord, readTaskRecord } from "../../src/bpf/records.ts";
import { encodeTasks, fakeTaskSource } from "../helpers/records.ts";

describe("taskStateLetter (the kernel's __task_state_index)", () => {
  test.each([
    [0x0, 0, "R"],
    [0x1, 0, "S"],
    [0x2, 0, "D"],
    [0x4 | 0x100, 0, "T"], // TASK_STOPPED = WAKEKILL | __TASK_STOPPED
    [0x8, 0, "t"],
    [0x80, 0x10, "X"], // TASK_DEAD with EXIT_DEAD
    [0x80, 0x20, "Z"], // zombies live in exit_state
    [0x40, 0, "P"],
    [0x2 | 0x400, 0, "I"], // TASK_IDLE
    [0x1 | 0x8000, 0, "D"], // frozen reads as D
    [0x1000, 0, "D"], // rtlock wait
    [0x1 | 0x100, 0, "S"], // TASK_KILLABLE flavours keep their base state
  ] as const)("state %p exit %p → %s", (state, exit, letter) => {
    expect(taskStateLetter(state, exit)).toBe(letter);
  });
});

describe("task_record decoding", () => {
  test("u64 fields above 2^32 and the comm text", () => {
    const v = encodeTasks([{ pid: 7, runtimeNs: 5 * 2 ** 32 + 123, cgroupId: 2 ** 40 + 1, comm: "kworker/0:1" }]);
    const r = readTaskRecord(v, 0, emptyTaskRecord());
    expect(r.runtimeNs).toBe(5 * 2 ** 32 + 123);
    expect(r.cgroupId).toBe(2 ** 40 + 1);
    expect(commText(r)).toBe("kworker/0:1");
  });

  test("a 16-byte comm without NUL, invalid UTF-8 and control bytes", () => {
    const bytes = new Uint8Array([0x61, 0xff, 0x1b, 0x5b, 0x32, 0x4a, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b]);
    const r = readTaskRecord(encodeTasks([{ pid: 1, comm: bytes }]), 0, emptyTaskRecord());
    expect(commText(r)).toBe("a\uFFFD?[2Jbcdefghijk");
  });

  test("a short buffer is rejected, not read past", () => {
    expect(() => readTaskRecord(new DataView(new ArrayBuffer(100)), 0, emptyTaskRecord())).toThrow(RangeError);
  });
});

describe("TaskCollector aggregation", () => {
  test("threads add up into their process, with exited threads' CPU time", () => {
    const src = fakeTaskSource([
      { pid: 100, tgid: 100, runtimeNs: 1e9, deadRuntimeNs: 5e8, nrThreads: 3, comm: "app", rssPages: 10, vmPages: 50 },
      { pid: 101, tgid: 100, runtimeNs: 2e9, deadRuntimeNs: 5e8, nrThreads: 3, comm: "worker", rssPages: 10, vmPages: 50 },
      { pid: 102, tgid: 100, runtimeNs: 3e9, deadRuntimeNs: 5e8, nrThreads: 3, comm: "worker", rssPages: 10, vmPages: 50 },
      { pid: 200, runtimeNs: 7, comm: "other" },
    ]);
    const c = new TaskCollector(src.bpf);
    const { processes, counts } = c.collect();
    const p = processes.get(100)!;
    expect(p.runtimeNs).toBe(6.5e9);
    expect(p.threads).toBe(3);
    expect(p.comm).toBe("app");
    expect(p.rssPages).toBe(10);
    expect(processes.get(200)!.runtimeNs).toBe(7);
    expect(counts).toMatchObject({ processes: 2, userThreads: 4, kernelThreads: 0 });
  });

  test("records streamed past the array's capacity are counted too", () => {
    const tasks = Array.from({ length: 10 }, (_, i) => ({ pid: 300 + i }));
    const src = fakeTaskSource(tasks, 4);
    const r = new TaskCollector(src.bpf).collect();
    expect(r.processes.size).toBe(10);
    expect(r.streamed).toBe(6);
  });

  test("a zombie leader takes its memory from a live thread; kernel threads are counted apart", () => {
    const src = fakeTaskSource([
      { pid: 10, tgid: 10, state: 0x80, exitState: 0x20, rssPages: 0, nrThreads: 2 },
      { pid: 11, tgid: 10, state: 0, rssPages: 42 },
      { pid: 2, flags: 0x00200000, comm: "kthreadd" },
    ]);
    const { processes, counts } = new TaskCollector(src.bpf).collect();
    expect(processes.get(10)!.state).toBe("Z");
    expect(processes.get(10)!.rssPages).toBe(42);
    expect(processes.get(2)!.kernelThread).toBe(true);
    expect(counts.kernelThreads).toBe(1);
    expect(counts.byState).toMatchObject({ Z: 1, R: 1, S: 1 });
  });

  test("processes that disappear are swept; thread samples only while threads are collected", () => {
    const src = fakeTaskSource([{ pid: 1 }, { pid: 2 }, { pid: 3, tgid: 2 }]);
    const c = new TaskCollector(src.bpf);
    expect(c.collect().processes.get(2)!.threadList).toHaveLength(0);
    c.collectThreads = true;
    expect(c.collect().processes.get(2)!.threadList.map((t) => t.tid)).toEqual([2, 3]);
    src.set([{ pid: 1 }]);
    expect([...c.collect().processes.keys()]).toEqual([1]);
  });
});
