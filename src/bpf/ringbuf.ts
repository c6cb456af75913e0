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
import { errno } from "./libc.ts";
import type { Libbpf } from "./libbpf.ts";

export class RingBufferReader<T> {
  private rb: Pointer | null;
  private readonly callback: JSCallback;
  private batch: T[] = [];
  /** Samples that could not be decoded (too short): counted, never thrown. */
  malformed = 0;

  constructor(
    private readonly fn: Libbpf,
    mapFd: number,
    decode: (sample: DataView) => T,
    minSize: number,
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
  }

  /** Every record queued since the last call, oldest first. */
  consume(): T[] {
    if (!this.rb) return [];
    const rc = this.fn.ring_buffer__consume(this.rb);
    if (rc < 0) throw new BpfError("read ring buffer", "ring_buffer__consume", -rc);
    const out = this.batch;
    this.batch = [];
    return out;
  }

  close(): void {
    if (this.rb) this.fn.ring_buffer__free(this.rb);
    this.rb = null;
    this.callback.close();
  }
}
