/**
 * Per-phase cost of one process-lens refresh, in-process (no TUI):
 *
 *   bun scripts/bench/refresh.ts [--refreshes 200] [--warmup 5] [--threads] [--json]
 *
 * Drives a Monitor exactly as the TUI does and times, per refresh (ms):
 *   tasks      iter/task run + decode of its records (TaskCollector.collect)
 *   system     the four /proc preads (SystemCollector.collect)
 *   store      ProcessStore.update: rows, CPU% deltas, cached cmdlines
 *   other      the rest of Monitor.refresh (process events drained and logged)
 *   viewFlat   buildView with the default sort, flat
 *   viewTree   the same, tree mode
 *   total      Monitor.refresh + viewFlat, timed as one span: what one TUI
 *              refresh costs before painting
 * The first three are timed by wrapping those methods on their prototypes, so
 * the benchmark follows whatever Monitor and Collector call, with no private
 * access. Needs root (or CAP_BPF + CAP_PERFMON), like bpftop itself.
 */
import { parseArgs } from "node:util";
import { SystemCollector } from "../../src/collect/system.ts";
import { TaskCollector, type TaskCollection } from "../../src/collect/tasks.ts";
import { Monitor } from "../../src/store/monitor.ts";
import { buildView, type ViewQuery } from "../../src/store/query.ts";
import { ProcessStore } from "../../src/store/store.ts";
import { columnById, DEFAULT_SORT } from "../../src/ui/columns.ts";

const PHASES = ["tasks", "system", "store", "other", "viewFlat", "viewTree", "total"] as const;
type Phase = (typeof PHASES)[number];

const LABELS: Record<Phase, string> = {
  tasks: "tasks (iter + decode)",
  system: "system (4 /proc preads)",
  store: "store update",
  other: "other (events)",
  viewFlat: "view, flat (default sort)",
  viewTree: "view, tree",
  total: "total (refresh + flat)",
};

interface Stats {
  min: number;
  median: number;
  p95: number;
  max: number;
}

const { values: opts } = parseArgs({
  options: {
    refreshes: { type: "string", default: "200" },
    warmup: { type: "string", default: "5" },
    threads: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const refreshes = integerArg(opts.refreshes!, "--refreshes", 1);
const warmup = integerArg(opts.warmup!, "--warmup", 0);

// Time spent inside each wrapped method during the current refresh.
const spent = { tasks: 0, system: 0, store: 0 };
let lastTasks: TaskCollection | undefined;
instrument(TaskCollector.prototype, "collect", "tasks", (r: TaskCollection) => (lastTasks = r));
instrument(SystemCollector.prototype, "collect", "system");
instrument(ProcessStore.prototype, "update", "store");

const monitor = await Monitor.open();
monitor.setShowThreads(opts.threads!);

const sortColumn = columnById(DEFAULT_SORT);
// The TUI's defaults: no filter, kernel threads shown, default sort column and direction.
const query = (tree: boolean): ViewQuery => ({
  filter: "",
  showKernelThreads: true,
  showShortLived: false,
  sort: { compare: sortColumn.compare, desc: sortColumn.defaultDesc },
  tree,
});
const flat = query(false);
const tree = query(true);

const samples = Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) as Record<Phase, number[]>;
let snapshot: ReturnType<Monitor["refresh"]> | undefined;

try {
  for (let i = 0; i < warmup + refreshes; i++) {
    spent.tasks = spent.system = spent.store = 0;
    const t0 = performance.now();
    snapshot = monitor.refresh();
    const t1 = performance.now();
    buildView(snapshot.rows, flat);
    const t2 = performance.now();
    buildView(snapshot.rows, tree);
    const t3 = performance.now();
    if (i < warmup) continue;
    samples.tasks.push(spent.tasks);
    samples.system.push(spent.system);
    samples.store.push(spent.store);
    samples.other.push(t1 - t0 - spent.tasks - spent.system - spent.store);
    samples.viewFlat.push(t2 - t1);
    samples.viewTree.push(t3 - t2);
    samples.total.push(t2 - t0);
  }
} finally {
  monitor.close();
}

const counts = snapshot!.system.tasks;
const result = {
  refreshes,
  warmup,
  threads: opts.threads!,
  tasks: counts.userThreads + counts.kernelThreads,
  processes: counts.processes,
  userThreads: counts.userThreads,
  kernelThreads: counts.kernelThreads,
  rows: snapshot!.rows.length,
  /** Records that did not fit the mmapped array and came through read(); 0 when the array is sized right. */
  streamedRecords: lastTasks?.streamed ?? 0,
  ms: Object.fromEntries(PHASES.map((p) => [p, summarize(samples[p])])) as Record<Phase, Stats>,
};

if (opts.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(
    `${refreshes} refreshes after ${warmup} warm-up: ${result.tasks} tasks ` +
      `(${result.processes} processes, ${result.userThreads} user threads, ${result.kernelThreads} kernel threads), ` +
      `${result.rows} rows, ${result.streamedRecords} streamed records`,
  );
  const cell = (v: number) => v.toFixed(3).padStart(9);
  console.log(`${"phase (ms)".padEnd(26)}${["min", "median", "p95", "max"].map((h) => h.padStart(9)).join("")}`);
  for (const p of PHASES) {
    const s = result.ms[p];
    console.log(`${LABELS[p].padEnd(26)}${cell(s.min)}${cell(s.median)}${cell(s.p95)}${cell(s.max)}`);
  }
}

/** Wraps proto[method] so each call adds its duration to spent[phase] (and hands its result to `seen`). */
function instrument<T, R>(proto: T, method: keyof T & string, phase: keyof typeof spent, seen?: (result: R) => void): void {
  const original = proto[method] as (...args: unknown[]) => R;
  if (typeof original !== "function") throw new Error(`refresh.ts: ${method} is not a method any more; update the benchmark`);
  (proto as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]): R {
    const t0 = performance.now();
    const result = original.apply(this, args);
    spent[phase] += performance.now() - t0;
    seen?.(result);
    return result;
  };
}

function summarize(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest-rank p95; the median of an even count is the mean of the middle two.
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    min: sorted[0]!,
    median,
    p95: sorted[Math.ceil(sorted.length * 0.95) - 1]!,
    max: sorted[sorted.length - 1]!,
  };
}

function integerArg(text: string, name: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    console.error(`refresh.ts: ${name} wants an integer >= ${min}, not ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}
