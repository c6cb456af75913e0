/**
 * `bpftop net` without the TUI: one snapshot (--once, as a table or --json),
 * or a CSV log written every interval until SIGINT/SIGTERM/SIGHUP (--no-tui).
 */
import pc from "picocolors";
import { Monitor } from "../store/monitor.ts";
import { connectionMatches, type ConnectionFilter } from "../store/query.ts";
import type { ConnectionRow } from "../store/types.ts";
import { CsvLog } from "../output/csv.ts";
import { connectionsJson } from "../output/json.ts";
import { fit, formatSize } from "../ui/format.ts";

export interface NetRunOptions {
  delayMs: number;
  filter: ConnectionFilter;
  logPath?: string;
  json: boolean;
  version: string;
}

/** The rows a refresh contributes to output: live connections, and those that closed in it. */
export function outputRows(m: Monitor, filter: ConnectionFilter): ConnectionRow[] {
  const closedNow = new Set(m.net.closedNow);
  return m.net.rows.filter((r) => (!r.closed || closedNow.has(r)) && connectionMatches(r, filter));
}

export async function runNetOnce(o: NetRunOptions): Promise<number> {
  const m = await Monitor.open({ net: true });
  const log = o.logPath ? new CsvLog(o.logPath) : undefined;
  try {
    m.refresh();
    await Bun.sleep(o.delayMs);
    m.refresh();
    const rows = outputRows(m, o.filter);
    log?.write(rows, Date.now());
    process.stdout.write(o.json ? `${JSON.stringify(connectionsJson(rows, m.net.stats, o.delayMs, o.version))}\n` : netText(rows));
    return 0;
  } finally {
    log?.close();
    m.close();
  }
}

export async function runNetLog(o: NetRunOptions & { logPath: string }): Promise<number> {
  const m = await Monitor.open({ net: true });
  const log = new CsvLog(o.logPath);
  return await new Promise<number>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(s, stop);
      log.close();
      m.close();
      if (error) reject(error);
      else resolve(0);
    };
    const tick = () => {
      try {
        m.refresh();
        log.write(outputRows(m, o.filter), Date.now());
      } catch (e) {
        return finish(e);
      }
      timer = setTimeout(tick, o.delayMs);
    };
    // A last refresh on the way out: connections that closed since the previous one are logged too.
    const stop = () => {
      clearTimeout(timer);
      try {
        m.refresh();
        log.write(outputRows(m, o.filter), Date.now());
        finish();
      } catch (e) {
        finish(e);
      }
    };
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(s, stop);
    tick();
  });
}

function netText(rows: readonly ConnectionRow[]): string {
  const c = pc.createColors(!!process.stdout.isTTY && !process.env.NO_COLOR);
  const head = ["PROTO", "LOCAL", "REMOTE", "STATE", "PID", "COMM", "SENT", "RECV", "TX/s", "RX/s", "RTT"];
  const widths = [5, 28, 28, 11, 7, 15, 7, 7, 7, 7, 7];
  const line = (cells: string[]) => cells.map((v, i) => fit(v, widths[i]!, i >= 4 && i !== 5 ? "right" : "left")).join(" ");
  const out = [c.inverse(line(head))];
  for (const r of [...rows].sort((a, b) => b.sendRate + b.receiveRate - (a.sendRate + a.receiveRate) || b.bytesSent - a.bytesSent)) {
    out.push(line([
      r.proto, r.local, r.remote, r.closed ? "CLOSED" : r.state, r.pid ? String(r.pid) : "-", r.comm || "-",
      formatSize(r.bytesSent), formatSize(r.bytesReceived), `${formatSize(r.sendRate)}/s`, `${formatSize(r.receiveRate)}/s`,
      r.rttUs ? `${(r.rttUs / 1000).toFixed(1)}ms` : "-",
    ]));
  }
  return `${out.join("\n")}\n`;
}
