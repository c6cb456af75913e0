/** The self-overhead readout (`b`): asks the source to measure, shows the process, program and buffer lines, and goes away. */
import { afterEach, expect, test } from "bun:test";
import type { SelfOverhead } from "../../src/store/types.ts";
import { formatNs, overheadLines } from "../../src/ui/overhead.ts";
import { mount, sampleRows, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

const MIB = 1 << 20;

function sample(overrides: Partial<SelfOverhead> = {}): SelfOverhead {
  return {
    cpuPercent: 2.75,
    userPercent: 1.5,
    systemPercent: 1.25,
    rssBytes: 118 * MIB,
    refreshMs: 17.6,
    programs: [
      { name: "dump_task", runs: 10081, runsPerSec: 10081, avgNs: 402, cpuPercent: 0.405 },
      { name: "handle_exec", runs: 36, runsPerSec: 35.5, avgNs: 1230, cpuPercent: 0.004 },
      { name: "sock_send", runs: 0, runsPerSec: 0, avgNs: 0, cpuPercent: 0 },
    ],
    buffers: [
      { name: "task records", unit: "records", used: 10081, capacity: 32768 },
      { name: "event ring", unit: "bytes", used: 2 * MIB, capacity: 8 * MIB, lost: 3 },
    ],
    ...overrides,
  };
}

const text = (line: { text: string }[]) => line.map((part) => part.text).join("");

test("b shows bpftop's CPU, each BPF program and each buffer under the meters; b again hides it and stops the measuring", async () => {
  m = await mount(sampleRows());
  m.source.overhead = sample();
  expect(await m.linesWith("bpftop  CPU")).toEqual([]);
  m.mockInput.pressKey("b");
  expect(m.source.showOverheadCalls).toEqual([true]);
  m.top.refresh();
  const lines = (await m.frame()).split("\n");
  const at = lines.findIndex((line) => line.includes("bpftop  CPU"));
  expect(at).toBeGreaterThan(lines.findIndex((line) => line.includes("Load average")));
  expect(lines[at]).toContain("bpftop  CPU 2.8% (user 1.5, sys 1.3)  RSS 118M  refresh 17.6 ms");
  expect(lines[at + 1]).toContain("BPF      dump_task 10081/s × 402ns = 0.405%   handle_exec 35.5/s × 1.2µs = 0.004%   sock_send");
  expect(lines[at + 2]).toContain("Buffers  task records 10081/32768 30.8%   event ring 2.0M/8.0M 25.0% peak lost 3");
  // The process table moved down, not over the readout.
  expect(await m.tableHeaderY()).toBe(at + 3);

  m.mockInput.pressKey("b");
  expect(m.source.showOverheadCalls).toEqual([true, false]);
  expect(await m.linesWith("bpftop  CPU")).toEqual([]);
  expect(await m.tableHeaderY()).toBe(at);
});

test("without kernel statistics the program line says why; many programs wrap and the rest are counted", () => {
  const why = "BPF run times need CAP_SYS_ADMIN to switch on (or, as root: sysctl kernel.bpf_stats_enabled=1)";
  expect(text(overheadLines(sample({ programs: [], programsUnavailable: why }), 120)[1]!)).toBe(`BPF      ${why}`);
  const many = Array.from({ length: 40 }, (_, i) => ({ name: `prog_${i}`, runs: 1, runsPerSec: 1, avgNs: 500, cpuPercent: 0 }));
  const lines = overheadLines(sample({ programs: many }), 80).map(text);
  expect(lines).toHaveLength(5); // process, 3 program lines, buffers
  for (const line of lines.slice(1, 4)) expect(line.length).toBeLessThanOrEqual(80 + " +NN more".length + 3);
  const shown = lines.slice(1, 4).join(" ").match(/prog_\d+/g)!.length;
  expect(lines[3]).toEndWith(`+${40 - shown} more`);
  expect(lines[4]).toStartWith("Buffers  ");
});

test("run times read at a glance", () => {
  expect([formatNs(0), formatNs(850.4), formatNs(1234), formatNs(123_456), formatNs(4_020_000)]).toEqual(["0ns", "850ns", "1.2µs", "123µs", "4.02ms"]);
});
