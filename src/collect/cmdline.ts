/**
 * Command lines, read from /proc/PID/cmdline once per process (keyed by pid
 * and start time, so a reused pid is read again) and cached. Never re-read on
 * a refresh: invalidate() is called when a process execs.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { sanitizeText } from "../bpf/records.ts";

/** argv beyond this is cut: a command line can be up to 2 MiB, a table cell cannot. */
const MAX_CMDLINE_BYTES = 4096;

interface Entry {
  startNs: number;
  cmdline: string;
}

export class CmdlineCache {
  private readonly entries = new Map<number, Entry>();
  private readonly buf = new Uint8Array(MAX_CMDLINE_BYTES);
  private readonly utf8 = new TextDecoder("utf-8", { fatal: false });
  /** /proc reads done, for benchmarks and tests. */
  reads = 0;

  constructor(private readonly procRoot = "/proc") {}

  /** The cached command line of (tgid, startNs), reading /proc on a miss; `fallback` if unreadable or empty. */
  get(tgid: number, startNs: number, fallback: string): string {
    const e = this.entries.get(tgid);
    if (e && e.startNs === startNs) return e.cmdline;
    const cmdline = this.read(tgid) ?? fallback;
    this.entries.set(tgid, { startNs, cmdline });
    return cmdline;
  }

  invalidate(tgid: number): void {
    this.entries.delete(tgid);
  }

  // --- internal ---

  private read(tgid: number): string | undefined {
    this.reads++;
    let fd: number;
    try {
      fd = openSync(`${this.procRoot}/${tgid}/cmdline`, "r");
    } catch {
      return undefined;
    }
    try {
      const n = readSync(fd, this.buf, 0, this.buf.length, 0);
      return n > 0 ? decodeCmdline(this.buf.subarray(0, n), this.utf8) : undefined;
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * NUL-separated argv to one display line: NULs become spaces, trailing NULs
 * go, invalid UTF-8 becomes U+FFFD and control characters '?', so argv can
 * never drive the terminal.
 */
export function decodeCmdline(bytes: Uint8Array, utf8 = new TextDecoder("utf-8", { fatal: false })): string | undefined {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  if (end === 0) return undefined;
  return sanitizeText(utf8.decode(bytes.subarray(0, end)).replace(/\u0000/g, " "));
}
