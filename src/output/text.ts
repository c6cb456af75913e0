/**
 * `bpftop snapshot` without --json: a ps-style table for people, coloured
 * with picocolors when stdout is a terminal.
 */
import type { Colors } from "picocolors/types";
import type { ProcessRow, SystemSummary } from "../store/types.ts";
import { fit, formatCpuTime, formatPercent, formatSize } from "../ui/format.ts";

interface TextColumn {
  header: string;
  width: number;
  align: "left" | "right";
  cell(r: ProcessRow): string;
}

const COLUMNS: TextColumn[] = [
  { header: "PID", width: 7, align: "right", cell: (r) => String(r.pid) },
  { header: "USER", width: 9, align: "left", cell: (r) => r.user },
  { header: "S", width: 1, align: "left", cell: (r) => r.state },
  { header: "CPU%", width: 5, align: "right", cell: (r) => formatPercent(r.cpuPercent) },
  { header: "MEM%", width: 5, align: "right", cell: (r) => formatPercent(r.memPercent) },
  { header: "RES", width: 6, align: "right", cell: (r) => formatSize(r.rssBytes) },
  { header: "THR", width: 4, align: "right", cell: (r) => String(r.threads) },
  { header: "TIME+", width: 9, align: "right", cell: (r) => formatCpuTime(r.cpuTimeNs) },
];

export function snapshotText(rows: readonly ProcessRow[], system: SystemSummary, c: Colors, width = 200): string {
  const lines: string[] = [];
  const t = system.tasks;
  lines.push(
    c.bold(`${system.hostname}`) +
      `  load ${system.load.map((l) => l.toFixed(2)).join(" ")}  cpu ${formatPercent(system.cpuTotal.busy)}%` +
      `  mem ${formatSize(system.memory.usedBytes)}/${formatSize(system.memory.totalBytes)}` +
      `  tasks ${t.processes} (${t.userThreads} thr, ${t.kernelThreads} kthr, ${t.byState.R} running)`,
  );
  const fixed = COLUMNS.reduce((n, col) => n + col.width + 1, 0);
  lines.push(c.inverse(COLUMNS.map((col) => fit(col.header, col.width, col.align)).join(" ") + " COMMAND".padEnd(Math.max(8, width - fixed + 1))));
  const sorted = rows.filter((r) => !r.isThread && !r.exit).sort((a, b) => b.cpuPercent - a.cpuPercent || a.pid - b.pid);
  for (const r of sorted) {
    const cells = COLUMNS.map((col) => fit(col.cell(r), col.width, col.align)).join(" ");
    const cmd = fit(r.cmdline, Math.max(8, width - fixed), "left").trimEnd();
    lines.push(`${cells} ${r.kernelThread ? c.dim(cmd) : cmd}`);
  }
  return lines.join("\n") + "\n";
}
