/**
 * Number and text formatting for the TUI, following htop's rules so the
 * columns keep a fixed width. All functions are pure.
 */
import type { ExitStatus } from "../store/types.ts";

const UNIT_PREFIXES = ["K", "M", "G", "T", "P", "E"] as const;

/** Picks the largest binary unit (KiB first) in which `bytes` is below 1024. */
function binaryUnit(bytes: number): number {
  let unit = 0;
  while (unit < UNIT_PREFIXES.length - 1 && bytes >= 1024 ** (unit + 2)) unit++;
  return unit;
}

/**
 * A process size (VIRT, RES) in at most 5 cells: `1023K`, `9.99M`, `12.3M`,
 * `512M`, `1.50G`. Digits are truncated, never rounded up, so a value never
 * grows a digit (htop's Row_printKBytes does the same).
 */
export function formatSize(bytes: number): string {
  if (!(bytes > 0)) return "0";
  const unit = binaryUnit(bytes);
  const prefix = UNIT_PREFIXES[unit]!;
  if (unit === 0) return `${Math.floor(bytes / 1024)}${prefix}`;
  // Work in hundredths of the unit to avoid float rounding at the boundaries.
  const hundredths = Math.floor((bytes * 100) / 1024 ** (unit + 1));
  const whole = Math.floor(hundredths / 100);
  if (whole < 10) return `${whole}.${String(hundredths % 100).padStart(2, "0")}${prefix}`;
  if (whole < 100) return `${whole}.${Math.floor((hundredths % 100) / 10)}${prefix}`;
  return `${whole}${prefix}`;
}

/**
 * A byte count or a rate in bytes per second, in at most 5 cells: `0`,
 * `512B` below one KiB, then as formatSize (`1023K`, `1.50M`).
 */
export function formatBytes(bytes: number): string {
  if (!(bytes >= 1)) return "0";
  return bytes < 1024 ? `${Math.floor(bytes)}B` : formatSize(bytes);
}

/** A packet count in at most 7 cells: exact below ten million, then whole millions (`9999M`), then billions (`12G`). */
export function formatCount(count: number): string {
  if (count < 10_000_000) return String(count);
  return count < 10_000_000_000 ? `${Math.floor(count / 1e6)}M` : `${Math.floor(count / 1e9)}G`;
}

/**
 * A socket endpoint (`10.0.0.1:443`, `[2001:db8::1]:443`) in at most `width`
 * cells: a long address is cut in the middle, keeping the port (`[2001:db8:…]:443`).
 */
export function fitEndpoint(endpoint: string, width: number): string {
  if (endpoint.length <= width) return endpoint;
  const portAt = endpoint.lastIndexOf(":");
  const port = endpoint.slice(endpoint[portAt - 1] === "]" ? portAt - 1 : portAt);
  return `${endpoint.slice(0, Math.max(0, width - port.length - 1))}…${port}`;
}

/** A size in a meter's text: `0K`, `512M`, `1.2G`, `15.6G` (one decimal below 100, truncated). */
export function formatMeterSize(bytes: number): string {
  if (!(bytes > 0)) return "0K";
  const unit = binaryUnit(bytes);
  const prefix = UNIT_PREFIXES[unit]!;
  if (unit === 0) return `${Math.floor(bytes / 1024)}${prefix}`;
  const tenths = Math.floor((bytes * 10) / 1024 ** (unit + 1));
  const whole = Math.floor(tenths / 10);
  return whole < 100 ? `${whole}.${tenths % 10}${prefix}` : `${whole}${prefix}`;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/**
 * Consumed CPU time as htop's TIME+ column prints it, in at most 8 cells:
 * `12:34.56` (under an hour, m:ss.cc), `17h59:59` (under 18 h), `9d23h59`
 * (under 10 days), `364d23h` (under a year), `999y364d`, then `1234567y`.
 */
export function formatCpuTime(ns: number): string {
  const totalHundredths = Math.max(0, Math.floor(ns / 10_000_000));
  const totalSeconds = Math.floor(totalHundredths / 100);
  const totalMinutes = Math.floor(totalSeconds / 60);
  const totalHours = Math.floor(totalMinutes / 60);
  const seconds = totalSeconds % 60;
  const minutes = totalMinutes % 60;
  if (totalMinutes < 60) return `${totalMinutes}:${pad2(seconds)}.${pad2(totalHundredths % 100)}`;
  if (totalHours < 18) return `${totalHours}h${pad2(minutes)}:${pad2(seconds)}`;
  const totalDays = Math.floor(totalHours / 24);
  const hours = totalHours % 24;
  if (totalDays < 10) return `${totalDays}d${pad2(hours)}h${pad2(minutes)}`;
  if (totalDays < 365) return `${totalDays}d${pad2(hours)}h`;
  const years = Math.floor(totalDays / 365);
  if (years < 1000) return `${years}y${String(totalDays % 365).padStart(3, "0")}d`;
  if (years < 10_000_000) return `${years}y`;
  return "eternity";
}

/** A percentage in at most 5 cells: `0.0`, `23.4`, `999.9`, then `1600` without the decimal. */
export function formatPercent(value: number): string {
  if (!Number.isFinite(value) || value < 0) return "N/A";
  return value < 999.95 ? value.toFixed(1) : value.toFixed(0);
}

/** htop's uptime meter text: `04:05:06`, `1 day, 04:05:06`, `3 days, 04:05:06`. */
export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const clock = `${pad2(Math.floor((s % 86_400) / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
  if (days === 0) return clock;
  return `${days} ${days === 1 ? "day" : "days"}, ${clock}`;
}

/** A short duration for the status line: `0.4 ms`, `12.3 ms`, `250 ms`. */
export function formatMs(ms: number): string {
  return ms < 100 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Local wall-clock time with milliseconds: `14:03:27.042`. */
export function formatClock(timeMs: number): string {
  const d = new Date(timeMs);
  const ms = String(d.getMilliseconds()).padStart(3, "0");
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${ms}`;
}

/**
 * A lifetime, 7 cells at most below 1000 days: `12ms`, `1.50s`, `3m05s`, `2h04m`, `3d04h`.
 * Truncated, never rounded up, like the other formats.
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  if (total < 1000) return `${total}ms`;
  const seconds = Math.floor(total / 1000);
  if (seconds < 60) return `${seconds}.${pad2(Math.floor((total % 1000) / 10))}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${pad2(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${pad2(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d${pad2(hours % 24)}h`;
}

/** An events-per-second rate: `0.0`, `12.5`, one decimal below 100, then whole numbers. */
export function formatRate(perSecond: number): string {
  return perSecond < 99.95 ? perSecond.toFixed(1) : perSecond.toFixed(0);
}

/** Linux signal names by number (the generic numbering of x86-64, arm64 and riscv64). */
const SIGNAL_NAMES: readonly string[] = [
  "",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];

/** `SIGKILL` for 9; `SIG40` for a number without a name (real-time signals). */
export function signalName(signal: number): string {
  return SIGNAL_NAMES[signal] || `SIG${signal}`;
}

/** How a process ended: its exit code (`3`), or the signal that killed it (`SIGKILL`, `SIGSEGV (core)`). */
export function exitReason(exit: ExitStatus): string {
  if (exit.signal === undefined) return String(exit.code ?? "?");
  return exit.coreDumped ? `${signalName(exit.signal)} (core)` : signalName(exit.signal);
}

// Printable ASCII only: the common case, where one UTF-16 unit is one cell.
const PLAIN_ASCII = /^[\x20-\x7e]*$/;
// C0/C1 control characters would move the cursor or be dropped by the terminal.
const CONTROL_CHARS = /[\x00-\x1f\x7f-\x9f]/g;

/** Replaces control characters (a command line may hold newlines or escapes) with `?`. */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARS, "?");
}

/** Display width in terminal cells (wide CJK characters count 2). */
export function cellWidth(text: string): number {
  return PLAIN_ASCII.test(text) ? text.length : Bun.stringWidth(text);
}

/** Cuts `text` to at most `width` cells, never splitting a wide character. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return "";
  if (PLAIN_ASCII.test(text)) return text.length <= width ? text : text.slice(0, width);
  let used = 0;
  let out = "";
  for (const char of text) {
    const w = Bun.stringWidth(char);
    if (used + w > width) break;
    used += w;
    out += char;
  }
  return out;
}

/** Cuts `text` to at most `width` cells from the start, keeping its end: `…/app.slice/foo.service`. */
export function truncateStart(text: string, width: number): string {
  if (cellWidth(text) <= width) return text;
  if (width <= 0) return "";
  const chars = [...text];
  let used = 1; // the ellipsis
  let start = chars.length;
  while (start > 0 && used + cellWidth(chars[start - 1]!) <= width) used += cellWidth(chars[--start]!);
  return `…${chars.slice(start).join("")}`;
}

/** Truncates or pads `text` to exactly `width` cells. */
export function fit(text: string, width: number, align: "left" | "right"): string {
  const cut = truncate(text, width);
  const padding = " ".repeat(Math.max(0, width - cellWidth(cut)));
  return align === "left" ? cut + padding : padding + cut;
}
