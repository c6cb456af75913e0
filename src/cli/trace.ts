/**
 * `bpftop trace`: every exec and exit (and fork with --fork) as a line, for
 * people and scripts. Lines are written one write(2) each, so a pipe sees
 * whole lines as they happen; a closed pipe or Ctrl-C ends quietly with 0.
 */
import { writeSync } from "node:fs";
import { DEFAULT_RING_BYTES, openBpftop } from "../bpf/bpftop.ts";
import { PAGE_SIZE } from "../bpf/libc.ts";
import { EventCollector } from "../collect/events.ts";
import { UserNames } from "../collect/users.ts";
import { toProcessEvent } from "../store/events.ts";
import type { ProcessEvent } from "../store/types.ts";
import { TRACE_HEADER, traceJson, traceLine } from "../output/trace.ts";

export interface TraceOptions {
  json: boolean;
  fork: boolean;
  /** Only exits of processes that lived at least this long, and their execs. */
  minDurationMs?: number;
  pids?: number[];
  uid?: number;
  comm?: string;
}

const DRAIN_MS = 50;
/** Execs held while waiting to learn whether their process lives long enough (-d). */
const PENDING_EXEC_LIMIT = 65_536;

/** Which events pass the filters; -d needs state, so this is a small class. */
export class TraceFilter {
  /** pid → its exec, held until the process has lived minDurationMs or exited. */
  private readonly pendingExecs = new Map<number, ProcessEvent>();

  constructor(private readonly o: TraceOptions) {}

  private matches(e: ProcessEvent): boolean {
    if (this.o.pids && !this.o.pids.includes(e.pid) && !this.o.pids.includes(e.ppid)) return false;
    if (this.o.uid !== undefined && e.uid !== this.o.uid) return false;
    if (this.o.comm !== undefined && !e.comm.includes(this.o.comm)) return false;
    return true;
  }

  /** The events to print now for this input event (0, 1 or 2: a held exec, then its exit). */
  push(e: ProcessEvent): ProcessEvent[] {
    if (!this.matches(e)) return [];
    const min = this.o.minDurationMs;
    if (min === undefined) return [e];
    if (e.kind === "exec") {
      this.pendingExecs.set(e.pid, e);
      if (this.pendingExecs.size > PENDING_EXEC_LIMIT) this.pendingExecs.delete(this.pendingExecs.keys().next().value!);
      return [];
    }
    if (e.kind === "exit") {
      const exec = this.pendingExecs.get(e.pid);
      this.pendingExecs.delete(e.pid);
      if ((e.durationMs ?? 0) < min) return [];
      return exec ? [exec, e] : [e];
    }
    return [e];
  }

  /** Held execs whose process has now lived long enough (it is still running). */
  due(nowMs: number): ProcessEvent[] {
    const min = this.o.minDurationMs;
    if (min === undefined) return [];
    const out: ProcessEvent[] = [];
    for (const [pid, exec] of this.pendingExecs) {
      if (nowMs - exec.timeMs < min) break; // insertion order is time order
      out.push(exec);
      this.pendingExecs.delete(pid);
    }
    return out;
  }
}

export async function runTrace(o: TraceOptions): Promise<number> {
  const bpf = await openBpftop({ tasks: false, events: { fork: o.fork, ringBytes: DEFAULT_RING_BYTES } });
  if (!bpf.events) {
    bpf.close();
    throw new Error(bpf.eventsUnavailable ?? "process events are unavailable on this kernel");
  }
  const users = new UserNames();
  const events = new EventCollector(bpf, DRAIN_MS);
  const filter = new TraceFilter(o);
  let seq = 0;
  let reportedDrops = 0;

  const write = (text: string): boolean => {
    try {
      writeSync(1, text);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") return false;
      throw e;
    }
  };
  const emit = (e: ProcessEvent) => write(`${o.json ? traceJson(e) : traceLine(e)}\n`);

  return await new Promise<number>((resolve, reject) => {
    const finish = (code: number) => {
      clearInterval(timer);
      events.close();
      bpf.close();
      resolve(code);
    };
    const pump = () => {
      try {
        const batch = events.take();
        for (const r of batch.records) {
          const e = toProcessEvent(r, ++seq, batch.bootToEpochMs, (uid) => users.name(uid), PAGE_SIZE);
          if (!e) continue;
          for (const out of filter.push(e)) if (!emit(out)) return finish(0);
        }
        for (const out of filter.due(Date.now())) if (!emit(out)) return finish(0);
        if (batch.dropped > reportedDrops) {
          process.stderr.write(`bpftop: ${batch.dropped - reportedDrops} events lost (ring buffer full; ${batch.dropped} in all)\n`);
          reportedDrops = batch.dropped;
        }
      } catch (e) {
        clearInterval(timer);
        events.close();
        bpf.close();
        reject(e);
      }
    };
    if (!o.json && !write(`${TRACE_HEADER}\n`)) return finish(0);
    const timer = setInterval(pump, DRAIN_MS);
    const stop = () => {
      pump();
      finish(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    process.once("SIGHUP", stop);
  });
}
