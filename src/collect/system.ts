/**
 * The system header's data from exactly four /proc files: stat, meminfo,
 * loadavg and uptime. Each stays open and is re-read with one pread() from
 * offset 0 per refresh (seq_file regenerates it), so the header costs four
 * syscalls however busy the machine is.
 */
import { closeSync, openSync, readSync } from "node:fs";

/** Cumulative jiffies of one CPU line of /proc/stat. */
export interface CpuTimes {
  name: string;
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface MemInfo {
  totalBytes: number;
  freeBytes: number;
  availableBytes: number;
  buffersBytes: number;
  /** Cached + SReclaimable − Shmem, htop's "cache". */
  cacheBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

export interface SystemSample {
  /** CLOCK_MONOTONIC-like ms (performance.now) when sampled. */
  atMs: number;
  cpuTotal: CpuTimes;
  cpus: CpuTimes[];
  /** Boot time, seconds since the epoch (btime). */
  bootTimeSec: number;
  memory: MemInfo;
  load: [number, number, number];
  /** Total tasks as loadavg counts them (4th field, after the slash). */
  loadavgTasks: number;
  uptimeSeconds: number;
}

const FILES = ["stat", "meminfo", "loadavg", "uptime"] as const;
type ProcFile = (typeof FILES)[number];

export class SystemCollector {
  private readonly fds: Record<ProcFile, number>;
  private buf = new Uint8Array(64 * 1024);
  private readonly latin1 = new TextDecoder("latin1");

  constructor(private readonly procRoot = "/proc") {
    const fds: Partial<Record<ProcFile, number>> = {};
    try {
      for (const f of FILES) fds[f] = openSync(`${procRoot}/${f}`, "r");
    } catch (e) {
      for (const fd of Object.values(fds)) closeSync(fd);
      throw new Error(`cannot open ${procRoot}: ${(e as Error).message}`);
    }
    this.fds = fds as Record<ProcFile, number>;
  }

  collect(): SystemSample {
    const atMs = performance.now();
    const stat = parseStat(this.read("stat"));
    const load = parseLoadavg(this.read("loadavg"));
    return {
      atMs,
      ...stat,
      memory: parseMeminfo(this.read("meminfo")),
      load: load.load,
      loadavgTasks: load.tasks,
      uptimeSeconds: parseFloat(this.read("uptime")) || 0,
    };
  }

  close(): void {
    for (const fd of Object.values(this.fds)) closeSync(fd);
  }

  // --- internal ---

  /** One pread at offset 0; the buffer grows (and the read repeats) only if the file outgrew it. */
  private read(file: ProcFile): string {
    for (;;) {
      const n = readSync(this.fds[file], this.buf, 0, this.buf.length, 0);
      if (n < this.buf.length) return this.latin1.decode(this.buf.subarray(0, n));
      this.buf = new Uint8Array(this.buf.length * 2);
    }
  }
}

export function parseStat(text: string): { cpuTotal: CpuTimes; cpus: CpuTimes[]; bootTimeSec: number } {
  let cpuTotal: CpuTimes | undefined;
  const cpus: CpuTimes[] = [];
  let bootTimeSec = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("cpu")) {
      const f = line.split(/\s+/);
      const n = (i: number) => Number(f[i]) || 0;
      const t: CpuTimes = { name: f[0]!, user: n(1), nice: n(2), system: n(3), idle: n(4), iowait: n(5), irq: n(6), softirq: n(7), steal: n(8) };
      // guest time is already included in user/nice (kernel accounts it twice); htop subtracts it, so do we.
      t.user -= n(9);
      t.nice -= n(10);
      if (t.name === "cpu") cpuTotal = t;
      else cpus.push(t);
    } else if (line.startsWith("btime ")) {
      bootTimeSec = Number(line.slice(6)) || 0;
    }
  }
  if (!cpuTotal) throw new Error("/proc/stat has no cpu line");
  return { cpuTotal, cpus, bootTimeSec };
}

export function parseMeminfo(text: string): MemInfo {
  const kb: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) kb[line.slice(0, colon)] = parseInt(line.slice(colon + 1), 10) || 0;
  }
  const b = (k: string) => (kb[k] ?? 0) * 1024;
  return {
    totalBytes: b("MemTotal"),
    freeBytes: b("MemFree"),
    availableBytes: kb.MemAvailable !== undefined ? b("MemAvailable") : b("MemFree"),
    buffersBytes: b("Buffers"),
    cacheBytes: Math.max(0, b("Cached") + b("SReclaimable") - b("Shmem")),
    swapTotalBytes: b("SwapTotal"),
    swapFreeBytes: b("SwapFree"),
  };
}

export function parseLoadavg(text: string): { load: [number, number, number]; tasks: number } {
  const f = text.trim().split(/\s+/);
  const tasks = Number(f[3]?.split("/")[1]) || 0;
  return { load: [Number(f[0]) || 0, Number(f[1]) || 0, Number(f[2]) || 0], tasks };
}
