/**
 * The few libc functions bpftop needs that Bun does not expose: memfd_create
 * (to load the embedded libbpf), mmap (to read BPF array maps without a
 * syscall per refresh), errno, and vsnprintf (to format libbpf's log lines).
 *
 * libc is opened by the absolute path the dynamic loader already mapped into
 * this process, never by soname: Bun retries a bare name relative to the
 * current directory, which would let a planted file run with our privileges.
 */
import { dlopen, read, type Pointer } from "bun:ffi";
import { readFileSync } from "node:fs";

/** The absolute path of the libc mapped into this process, from /proc/self/maps. */
export function loadedLibcPath(maps = readFileSync("/proc/self/maps", "latin1")): string {
  for (const line of maps.split("\n")) {
    const path = line.slice(line.indexOf("/"));
    if (line.includes("/") && /\/libc(\.so\.6|-[\d.]+\.so)$/.test(path)) return path;
  }
  throw new Error("cannot find the C library in /proc/self/maps");
}

const libc = dlopen(loadedLibcPath(), {
  memfd_create: { args: ["cstring", "u32"], returns: "i32" },
  write: { args: ["i32", "ptr", "u64"], returns: "i64" },
  close: { args: ["i32"], returns: "i32" },
  mmap: { args: ["ptr", "u64", "i32", "i32", "i32", "i64"], returns: "ptr" },
  munmap: { args: ["ptr", "u64"], returns: "i32" },
  vsnprintf: { args: ["ptr", "u64", "ptr", "ptr"], returns: "i32" },
  strerror: { args: ["i32"], returns: "cstring" },
  __errno_location: { args: [], returns: "ptr" },
  sysconf: { args: ["i32"], returns: "i64" },
  clock_gettime: { args: ["i32", "ptr"], returns: "i32" },
}).symbols;

export const MFD_CLOEXEC = 1;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;

/** errno of the last failed libc/libbpf call; read it before any other FFI call. */
export function errno(): number {
  return read.i32(libc.__errno_location()!, 0);
}

export function strerror(code: number): string {
  return libc.strerror(code) ?? `errno ${code}`;
}

/** Create an anonymous in-memory file holding bytes; returns its fd (close-on-exec). */
export function memfdWithBytes(name: string, bytes: Uint8Array): number {
  const fd = libc.memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) throw new Error(`memfd_create(${name}): ${strerror(errno())}`);
  let off = 0;
  while (off < bytes.length) {
    const n = Number(libc.write(fd, bytes.subarray(off), bytes.length - off));
    if (n <= 0) {
      const e = errno();
      libc.close(fd);
      throw new Error(`write to memfd ${name}: ${strerror(e)}`);
    }
    off += n;
  }
  return fd;
}

const _SC_PAGESIZE = 30;
/** The kernel's page size (RSS and VM sizes come in pages). */
export const PAGE_SIZE: number = Number(libc.sysconf(_SC_PAGESIZE));

const CLOCK_BOOTTIME = 7;
const timespec = new BigInt64Array(2);

/** CLOCK_BOOTTIME in ns (the clock of BPF's bpf_ktime_get_boot_ns and task start times); a vDSO call, no syscall. */
export function boottimeNs(): number {
  libc.clock_gettime(CLOCK_BOOTTIME, timespec);
  return Number(timespec[0]) * 1e9 + Number(timespec[1]);
}

export function closeFd(fd: number): void {
  libc.close(fd);
}

/** mmap a shared view of fd (a BPF map), read-only unless `writable`; returns the address. */
export function mmapShared(fd: number, length: number, writable = false): Pointer {
  const addr = libc.mmap(null, length, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0) as Pointer | null;
  // MAP_FAILED is (void *)-1; Bun hands pointers over as numbers.
  if (addr === null || Number(addr) >= 2 ** 63) {
    throw new Error(`mmap of ${length} bytes: ${strerror(errno())}`);
  }
  return addr;
}

export function munmap(addr: Pointer, length: number): void {
  libc.munmap(addr, length);
}

/** Format a printf-style (fmt, va_list) pair into a JS string. */
export function formatVaList(fmt: Pointer, ap: Pointer, scratch: Uint8Array): string {
  const n = libc.vsnprintf(scratch, scratch.length, fmt, ap);
  if (n < 0) return "";
  const len = Math.min(n, scratch.length - 1);
  return new TextDecoder().decode(scratch.subarray(0, len));
}
