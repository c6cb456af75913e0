/**
 * The only contract between the TUI and the data side. The UI pulls snapshots;
 * it never calls collectors directly, so tests can drive it with plain rows.
 */
import type { ConnectionFilter } from "../store/query.ts";
import type { MonitorSnapshot } from "../store/monitor.ts";
import type { FreezeTarget } from "../store/types.ts";

/** One refresh as the UI receives it: the store's snapshot. */
export type TopSnapshot = MonitorSnapshot;

export interface TopSource {
  /** Collect one refresh (synchronous, a few ms). Throws on a fatal collection error. */
  refresh(): TopSnapshot;
  /** Include a row per thread (isThread=true) after each process row from the next refresh on. */
  setShowThreads(on: boolean): void;
  /** Measure bpftop's own cost (snapshot.overhead) from the next refresh on, or stop. */
  setShowOverhead(on: boolean): void;
  /** Send a signal by name ("SIGTERM"…) to pid; throws Error with a readable message on failure. */
  sendSignal(pid: number, signal: NodeJS.Signals): void;
  /** What freezing pid's cgroup would stop; throws Error with the refusal reason (root cgroup, bpftop's own, init.scope, a kernel thread, no cgroup v2). */
  planFreeze(pid: number): FreezeTarget;
  /** Freeze pid's cgroup (moving it out of the root cgroup first if needed); throws Error with the reason. */
  freeze(pid: number): FreezeTarget;
  /** What thawing pid's cgroup would resume; throws Error if it is not frozen. */
  planThaw(pid: number): FreezeTarget;
  /** Thaw pid's frozen cgroup (and remove bpftop's own cgroup for it, if it made one); throws Error with the reason. */
  thaw(pid: number): FreezeTarget;
}

export interface TopOptions {
  /** Refresh interval in ms. */
  delayMs: number;
  /** Start in tree view. */
  tree: boolean;
  /** Show only processes of this user name. */
  user?: string;
  /** Show only these processes (and their threads). */
  pids?: number[];
  /** Enable mouse input (default true). */
  mouse?: boolean;
  /** The view shown first (default "processes"). */
  view?: "processes" | "events" | "network";
  /** Show the self-overhead readout from the start (`b` toggles it). */
  overhead?: boolean;
  /** Network view filters from the command line (bpftop net --port/--pid/--proto). */
  net?: ConnectionFilter;
}
