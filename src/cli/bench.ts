/**
 * `bpftop bench`: N refreshes back to back inside this process, with every
 * lens on, timing each phase (task walk + decode, /proc, event drain, socket
 * walks + decode, store update, render-model build) and counting this
 * process's own system calls per refresh with a raw_tp/sys_enter counter.
 */
import { buildView, type ViewQuery } from "../store/query.ts";
import { Monitor } from "../store/monitor.ts";
import { columnById, DEFAULT_SORT } from "../ui/columns.ts";

/**
 * taskWalk/netWalk: the kernel's walks (iterator run and reads); taskDecode/
 * netDecode: turning their records into samples; store: the stores' update;
 * view: the process table's render model (filter, sort, lines).
 */
const PHASES = ["taskWalk", "taskDecode", "system", "events", "netWalk", "netDecode", "store", "view", "total"] as const;
type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  cycles: number;
  json: boolean;
}

interface Stat {
  min: number;
  median: number;
  max: number;
}

function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { min: round(s[0] ?? 0), median: round(s[Math.floor(s.length / 2)] ?? 0), max: round(s[s.length - 1] ?? 0) };
}

export async function runBench(o: BenchOptions): Promise<number> {
  const monitor = await Monitor.open({ net: true, countSyscalls: true });
  const sort = columnById(DEFAULT_SORT);
  const query: ViewQuery = { filter: "", showKernelThreads: true, showShortLived: false, sort: { compare: sort.compare, desc: sort.defaultDesc }, tree: false };
  const samples = Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) as Record<Phase, number[]>;
  const syscalls: number[] = [];
  let tasks = 0, sockets = 0;
  let programs: ProgramCost[] | string = [];
  try {
    for (let i = 0; i < 3; i++) monitor.refresh(); // warm caches: cmdlines, users, cgroups
    for (let i = 0; i < o.cycles; i++) {
      // Synchronous back to back: no timer runs in between, so the count is the refresh's own.
      const before = monitor.ownSyscalls() ?? 0;
      const t0 = performance.now();
      const s = monitor.refresh();
      const t1 = performance.now();
      buildView(s.rows, query);
      const t2 = performance.now();
      syscalls.push((monitor.ownSyscalls() ?? 0) - before);
      const ph = s.info.phases!;
      samples.taskWalk.push(ph.taskWalk);
      samples.taskDecode.push(ph.tasks - ph.taskWalk);
      samples.system.push(ph.system);
      samples.events.push(ph.events);
      samples.netWalk.push(ph.netWalk);
      samples.netDecode.push(ph.net - ph.netWalk);
      samples.store.push(ph.store);
      samples.view.push(t2 - t1);
      samples.total.push(t2 - t0);
      tasks = s.system.tasks.userThreads + s.system.tasks.kernelThreads;
      sockets = s.connections.length;
    }
    programs = programsPerRefresh(monitor);
  } finally {
    monitor.close();
  }
  const result = {
    cycles: o.cycles,
    tasks,
    sockets,
    phases_ms: Object.fromEntries(PHASES.map((p) => [p, stat(samples[p])])),
    syscalls_per_refresh: stat(syscalls),
    bpf_programs: programs,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  const lines = [`${o.cycles} refreshes, ${tasks} tasks, ${sockets} sockets`, "phase         min ms   median ms     max ms"];
  for (const p of PHASES) {
    const s = result.phases_ms[p]!;
    lines.push(`${p.padEnd(11)}${s.min.toFixed(3).padStart(10)} ${s.median.toFixed(3).padStart(11)} ${s.max.toFixed(3).padStart(10)}`);
  }
  const sc = result.syscalls_per_refresh;
  lines.push(`syscalls/refresh: min ${sc.min}, median ${sc.median}, max ${sc.max}`);
  if (typeof programs === "string") lines.push(`BPF programs: ${programs}`);
  else {
    lines.push("BPF program    runs/refresh   ms/refresh (in the program, kernel statistics)");
    for (const p of programs) lines.push(`${p.name.padEnd(20)} ${String(p.runs_per_refresh).padStart(7)} ${p.ms_per_refresh.toFixed(3).padStart(12)}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

interface ProgramCost {
  name: string;
  runs_per_refresh: number;
  ms_per_refresh: number;
}

/**
 * Each BPF program's runs and in-program time per refresh, from the kernel's
 * statistics over a few more refreshes (after the timed ones: reading them
 * costs a system call per program). A string says why there are none.
 */
function programsPerRefresh(monitor: Monitor): ProgramCost[] | string {
  monitor.setShowOverhead(true);
  const refreshes = 5;
  const total = new Map<string, { runs: number; ns: number }>();
  let unavailable: string | undefined;
  monitor.refresh(); // the first sample has no earlier one to count from
  for (let i = 0; i < refreshes; i++) {
    const o = monitor.refresh().overhead;
    unavailable = o?.programsUnavailable;
    for (const p of o?.programs ?? []) {
      const t = total.get(p.name) ?? { runs: 0, ns: 0 };
      t.runs += p.runs;
      t.ns += p.runs * p.avgNs;
      total.set(p.name, t);
    }
  }
  monitor.setShowOverhead(false);
  if (unavailable) return unavailable;
  return [...total]
    .map(([name, t]) => ({ name, runs_per_refresh: Math.round(t.runs / refreshes), ms_per_refresh: Math.round((t.ns / refreshes / 1e6) * 1000) / 1000 }))
    .sort((a, b) => b.ms_per_refresh - a.ms_per_refresh || a.name.localeCompare(b.name));
}
