/**
 * Kernel run statistics of bpftop's own BPF programs, for the self-overhead
 * readout: how often each ran and for how long in total, from
 * BPF_OBJ_GET_INFO_BY_FD. The kernel counts only while statistics are on,
 * either through BPF_ENABLE_STATS (on while its fd is open; needs
 * CAP_SYS_ADMIN) or through the kernel.bpf_stats_enabled sysctl. Counting
 * costs two clock reads per program run, so bpftop turns it on only while
 * the readout is shown.
 */
import { ptr } from "bun:ffi";
import { readFileSync } from "node:fs";
import { closeFd, errno } from "./libc.ts";
import type { Libbpf } from "./libbpf.ts";
import type { LoadedProgram } from "./object.ts";
import { u64 } from "./records.ts";

/**
 * Offsets in struct bpf_prog_info (uapi linux/bpf.h; test/unit/records-layout.test.ts
 * checks them against the installed header). `size` stops after
 * recursion_misses: the kernel fills what both sides know.
 */
export const ProgInfoLayout = { size: 216, run_time_ns: 192, run_cnt: 200 } as const;

/** BPF_STATS_RUN_TIME, the only enum bpf_stats_type. */
const BPF_STATS_RUN_TIME = 0;

export interface ProgramRunStats {
  name: string;
  /** Runs counted since statistics were turned on (or since load, with the sysctl on). */
  runs: number;
  runTimeNs: number;
}

/** Statistics turned on, while this is open; `read` gives the counters of the programs. */
export class RunStats {
  private readonly info = new Uint8Array(ProgInfoLayout.size);
  private readonly view = new DataView(this.info.buffer);
  private readonly infoLen = new Uint32Array(1);

  private constructor(
    private readonly fn: Libbpf,
    /** The BPF_ENABLE_STATS fd; -1 when the sysctl had it on already. */
    private statsFd: number,
  ) {}

  /** Turns counting on; returns why it cannot be instead. */
  static enable(fn: Libbpf, sysctlPath = "/proc/sys/kernel/bpf_stats_enabled"): RunStats | string {
    if (readSysctl(sysctlPath) === "1") return new RunStats(fn, -1);
    const fd = fn.bpf_enable_stats(BPF_STATS_RUN_TIME);
    if (fd >= 0) return new RunStats(fn, fd);
    const code = -fd || errno();
    if (code === 1) return "BPF run times need CAP_SYS_ADMIN to switch on (or, as root: sysctl kernel.bpf_stats_enabled=1)";
    if (code === 22) return "BPF run times need Linux 5.8 or newer (BPF_ENABLE_STATS)";
    return `BPF run times unavailable: bpf_enable_stats failed (errno ${code})`;
  }

  /** The counters of each program; a program whose info cannot be read is left out. */
  read(programs: readonly LoadedProgram[]): ProgramRunStats[] {
    const out: ProgramRunStats[] = [];
    for (const p of programs) {
      // Zeroed each time: the kernel reads the array pointers and lengths in the struct as requests.
      this.info.fill(0);
      this.infoLen[0] = ProgInfoLayout.size;
      if (this.fn.bpf_obj_get_info_by_fd(p.fd, ptr(this.info), ptr(this.infoLen)) !== 0) continue;
      if (this.infoLen[0]! < ProgInfoLayout.run_cnt + 8) continue; // a kernel before 5.1 has no counters
      out.push({ name: p.name, runs: u64(this.view, ProgInfoLayout.run_cnt), runTimeNs: u64(this.view, ProgInfoLayout.run_time_ns) });
    }
    return out;
  }

  /** Counting stops when the last holder lets go (the sysctl's setting is left alone). */
  close(): void {
    if (this.statsFd >= 0) closeFd(this.statsFd);
    this.statsFd = -1;
  }
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, "latin1").trim();
  } catch {
    return undefined;
  }
}
