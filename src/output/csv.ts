/**
 * The connection CSV log (`bpftop net --log FILE.csv`): a header once, then
 * one row per connection per refresh, and one (closed=1) for every
 * connection that closed during the interval. Each refresh is one write; if
 * a write fails (disk full, read-only file system) the file is cut back to
 * the last whole line, so it never ends in half a line.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import type { ConnectionRow } from "../store/types.ts";

export const CSV_COLUMNS = [
  "timestamp", "proto", "local", "remote", "state", "pid", "comm",
  "bytes_sent", "bytes_received", "packets_sent", "packets_received", "rtt_us", "retransmits", "closed",
] as const;

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes inside. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(row: ConnectionRow, timeMs: number): string {
  const closed = row.closed !== undefined;
  const cells = [
    new Date(closed ? row.closed!.timeMs : timeMs).toISOString(),
    row.proto, row.local, row.remote, row.state, row.pid, row.comm,
    row.bytesSent, row.bytesReceived, row.packetsSent, row.packetsReceived, row.rttUs, row.retransmits, closed ? 1 : 0,
  ];
  return cells.map(csvField).join(",");
}

export class CsvLog {
  private fd: number | undefined;
  /** File size after the last complete write. */
  private goodSize: number;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, "a", 0o644);
      this.goodSize = fstatSync(this.fd).size;
    } catch (e) {
      throw new Error(`cannot open log ${path}: ${describe(e)}`);
    }
    if (this.goodSize === 0) this.append(`${CSV_COLUMNS.join(",")}\n`);
  }

  /** Append one refresh: the live rows and the connections that closed in it. */
  write(rows: readonly ConnectionRow[], timeMs: number): void {
    if (rows.length === 0) return;
    let block = "";
    for (const r of rows) block += `${csvRow(r, timeMs)}\n`;
    this.append(block);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(text: string): void {
    if (this.fd === undefined) throw new Error(`log ${this.path} is closed`);
    const bytes = Buffer.from(text);
    try {
      // writeSync may write less than asked (a nearly full disk) and only throws on the next call.
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
      this.goodSize += bytes.length;
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.goodSize);
      } catch {
        /* the original error is the one to report */
      }
      throw new Error(`writing log ${this.path} failed: ${describe(e)}`);
    }
  }
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: "no space left on device",
    EROFS: "read-only file system",
    EACCES: "permission denied",
    ENOENT: "no such directory",
    EISDIR: "is a directory",
    EDQUOT: "disk quota exceeded",
    EIO: "input/output error",
  };
  return err.code ? `${why[err.code] ?? err.message} (${err.code})` : String(e);
}
