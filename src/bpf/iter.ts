/**
 * Running an iter/ program and reading what it wrote. The task iterator puts
 * its records in an mmapped BPF array, so one run costs a constant handful of
 * syscalls (bpf ITER_CREATE, a read that returns the 8-byte trailer, a read
 * that returns 0, close) whatever the number of tasks.
 */
import { toArrayBuffer, type Pointer } from "bun:ffi";
import { closeSync, readSync } from "node:fs";
import { BpfError } from "./errors.ts";
import { mmapShared, munmap, PAGE_SIZE } from "./libc.ts";
import type { BpfObject, Link } from "./object.ts";

/** Read an iterator link's whole output (one run of the program). */
export class IterReader {
  private buf = new Uint8Array(64 * 1024);

  constructor(
    private readonly obj: BpfObject,
    private readonly link: Link,
  ) {}

  /** Run the program once; the returned view is valid until the next run. */
  run(): DataView {
    const fd = this.obj.fn.bpf_iter_create(this.link.fd);
    if (fd < 0) throw new BpfError(`run iterator ${this.link.program}`, "bpf_iter_create", -fd);
    let len = 0;
    try {
      for (;;) {
        if (len === this.buf.length) {
          const bigger = new Uint8Array(this.buf.length * 2);
          bigger.set(this.buf);
          this.buf = bigger;
        }
        const n = readSync(fd, this.buf, len, this.buf.length - len, null);
        if (n === 0) break;
        len += n;
      }
    } finally {
      closeSync(fd);
    }
    return new DataView(this.buf.buffer, 0, len);
  }
}

/** A BPF_F_MMAPABLE array map seen as a DataView over its shared memory. */
export class MappedArray {
  private addr: Pointer | null;
  readonly view: DataView;

  constructor(
    mapFd: number,
    readonly entries: number,
    readonly valueSize: number,
    /** Map it writable (user space sets values, e.g. the syscall counter's target). */
    writable = false,
  ) {
    // Array elements are laid out at round_up(value_size, 8); the mapping is whole pages.
    const stride = Math.ceil(valueSize / 8) * 8;
    if (stride !== valueSize) throw new Error(`array value size ${valueSize} is not a multiple of 8`);
    this.length = Math.ceil((entries * stride) / PAGE_SIZE) * PAGE_SIZE;
    this.addr = mmapShared(mapFd, this.length, writable);
    this.view = new DataView(toArrayBuffer(this.addr, 0, this.length));
  }

  private readonly length: number;

  close(): void {
    if (this.addr) munmap(this.addr, this.length);
    this.addr = null;
  }
}
