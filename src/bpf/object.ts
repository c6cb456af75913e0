/**
 * The BPF object's lifecycle, in three layers that each close: open (parse
 * the embedded ELF) → load (maps created, programs verified) → links
 * (attached programs). Failures unwind what was created and throw BpfError
 * with context; verifier rejections quote the verifier's own last words.
 */
import { ptr, type Pointer } from "bun:ffi";
import { existsSync } from "node:fs";
import { BpfError } from "./errors.ts";
import { errno } from "./libc.ts";
import { libbpf, libbpfLog, type Libbpf } from "./libbpf.ts";

/** sizeof(struct bpf_object_open_opts) in libbpf 1.1; newer versions accept it. */
const OPEN_OPTS_SIZE = 80;
const OPEN_OPTS_OBJECT_NAME = 8;
const OPEN_OPTS_BTF_CUSTOM_PATH = 48;
const OPEN_OPTS_KERNEL_LOG_BUF = 56;
const OPEN_OPTS_KERNEL_LOG_SIZE = 64;
/**
 * The verifier's log of a rejected program. libbpf loads with log level 0 and
 * only on failure retries with level 1 into this buffer, so it costs nothing
 * when all is well. Since Linux 6.4 an overflowing log keeps its tail, which
 * is where the verifier says what is wrong.
 */
const VERIFIER_LOG_SIZE = 4 << 20;
const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";

export class Link {
  constructor(
    private readonly fn: Libbpf,
    private handle: Pointer | null,
    readonly program: string,
  ) {}

  get fd(): number {
    if (!this.handle) throw new Error(`link of ${this.program} is closed`);
    return this.fn.bpf_link__fd(this.handle);
  }

  destroy(): void {
    if (this.handle) this.fn.bpf_link__destroy(this.handle);
    this.handle = null;
  }
}

/** A program of a loaded object, by name, and its fd. */
export interface LoadedProgram {
  name: string;
  fd: number;
}

export class BpfObject {
  private links: Link[] = [];
  private loaded = false;

  private constructor(
    readonly fn: Libbpf,
    private obj: Pointer | null,
    readonly name: string,
    // Referenced so the memory libbpf was handed stays alive with the object.
    private readonly keepAlive: unknown[],
    // libbpf holds this pointer and writes into it during load.
    private verifierLog: Uint8Array | null,
  ) {}

  /** Parse an ELF object held in memory (the embedded bpftop.bpf.o). */
  static async open(bytes: Uint8Array, name: string): Promise<BpfObject> {
    const { fn } = await libbpf();
    const objectName = Buffer.from(`${name}\0`);
    // Naming the kernel's BTF explicitly stops libbpf 1.1 from also searching
    // kernel-module BTF for CO-RE relocations, which needs CAP_SYS_ADMIN and so
    // fails with only CAP_BPF + CAP_PERFMON. bpftop uses no module types.
    const vmlinuxBtf = existsSync(VMLINUX_BTF) ? Buffer.from(`${VMLINUX_BTF}\0`) : undefined;
    const verifierLog = new Uint8Array(VERIFIER_LOG_SIZE);
    const opts = new BigUint64Array(OPEN_OPTS_SIZE / 8);
    opts[0] = BigInt(OPEN_OPTS_SIZE);
    opts[OPEN_OPTS_OBJECT_NAME / 8] = BigInt(ptr(objectName));
    if (vmlinuxBtf) opts[OPEN_OPTS_BTF_CUSTOM_PATH / 8] = BigInt(ptr(vmlinuxBtf));
    opts[OPEN_OPTS_KERNEL_LOG_BUF / 8] = BigInt(ptr(verifierLog));
    opts[OPEN_OPTS_KERNEL_LOG_SIZE / 8] = BigInt(verifierLog.length);
    const obj = fn.bpf_object__open_mem(bytes, bytes.length, opts) as Pointer | null;
    if (!obj) throw new BpfError(`open ${name}`, "bpf_object__open_mem", errno(), lastLogLine());
    return new BpfObject(fn, obj, name, [objectName, opts, vmlinuxBtf], verifierLog);
  }

  /** Names of the programs that load (autoload on), in ELF order. */
  programNames(): string[] {
    const names: string[] = [];
    for (let p = this.nextProgram(null); p; p = this.nextProgram(p)) {
      if (this.fn.bpf_program__autoload(p)) names.push(this.fn.bpf_program__name(p) ?? "?");
    }
    return names;
  }

  /** The loaded programs and their fds (for their kernel run statistics). */
  loadedPrograms(): LoadedProgram[] {
    const out: LoadedProgram[] = [];
    for (let p = this.nextProgram(null); p; p = this.nextProgram(p)) {
      const fd = this.fn.bpf_program__fd(p);
      if (fd >= 0) out.push({ name: this.fn.bpf_program__name(p) ?? "?", fd });
    }
    return out;
  }

  /** Turn a program on or off before load (SEC("?…") programs start off). */
  setAutoload(program: string, on: boolean): void {
    this.check(this.fn.bpf_program__set_autoload(this.program(program), on), `autoload ${program}`, "bpf_program__set_autoload");
  }

  setMaxEntries(map: string, entries: number): void {
    this.check(this.fn.bpf_map__set_max_entries(this.map(map), entries), `size map ${map}`, "bpf_map__set_max_entries");
  }

  maxEntries(map: string): number {
    return this.fn.bpf_map__max_entries(this.map(map));
  }

  /** Create the maps and verify the programs. */
  load(): void {
    const logStart = libbpfLog.length;
    const rc = this.fn.bpf_object__load(this.handle());
    const log = this.verifierLog;
    // libbpf keeps no use for the buffer after load: let it go.
    this.verifierLog = null;
    if (rc < 0) {
      const verifier = log ? new TextDecoder().decode(log.subarray(0, Math.max(0, log.indexOf(0)))) : "";
      throw new BpfError(`load ${this.name}`, "bpf_object__load", -rc, verifierSummary(logStart, libbpfLog, verifier));
    }
    this.loaded = true;
  }

  mapFd(map: string): number {
    const fd = this.fn.bpf_map__fd(this.map(map));
    if (fd < 0) throw new BpfError(`map ${map}`, "bpf_map__fd", -fd);
    return fd;
  }

  /** Attach a tracing program (tp_btf/, raw_tp/) by the target in its section name. */
  attach(program: string): Link {
    return this.track(program, this.fn.bpf_program__attach(this.program(program)) as Pointer | null, "bpf_program__attach");
  }

  /** Attach an iter/ program; each bpf_iter_create() on the link's fd then runs it once. */
  attachIter(program: string): Link {
    return this.track(program, this.fn.bpf_program__attach_iter(this.program(program), null) as Pointer | null, "bpf_program__attach_iter");
  }

  /** Detach every link, then free maps and programs. Safe to call twice. */
  close(): void {
    for (const link of this.links.reverse()) link.destroy();
    this.links = [];
    if (this.obj) this.fn.bpf_object__close(this.obj);
    this.obj = null;
    this.keepAlive.length = 0;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  // --- internal ---

  private handle(): Pointer {
    if (!this.obj) throw new Error(`BPF object ${this.name} is closed`);
    return this.obj;
  }

  private nextProgram(prev: Pointer | null): Pointer | null {
    return this.fn.bpf_object__next_program(this.handle(), prev) as Pointer | null;
  }

  private program(name: string): Pointer {
    const p = this.fn.bpf_object__find_program_by_name(this.handle(), name) as Pointer | null;
    if (!p) throw new BpfError(`${this.name}`, `find program ${name}`, 2);
    return p;
  }

  private map(name: string): Pointer {
    const m = this.fn.bpf_object__find_map_by_name(this.handle(), name) as Pointer | null;
    if (!m) throw new BpfError(`${this.name}`, `find map ${name}`, 2);
    return m;
  }

  private track(program: string, link: Pointer | null, fnName: string): Link {
    if (!link) throw new BpfError(`attach ${program}`, fnName, errno(), lastLogLine());
    const l = new Link(this.fn, link, program);
    this.links.push(l);
    return l;
  }

  private check(rc: number, context: string, fnName: string): void {
    if (rc < 0) throw new BpfError(context, fnName, -rc);
  }
}

/**
 * What went wrong in a failed load, in one line: the program libbpf names as
 * failed, and the last lines of the verifier's log (the instruction and the
 * reason). `verifier` is the kernel log buffer; older libbpf versions print
 * the log between BEGIN/END markers instead, which is used when it is empty.
 */
export function verifierSummary(fromIndex: number, log = libbpfLog, verifier = ""): string | undefined {
  const text = log.slice(fromIndex).map((l) => l.text).join("\n");
  const failed = /prog '([^']+)': (?:failed to load|BPF program load failed)/.exec(text)?.[1];
  const printed = /prog '([^']+)': -- BEGIN PROG LOAD LOG --\n([\s\S]*?)-- END PROG LOAD LOG --/.exec(text);
  const body = verifier || printed?.[2];
  const program = failed ?? printed?.[1];
  if (!body || !program) return lastLogLine(fromIndex, log);
  const lines = body.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("processed ") && !/^verification time/.test(l));
  return `verifier rejected program ${program}: ${lines.slice(-2).join(" / ")}`;
}

function lastLogLine(fromIndex = 0, log = libbpfLog): string | undefined {
  for (let i = log.length - 1; i >= fromIndex; i--) {
    if (log[i]!.level === "warn") return log[i]!.text.replace(/^libbpf: /, "");
  }
  return undefined;
}
