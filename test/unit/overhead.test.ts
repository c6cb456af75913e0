import { expect, test } from "bun:test";
import type { OverheadSample } from "../../src/collect/overhead.ts";
import { selfOverhead } from "../../src/store/overhead.ts";

const sample = (atMs: number, userUs: number, systemUs: number, programs?: { name: string; runs: number; runTimeNs: number }[]): OverheadSample => ({
  atMs, cpuUserUs: userUs, cpuSystemUs: systemUs, rssBytes: 1 << 20, programs, buffers: [],
});

test("CPU % of one core and per-program rates over the period between two samples", () => {
  const a = sample(1000, 500_000, 100_000, [{ name: "dump_task", runs: 100, runTimeNs: 1e6 }, { name: "handle_exec", runs: 0, runTimeNs: 0 }]);
  const b = sample(3000, 540_000, 110_000, [{ name: "dump_task", runs: 20_100, runTimeNs: 9e6 }, { name: "handle_exec", runs: 10, runTimeNs: 20_000 }]);
  const o = selfOverhead(a, b, 12.5);
  // 40 ms user + 10 ms system in 2 s: 2% and 0.5% of a core.
  expect(o.userPercent).toBeCloseTo(2, 9);
  expect(o.systemPercent).toBeCloseTo(0.5, 9);
  expect(o.cpuPercent).toBeCloseTo(2.5, 9);
  expect(o.refreshMs).toBe(12.5);
  // 20,000 runs, 8 ms in 2 s: 10,000/s, 400 ns each, 0.4% of a CPU; busiest first.
  expect(o.programs).toEqual([
    { name: "dump_task", runs: 20_000, runsPerSec: 10_000, avgNs: 400, cpuPercent: 0.4 },
    { name: "handle_exec", runs: 10, runsPerSec: 5, avgNs: 2000, cpuPercent: 0.001 },
  ]);
});

test("no rates from a single sample; no programs while statistics are off", () => {
  const first = selfOverhead(undefined, sample(1000, 5, 5, [{ name: "dump_task", runs: 7, runTimeNs: 7000 }]), 1);
  expect(first.cpuPercent).toBe(0);
  expect(first.programs).toEqual([{ name: "dump_task", runs: 0, runsPerSec: 0, avgNs: 0, cpuPercent: 0 }]);
  const off = selfOverhead(sample(0, 0, 0), { ...sample(1000, 0, 0), programsUnavailable: "why" }, 1);
  expect(off.programs).toEqual([]);
  expect(off.programsUnavailable).toBe("why");
});
