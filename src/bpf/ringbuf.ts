/**
 * A BPF ring buffer drained on demand: consume() runs libbpf's
 * ring_buffer__consume, which never blocks, so the caller decides when (a
 * timer) and the UI never freezes (stack-guide §3.5). The sample callback
 * decodes and copies each record inside the call (sample memory is reused)
 * and never throws: a throw from a JSCallback would make C see 0 for every
 * later sample and silently lose them.
 */
import { JSCallback, toArrayBuffer, type Pointer } from "bun:ffi";
import { BpfError } from "./errors.ts";
import { errno, mmapShared, munmap, PAGE_SIZE } from "./libc.ts";
import type { Libbpf } from "./libbpf.ts";
import { u64 } from "./records.ts";

export class RingBufferReader<T> {
  private rb: Pointer | null;
  private readonly callback: JSCallback;
  private batch: T[] = [];
  /** Samples that could not be decoded (too short): counted, never thrown. */
  malformed = 0;
  /** The consumer and producer position pages, mapped read-only: how full the ring is. */
  private positions: { addr: Pointer; view: DataView } | undefined;
  private peakBacklog = 0;

  constructor(
    private readonly fn: Libbpf,
    mapFd: number,
    decode: (sample: DataView) => T,
    minSize: number,
    /** The ring's data size in bytes (the map's max_entries). */
    readonly capacityBytes: number,
  ) {
    this.callback = new JSCallback(
      (_ctx: Pointer, data: Pointer, size: number | bigint): number => {
        try {
          const n = Number(size);
          if (n < minSize) {
            this.malformed++;
            return 0;
          }
          this.batch.push(decode(new DataView(toArrayBuffer(data, 0, n))));
        } catch {
          this.malformed++;
        }
        return 0;
      },
      { args: ["ptr", "ptr", "u64"], returns: "i32" },
    );
    this.rb = fn.ring_buffer__new(mapFd, this.callback.ptr, null, null) as Pointer | null;
    if (!this.rb) {
      const e = errno();
      this.callback.close();
      throw new BpfError("open ring buffer", "ring_buffer__new", e);
    }
    try {
      const addr = mmapShared(mapFd, 2 * PAGE_SIZE);
      this.positions = { addr, view: new DataView(toArrayBuffer(addr, 0, 2 * PAGE_SIZE)) };
    } catch {
      // Only the fill level is lost; the records still flow.
    }
  }

  /** Bytes written by the kernel and not consumed yet (record headers included). */
  backlogBytes(): number {
    if (!this.positions) return 0;
    const v = this.positions.view;
    const consumer = u64(v, 0);
    const producer = u64(v, PAGE_SIZE);
    return Math.max(0, producer - consumer);
  }

  /** The fullest the ring was, in bytes, at any consume() since the last call. */
  takePeakBacklog(): number {
    const peak = Math.max(this.peakBacklog, this.backlogBytes());
    this.peakBacklog = 0;
    return peak;
  }

  /** Every record queued since the last call, oldest first. */
  consume(): T[] {
    if (!this.rb) return [];
    const backlog = this.backlogBytes();
    if (backlog > this.peakBacklog) this.peakBacklog = backlog;
    const rc = this.fn.ring_buffer__consume(this.rb);
    if (rc < 0) throw new BpfError("read ring buffer", "ring_buffer__consume", -rc);
    const out = this.batch;
    this.batch = [];
    return out;
  }

  close(): void {
    if (this.rb) this.fn.ring_buffer__free(this.rb);
    this.rb = null;
    if (this.positions) munmap(this.positions.addr, 2 * PAGE_SIZE);
    this.positions = undefined;
    this.callback.close();
  }
}
