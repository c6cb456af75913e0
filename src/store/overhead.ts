/**
 * Self-overhead rates from two raw samples (src/collect/overhead.ts): bpftop's
 * CPU % and each BPF program's runs/s, mean run time and CPU %, over the
 * period between them.
 */
import type { OverheadSample } from "../collect/overhead.ts";
import type { ProgramOverhead, SelfOverhead } from "./types.ts";

export function selfOverhead(prev: OverheadSample | undefined, now: OverheadSample, refreshMs: number): SelfOverhead {
  const periodMs = prev ? now.atMs - prev.atMs : 0;
  // µs of CPU over ms of wall time, as % of one CPU.
  const percent = (us: number) => (periodMs > 0 ? Math.max(0, us) / 10 / periodMs : 0);
  const user = percent(now.cpuUserUs - (prev?.cpuUserUs ?? 0));
  const system = percent(now.cpuSystemUs - (prev?.cpuSystemUs ?? 0));
  return {
    cpuPercent: user + system,
    userPercent: user,
    systemPercent: system,
    rssBytes: now.rssBytes,
    refreshMs,
    programs: programRates(prev, now, periodMs),
    programsUnavailable: now.programsUnavailable,
    buffers: now.buffers,
  };
}

function programRates(prev: OverheadSample | undefined, now: OverheadSample, periodMs: number): ProgramOverhead[] {
  if (!now.programs) return [];
  const before = new Map(prev?.programs?.map((p) => [p.name, p]));
  const rates = now.programs.map((p) => {
    const b = before.get(p.name);
    // Without an earlier sample (statistics just turned on) there is no rate yet.
    const runs = b && periodMs > 0 ? Math.max(0, p.runs - b.runs) : 0;
    const ns = b && periodMs > 0 ? Math.max(0, p.runTimeNs - b.runTimeNs) : 0;
    return { name: p.name, runs, runsPerSec: periodMs > 0 ? (runs * 1000) / periodMs : 0, avgNs: runs > 0 ? ns / runs : 0, cpuPercent: periodMs > 0 ? ns / 1e4 / periodMs : 0 };
  });
  return rates.sort((a, b) => b.cpuPercent - a.cpuPercent || b.runsPerSec - a.runsPerSec || a.name.localeCompare(b.name));
}
