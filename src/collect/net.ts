/**
 * Sockets: one iter/tcp and one iter/udp run per refresh (rows land in the
 * mmapped conn_records array: constant syscalls however many sockets), plus
 * the TCP connections that closed since the last refresh, from the
 * conn_events ring buffer, with their final counters.
 */
import type { BpftopBpf } from "../bpf/bpftop.ts";
import { ConnFlags, ConnRecordLayout, IterTrailerLayout, readConnRecord, readIterTrailer, type ConnRecord } from "../bpf/records.ts";
import { RingQueue } from "./ring-queue.ts";

export interface NetCollection {
  /** Every TCP and UDP socket now (IPv4 and IPv6). */
  sockets: ConnRecord[];
  /** TCP connections that closed since the last collect. */
  closed: ConnRecord[];
  /** Close records the kernel could not queue, since start. */
  dropped: number;
  /** The most records one socket walk left in the mmapped array (TCP and UDP each fill it from the start), and its size. */
  arrayFill: { used: number; capacity: number };
  /** Time in the kernel's walks (the iterator runs and their reads, the open-files walk too), ms. */
  walkMs: number;
  bootToEpochMs: number;
}

type NetBpf = Required<Pick<BpftopBpf, "tcpIter" | "udpIter" | "connRecords">> & Pick<BpftopBpf, "connEvents" | "connDrops" | "socketOwnerScan">;

/**
 * The open-files walk costs O(open files): at most this often, and only when
 * an unowned socket appears that the last walk did not already fail to claim.
 */
const OWNER_SCAN_INTERVAL_MS = 10_000;

export class NetCollector {
  private readonly closes: RingQueue<ConnRecord>;
  private lastOwnerScanMs = -Infinity;
  /**
   * Cookies of the sockets the last walk left unowned: held by a task the
   * iterator cannot see (PID 1 in some sandboxes) or by no file at all.
   * Walking again for them alone would find nothing, every 10 s, forever.
   */
  private unclaimable = new Set<number>();
  /** Records the fullest walk of this collect produced (streamed ones too: over capacity means streaming). */
  private arrayUsed = 0;
  private walkMs = 0;
  /** Open-files walks run so far (tests and benchmarks). */
  ownerScans = 0;

  constructor(
    private readonly bpf: NetBpf,
    /** Monotonic milliseconds (a parameter for tests). */
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.closes = new RingQueue(bpf.connEvents, bpf.connDrops);
  }

  collect(): NetCollection {
    // Closes first: a connection that closed is then gone from the iterators too.
    const batch = this.closes.take();
    this.walkMs = 0;
    let sockets = this.readSockets();
    const claimable = (r: ConnRecord) => unowned(r) && !this.unclaimable.has(r.cookie);
    if (sockets.some(claimable) && this.nowMs() - this.lastOwnerScanMs >= OWNER_SCAN_INTERVAL_MS && this.bpf.socketOwnerScan) {
      this.lastOwnerScanMs = this.nowMs();
      this.ownerScans++;
      this.walk(this.bpf.socketOwnerScan);
      sockets = this.readSockets();
      this.unclaimable = new Set(sockets.filter(unowned).map((r) => r.cookie));
    }
    const arrayFill = { used: this.arrayUsed, capacity: this.bpf.connRecords.entries };
    return { sockets, closed: batch.records, dropped: batch.dropped, bootToEpochMs: batch.bootToEpochMs, arrayFill, walkMs: this.walkMs };
  }

  private readSockets(): ConnRecord[] {
    const sockets: ConnRecord[] = [];
    this.arrayUsed = 0;
    this.readIterator(this.walk(this.bpf.tcpIter), sockets);
    this.readIterator(this.walk(this.bpf.udpIter), sockets);
    return sockets;
  }

  private walk(iter: { run(): DataView }): DataView {
    const start = performance.now();
    const stream = iter.run();
    this.walkMs += performance.now() - start;
    return stream;
  }

  close(): void {
    this.closes.close();
  }

  /** Rows in the mmapped array, then any streamed past its end; decoded before the next run reuses the array. */
  private readIterator(stream: DataView, out: ConnRecord[]): void {
    const trailerAt = stream.byteLength - IterTrailerLayout.size;
    if (trailerAt < 0 || trailerAt % ConnRecordLayout.size !== 0) {
      throw new Error(`socket iterator returned ${stream.byteLength} bytes, not records plus a trailer`);
    }
    const inMap = Math.min(readIterTrailer(stream, trailerAt).recordsInMap, this.bpf.connRecords.entries);
    this.arrayUsed = Math.max(this.arrayUsed, inMap + trailerAt / ConnRecordLayout.size);
    for (let i = 0; i < inMap; i++) out.push(readConnRecord(this.bpf.connRecords.view, i * ConnRecordLayout.size));
    for (let off = 0; off < trailerAt; off += ConnRecordLayout.size) out.push(readConnRecord(stream, off));
  }
}

/**
 * A socket that some process holds but whose owner is unknown. Time-wait and
 * request sockets (state TIME_WAIT 6, NEW_SYN_RECV 12) belong to no file.
 */
function unowned(r: ConnRecord): boolean {
  return (r.flags & ConnFlags.ownerKnown) === 0 && r.state !== 6 && r.state !== 12;
}
