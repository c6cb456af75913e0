/**
 * The connection model: socket rows keyed by cookie, rates from two samples,
 * closed connections kept a few refreshes with their final counters, and
 * per-process send/receive rates.
 */
import { ConnFlags, type ConnRecord } from "../bpf/records.ts";
import type { NetCollection } from "../collect/net.ts";
import type { ConnectionRow, NetStats } from "./types.ts";

/** Refreshes a closed connection stays listed, dimmed. */
export const KEEP_CLOSED_REFRESHES = 3;

const TCP_STATES = ["", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"];
const TCP_LISTEN = 10;
const UDP_CONNECTED = 1;

export function stateName(protocol: number, state: number): string {
  if (protocol === 17) return state === UDP_CONNECTED ? "CONNECTED" : "UNCONN";
  return TCP_STATES[state] ?? `STATE_${state}`;
}

/** Address text: dotted IPv4, compressed IPv6; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as IPv4. */
export function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join(".");
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return Array.from(bytes.subarray(12)).join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // Longest run of two or more zero groups becomes "::" (RFC 5952).
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j > i ? j : i + 1;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

function endpoint(addr: string, port: number, family: 4 | 6): string {
  return family === 6 && addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

interface Tracked {
  row: ConnectionRow;
  prevSent: number;
  prevReceived: number;
  generation: number;
  /** What the row's text was built from: a change rebuilds it. */
  state: number;
  flags: number;
  statesSeen: number;
}

export class NetStore {
  rows: ConnectionRow[] = [];
  stats: NetStats = { connections: 0, byState: {}, sendRate: 0, receiveRate: 0, dropped: 0 };
  /** Bytes/s by owning pid, for the process table's network columns. */
  readonly rateByPid = new Map<number, { send: number; receive: number }>();
  /** Rows that closed during the last update (what the CSV log writes with closed=1). */
  closedNow: ConnectionRow[] = [];

  private readonly tracked = new Map<number, Tracked>();
  private readonly closed = new Map<number, { row: ConnectionRow; untilGeneration: number }>();
  private generation = 0;
  private prevAtMs: number | undefined;

  constructor(
    private readonly userName: (uid: number) => string,
    private readonly notes: { unavailable?: string; degraded?: string } = {},
  ) {}

  /** Per-socket byte counts and owners come from sock_send/recv_length (6.3+); without them, TCP's own counters. */
  private get socketIo(): boolean {
    return !this.notes.degraded;
  }

  update(net: NetCollection, atMs: number): void {
    const gen = ++this.generation;
    const periodS = this.prevAtMs === undefined ? 0 : (atMs - this.prevAtMs) / 1000;
    this.prevAtMs = atMs;
    const rows: ConnectionRow[] = [];
    for (const r of net.sockets) {
      let t = this.tracked.get(r.cookie);
      let row: ConnectionRow;
      if (t && t.state === r.state && t.flags === r.flags && t.statesSeen === r.statesSeen) {
        // The common case: same socket, same state; only counters moved.
        row = t.row;
        updateCounters(row, r, this.socketIo);
      } else {
        row = toRow(r, String(r.cookie), this.userName, t?.row, this.socketIo);
        if (!t) {
          // A socket new since the last refresh moved all its bytes within the period (as a new process's CPU time counts whole).
          const since = periodS > 0 ? 0 : 1;
          t = { row, prevSent: row.bytesSent * since, prevReceived: row.bytesReceived * since, generation: gen, state: 0, flags: 0, statesSeen: 0 };
          this.tracked.set(r.cookie, t);
        }
        t.state = r.state;
        t.flags = r.flags;
        t.statesSeen = r.statesSeen;
      }
      row.sendRate = periodS > 0 ? Math.max(0, row.bytesSent - t.prevSent) / periodS : 0;
      row.receiveRate = periodS > 0 ? Math.max(0, row.bytesReceived - t.prevReceived) / periodS : 0;
      t.row = row;
      t.prevSent = row.bytesSent;
      t.prevReceived = row.bytesReceived;
      t.generation = gen;
      rows.push(row);
    }

    this.closedNow = [];
    for (const r of net.closed) {
      const row = toRow(r, String(r.cookie), this.userName, this.tracked.get(r.cookie)?.row, this.socketIo);
      row.closed = { timeMs: net.bootToEpochMs + r.tsNs / 1e6 };
      this.tracked.delete(r.cookie);
      this.closed.set(r.cookie, { row, untilGeneration: gen + KEEP_CLOSED_REFRESHES });
      this.closedNow.push(row);
    }
    // Sockets gone without a close record (UDP, or a missed close): dropped from the table.
    for (const [id, t] of this.tracked) if (t.generation !== gen) this.tracked.delete(id);
    for (const [id, c] of this.closed) {
      if (c.untilGeneration <= gen) this.closed.delete(id);
      else rows.push(c.row);
    }

    this.rows = rows;
    this.summarize(net.dropped);
  }

  private summarize(dropped: number): void {
    const byState: Record<string, number> = {};
    let sendRate = 0, receiveRate = 0, connections = 0;
    this.rateByPid.clear();
    for (const r of this.rows) {
      if (r.closed) continue;
      connections++;
      byState[r.state] = (byState[r.state] ?? 0) + 1;
      sendRate += r.sendRate;
      receiveRate += r.receiveRate;
      if (r.pid && (r.sendRate || r.receiveRate)) {
        const p = this.rateByPid.get(r.pid) ?? { send: 0, receive: 0 };
        p.send += r.sendRate;
        p.receive += r.receiveRate;
        this.rateByPid.set(r.pid, p);
      }
    }
    this.stats = { connections, byState, sendRate, receiveRate, dropped, ...this.notes };
  }
}

/** States in which our FIN has been acked (it counts one in bytes_acked). */
const OUR_FIN_ACKED = new Set([5, 6]); // FIN_WAIT2, TIME_WAIT
/** States in which the peer's FIN has arrived (it counts one in bytes_received). */
const PEER_FIN_RECEIVED = new Set([6, 8, 9, 11]); // TIME_WAIT, CLOSE_WAIT, LAST_ACK, CLOSING

/** TCP's wire counters as payload bytes: bytes_acked counts the SYN and our FIN, bytes_received the peer's FIN. */
export function wireBytes(r: Pick<ConnRecord, "wireBytesAcked" | "wireBytesReceived" | "state">): { sent: number; received: number } {
  return {
    sent: Math.max(0, r.wireBytesAcked - 1 - (OUR_FIN_ACKED.has(r.state) ? 1 : 0)),
    received: Math.max(0, r.wireBytesReceived - (PEER_FIN_RECEIVED.has(r.state) ? 1 : 0)),
  };
}

/** Refresh the counters of an existing row in place (no strings built). */
function updateCounters(row: ConnectionRow, r: ConnRecord, socketIo: boolean): void {
  const tcp = r.protocol === 6;
  if (isExact(r, socketIo)) {
    row.bytesSent = r.bytesSent;
    row.bytesReceived = r.bytesReceived;
  } else {
    const wire = wireBytes(r);
    row.bytesSent = wire.sent;
    row.bytesReceived = wire.received;
  }
  row.packetsSent = tcp ? r.segsOut : r.sends;
  row.packetsReceived = tcp ? r.segsIn : r.recvs;
  row.rttUs = tcp ? r.srttUs : 0;
  row.retransmits = r.retransmits;
  row.resetsSent = r.resetsSent;
  row.resetsReceived = r.resetsReceived;
}

/** Application byte counts are complete when sock_*_length ran from the socket's start (always for UDP). */
function isExact(r: ConnRecord, socketIo: boolean): boolean {
  return socketIo && (r.protocol !== 6 || (r.flags & ConnFlags.bornSeen) !== 0);
}

/**
 * A socket record as a row. Byte counts: the exact application bytes when
 * bpftop saw the socket start (or for UDP); otherwise TCP's wire counters
 * without the SYN and FINs (approximate: a closed socket's FINs are not known).
 */
export function toRow(r: ConnRecord, id: string, userName: (uid: number) => string, previous?: ConnectionRow, socketIo = true): ConnectionRow {
  const family: 4 | 6 = r.family === 10 ? 6 : 4;
  const tcp = r.protocol === 6;
  const localAddr = addressText(r.laddr);
  const remoteAddr = addressText(r.raddr);
  const exact = isExact(r, socketIo);
  const owner = (r.flags & ConnFlags.ownerKnown) !== 0;
  const unconnected = (tcp && r.state === TCP_LISTEN) || (!tcp && r.state !== UDP_CONNECTED && r.rport === 0);
  const wire = wireBytes(r);
  const statesSeen: string[] = [];
  for (let s = 1; s < TCP_STATES.length; s++) if (r.statesSeen & (1 << s)) statesSeen.push(TCP_STATES[s]!);
  return {
    id,
    proto: tcp ? "tcp" : "udp",
    family,
    localAddr,
    localPort: r.lport,
    remoteAddr,
    remotePort: r.rport,
    local: endpoint(localAddr, r.lport, family),
    remote: unconnected ? "*:*" : endpoint(remoteAddr, r.rport, family),
    state: stateName(r.protocol, r.state),
    pid: owner ? r.tgid : (previous?.pid ?? 0),
    comm: owner ? r.comm : (previous?.comm ?? ""),
    user: owner ? userName(r.uid) : (previous?.user ?? ""),
    bytesSent: exact ? r.bytesSent : wire.sent,
    bytesReceived: exact ? r.bytesReceived : wire.received,
    packetsSent: tcp ? r.segsOut : r.sends,
    packetsReceived: tcp ? r.segsIn : r.recvs,
    sendRate: 0,
    receiveRate: 0,
    rttUs: tcp ? r.srttUs : 0,
    retransmits: r.retransmits,
    resetsSent: r.resetsSent,
    resetsReceived: r.resetsReceived,
    statesSeen,
    approximate: !exact,
  };
}
