/**
 * Sockets: one iter/tcp and one iter/udp run per refresh (rows land in the
 * mmapped conn_records array: constant syscalls however many sockets), plus
 * the TCP connections that closed since the last refresh, from the
 * conn_events ring buffer, with their final counters.
 */
import type { BpftopBpf } from "../bpf/bpftop.ts";
import { ConnRecordLayout, IterTrailerLayout, readConnRecord, readIterTrailer, type ConnRecord } from "../bpf/records.ts";
import { RingQueue } from "./ring-queue.ts";

export interface NetCollection {
  /** Every TCP and UDP socket now (IPv4 and IPv6). */
  sockets: ConnRecord[];
  /** TCP connections that closed since the last collect. */
  closed: ConnRecord[];
  /** Close records the kernel could not queue, since start. */
  dropped: number;
  bootToEpochMs: number;
}

type NetBpf = Required<Pick<BpftopBpf, "tcpIter" | "udpIter" | "connRecords">> & Pick<BpftopBpf, "connEvents" | "connDrops">;

export class NetCollector {
  private readonly closes: RingQueue<ConnRecord>;

  constructor(private readonly bpf: NetBpf) {
    this.closes = new RingQueue(bpf.connEvents, bpf.connDrops);
  }

  collect(): NetCollection {
    // Closes first: a connection that closed is then gone from the iterators too.
    const batch = this.closes.take();
    const sockets: ConnRecord[] = [];
    this.readIterator(this.bpf.tcpIter.run(), sockets);
    this.readIterator(this.bpf.udpIter.run(), sockets);
    return { sockets, closed: batch.records, dropped: batch.dropped, bootToEpochMs: batch.bootToEpochMs };
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
    for (let i = 0; i < inMap; i++) out.push(readConnRecord(this.bpf.connRecords.view, i * ConnRecordLayout.size));
    for (let off = 0; off < trailerAt; off += ConnRecordLayout.size) out.push(readConnRecord(stream, off));
  }
}
