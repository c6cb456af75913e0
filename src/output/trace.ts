/**
 * `bpftop trace` lines: the text format (one header, fixed widths shared by
 * header and rows) and JSON lines. Pure functions of one event.
 */
import type { ProcessEvent } from "../store/types.ts";
import { exitReason, formatDuration, signalName } from "../ui/format.ts";

const COLUMNS = [
  { header: "TIME", width: 8 },
  { header: "EVENT", width: 5 },
  { header: "COMM", width: 16 },
  { header: "PID", width: 7 },
  { header: "PPID", width: 7 },
] as const;

export const TRACE_HEADER = `${COLUMNS.map((c) => c.header.padEnd(c.width)).join(" ")} FILENAME/EXIT CODE`;

function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

function detail(e: ProcessEvent): string {
  if (e.kind === "exec") return e.filename ?? "";
  if (e.kind === "exit" && e.exit) return `[${exitReason(e.exit)}] (${formatDuration(e.durationMs ?? 0)})`;
  return "";
}

export function traceLine(e: ProcessEvent): string {
  const cells = [clock(e.timeMs), e.kind.toUpperCase(), e.comm, String(e.pid), String(e.ppid)];
  return `${cells.map((v, i) => v.padEnd(COLUMNS[i]!.width)).join(" ")} ${detail(e)}`.trimEnd();
}

export function traceJson(e: ProcessEvent): string {
  return JSON.stringify({
    time: new Date(e.timeMs).toISOString(),
    event: e.kind,
    comm: e.comm,
    pid: e.pid,
    ppid: e.ppid,
    uid: e.uid,
    user: e.user,
    filename: e.kind === "exec" ? (e.filename ?? "") : null,
    exit_code: e.exit && e.exit.signal === undefined ? (e.exit.code ?? 0) : null,
    signal: e.exit?.signal !== undefined ? signalName(e.exit.signal) : null,
    core_dumped: e.exit ? e.exit.coreDumped : null,
    duration_ms: e.durationMs !== undefined ? Math.round(e.durationMs * 1000) / 1000 : null,
    cpu_time_ns: e.cpuTimeNs ?? null,
    peak_rss_bytes: e.peakRssBytes ?? null,
    cgroup_id: e.cgroupId,
  });
}
