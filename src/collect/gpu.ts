/**
 * NVIDIA GPUs through NVML (libnvidia-ml.so.1, shipped with the driver): each
 * GPU's utilisation, memory and temperature for the header, and each process's
 * GPU memory and SM utilisation for the table. NVML is called per GPU, never
 * per process: a refresh costs six calls per GPU however many processes run.
 *
 * The library is found by absolute path in the system library directories and
 * loaded only when it, and every directory above it, is root's and not
 * writable by others: bpftop runs with root's capabilities, so a planted
 * libnvidia-ml.so.1 must never run. There is no environment override.
 *
 * Struct layouts and constants are those of nvml.h in NVIDIA's CUDA toolkit
 * (copied in NVIDIA/go-nvml gen/nvml/nvml.h); the ones used here are the same
 * from NVML 11.6 (R510, which added the _v3 process calls) to 13.3.
 */
import { dlopen, type FFIFunction, type Library, type Pointer } from "bun:ffi";
import { systemLibraryDirs } from "../bpf/libraries.ts";
import { checkTrustedFile } from "../bpf/trusted-file.ts";
import { sanitizeText, u64 } from "../bpf/records.ts";
import type { GpuInfo } from "../store/types.ts";

export interface GpuProcessUsage {
  /** GPU memory summed over every GPU the process uses. */
  memoryBytes: number;
  /** SM utilisation: the highest over the GPUs the process uses, 0..100. */
  utilPercent: number;
}

/**
 * One refresh. A GpuInfo field NVML could not read (no sensor, a unified-memory
 * GPU without its own framebuffer) is NaN.
 */
export interface GpuSample {
  gpus: GpuInfo[];
  byPid: Map<number, GpuProcessUsage>;
}

export interface GpuOpenOptions {
  /** Load this file instead of searching the system directories (tests only); it must pass the same ownership checks. */
  libraryPath?: string;
}

export class GpuCollector {
  private readonly count = new Uint32Array(1);
  private readonly scratch = new Uint8Array(Layout.memory.size);
  private readonly scratchView = new DataView(this.scratch.buffer);
  private readonly processes = new StructBuffer(Layout.processInfo.size, PROCESS_INFO_ALLOC_STRIDE);
  private readonly samples = new StructBuffer(Layout.processUtilizationSample.size);

  private constructor(
    private readonly nvml: Nvml,
    private readonly libraries: Library<FfiSymbols>[],
    private readonly devices: Device[],
    /** The file actually loaded (symlinks resolved). */
    readonly libraryPath: string,
    /** What this driver cannot report (an optional symbol it lacks), for `bpftop doctor`. */
    readonly degraded: readonly string[],
  ) {}

  /** undefined when libnvidia-ml.so.1 is absent or unsafe, NVML fails to initialise, or there is no GPU — never throws. */
  static open(options: GpuOpenOptions = {}): GpuCollector | undefined {
    return GpuCollector.attempt(options).collector;
  }

  /** Whether NVML can be used here, and what it found or why not, for `bpftop doctor`. */
  static probeNvml(options: GpuOpenOptions = {}): { ok: boolean; detail: string } {
    const { collector, reason } = GpuCollector.attempt(options);
    if (!collector) return { ok: false, detail: reason };
    const { gpus } = collector.collect();
    collector.close();
    const names = gpus.map((g) => `${g.index}: ${g.name}`).join(", ");
    const degraded = collector.degraded.length ? `; ${collector.degraded.join("; ")}` : "";
    return { ok: true, detail: `${collector.libraryPath}: ${gpus.length} GPU(s) (${names})${degraded}` };
  }

  /** One call per refresh for all processes. Never throws: what NVML cannot answer is left out (or NaN). */
  collect(): GpuSample {
    const gpus: GpuInfo[] = [];
    const byPid = new Map<number, GpuProcessUsage>();
    for (const d of this.devices) {
      gpus.push(this.readDevice(d));
      this.readProcessMemory(d, byPid);
      this.readProcessUtil(d, byPid);
    }
    return { gpus, byPid };
  }

  close(): void {
    if (this.libraries.length === 0) return;
    this.nvml.nvmlShutdown();
    for (const lib of this.libraries) lib.close();
    this.libraries.length = 0;
  }

  // --- internal ---

  private static attempt(options: GpuOpenOptions): Opened | { collector?: undefined; reason: string } {
    try {
      const found = options.libraryPath ? checkTrustedFile(options.libraryPath) : findLibrary();
      if ("problem" in found) return { reason: found.problem };
      return GpuCollector.initialise(found.path);
    } catch (e) {
      return { reason: `NVML: ${(e as Error).message}` };
    }
  }

  /** Load, nvmlInit_v2, and take a handle and name for every GPU; undoes all of it on failure. */
  private static initialise(path: string): Opened | { reason: string } {
    const { nvml, libraries, missing } = loadSymbols(path);
    const fail = (reason: string, initialised: boolean) => {
      if (initialised) nvml.nvmlShutdown();
      for (const lib of libraries) lib.close();
      return { reason };
    };
    const rc = nvml.nvmlInit_v2();
    if (rc !== NVML_SUCCESS) return fail(nvmlError("nvmlInit_v2", rc), false);

    const count = new Uint32Array(1);
    const countRc = nvml.nvmlDeviceGetCount_v2(count);
    if (countRc !== NVML_SUCCESS) return fail(nvmlError("nvmlDeviceGetCount_v2", countRc), true);
    const handleBytes = new Uint8Array(8);
    const nameBytes = new Uint8Array(NAME_BUFFER_SIZE);
    const devices: Device[] = [];
    const skipped: string[] = [];
    for (let index = 0; index < Math.min(count[0]!, MAX_GPUS); index++) {
      // A GPU hidden from this container or fallen off the bus is skipped, not fatal.
      const hrc = nvml.nvmlDeviceGetHandleByIndex_v2(index, handleBytes);
      const handle = u64(new DataView(handleBytes.buffer), 0) as Pointer;
      if (hrc !== NVML_SUCCESS || handle === 0) {
        skipped.push(`GPU ${index} skipped: ${nvmlError("nvmlDeviceGetHandleByIndex_v2", hrc)}`);
        continue;
      }
      nameBytes.fill(0);
      const nrc = nvml.nvmlDeviceGetName(handle, nameBytes, NAME_BUFFER_SIZE);
      devices.push({ index, handle, name: nrc === NVML_SUCCESS ? decodeName(nameBytes) : `GPU ${index}`, lastSeenUs: 0 });
    }
    if (devices.length === 0) {
      return fail(skipped.length ? skipped.join("; ") : "no NVIDIA GPU (nvmlDeviceGetCount_v2 found none)", true);
    }
    const degraded = [...skipped, ...missing.map((name) => `${OPTIONAL[name]}: the driver lacks ${name}`)];
    return { collector: new GpuCollector(nvml, libraries, devices, path, degraded) };
  }

  private readDevice(d: Device): GpuInfo {
    const { nvml, scratch, scratchView: v } = this;
    let utilPercent = NaN;
    if (nvml.nvmlDeviceGetUtilizationRates(d.handle, scratch) === NVML_SUCCESS) {
      utilPercent = clampPercent(v.getUint32(Layout.utilization.gpu, true));
    }
    let memoryUsedBytes = NaN;
    let memoryTotalBytes = NaN;
    if (nvml.nvmlDeviceGetMemoryInfo(d.handle, scratch) === NVML_SUCCESS) {
      memoryTotalBytes = u64(v, Layout.memory.total);
      memoryUsedBytes = u64(v, Layout.memory.used);
    }
    let temperatureC = NaN;
    if (nvml.nvmlDeviceGetTemperature?.(d.handle, NVML_TEMPERATURE_GPU, this.count) === NVML_SUCCESS) {
      temperatureC = this.count[0]!;
    }
    return { index: d.index, name: d.name, utilPercent, memoryUsedBytes, memoryTotalBytes, temperatureC };
  }

  /**
   * A process with both a compute and a graphics context is listed by both
   * calls with the same usedGpuMemory (all its memory on that GPU), so within
   * one GPU the larger entry counts; across GPUs the amounts add up.
   */
  private readProcessMemory(d: Device, byPid: Map<number, GpuProcessUsage>): void {
    const onThisGpu = new Map<number, number>();
    for (const list of [this.nvml.nvmlDeviceGetComputeRunningProcesses_v3, this.nvml.nvmlDeviceGetGraphicsRunningProcesses_v3]) {
      if (!list) continue;
      const n = this.fill(this.processes, (count, infos) => list(d.handle, count, infos));
      const v = this.processes.view;
      for (let i = 0, off = 0; i < n; i++, off += Layout.processInfo.size) {
        const pid = v.getUint32(off + Layout.processInfo.pid, true);
        if (pid === 0) continue;
        // NVML_VALUE_NOT_AVAILABLE (all ones) when the driver cannot attribute memory.
        const notAvailable =
          v.getUint32(off + Layout.processInfo.usedGpuMemory, true) === 0xffffffff &&
          v.getUint32(off + Layout.processInfo.usedGpuMemory + 4, true) === 0xffffffff;
        const bytes = notAvailable ? 0 : u64(v, off + Layout.processInfo.usedGpuMemory);
        onThisGpu.set(pid, Math.max(onThisGpu.get(pid) ?? 0, bytes));
      }
    }
    for (const [pid, bytes] of onThisGpu) usage(byPid, pid).memoryBytes += bytes;
  }

  /**
   * Samples newer than the last one seen on this GPU; NVML_ERROR_NOT_FOUND
   * means none (no process used the GPU since). Within one GPU the newest
   * sample of a process counts; across GPUs the highest, so the value stays a
   * percentage of one GPU.
   */
  private readProcessUtil(d: Device, byPid: Map<number, GpuProcessUsage>): void {
    const get = this.nvml.nvmlDeviceGetProcessUtilization;
    if (!get) return;
    const n = this.fill(this.samples, (count, samples) => get(d.handle, samples, count, d.lastSeenUs));
    const v = this.samples.view;
    const L = Layout.processUtilizationSample;
    const newest = new Map<number, { timeUs: number; percent: number }>();
    let lastSeenUs = d.lastSeenUs;
    for (let i = 0, off = 0; i < n; i++, off += L.size) {
      const pid = v.getUint32(off + L.pid, true);
      const timeUs = u64(v, off + L.timeStamp);
      const sm = v.getUint32(off + L.smUtil, true);
      // A timestamp past 2^53 would not survive the round trip as a number.
      if (!Number.isSafeInteger(timeUs) || timeUs <= d.lastSeenUs) continue;
      lastSeenUs = Math.max(lastSeenUs, timeUs);
      // Drivers have returned samples over 100% for processes that do not exist (Syllo/nvtop#110): drop them.
      if (pid === 0 || sm > 100) continue;
      const kept = newest.get(pid);
      if (!kept || timeUs >= kept.timeUs) newest.set(pid, { timeUs, percent: sm });
    }
    d.lastSeenUs = lastSeenUs;
    for (const [pid, { percent }] of newest) {
      const u = usage(byPid, pid);
      u.utilPercent = Math.max(u.utilPercent, percent);
    }
  }

  /**
   * Call an NVML function that fills a caller-sized array and sets *count.
   * NVML_ERROR_INSUFFICIENT_SIZE (the list grew past the buffer) grows it and
   * asks again; any other error yields no entries.
   */
  private fill(buf: StructBuffer, call: (count: Uint32Array, array: Uint8Array) => number): number {
    for (let attempt = 0; attempt < 3; attempt++) {
      this.count[0] = buf.capacity;
      const rc = call(this.count, buf.bytes);
      if (rc === NVML_SUCCESS) return Math.min(this.count[0]!, buf.capacity);
      // Everything else (NVML_ERROR_NOT_FOUND: no samples; NOT_SUPPORTED; NO_PERMISSION) means nothing to read.
      if (rc !== NVML_ERROR_INSUFFICIENT_SIZE || !buf.grow(this.count[0]!)) return 0;
    }
    return 0;
  }
}

// --- internal ---

const NVML_SUCCESS = 0;
const NVML_ERROR_INSUFFICIENT_SIZE = 7;
const NVML_TEMPERATURE_GPU = 0;
/** NVML_DEVICE_NAME_V2_BUFFER_SIZE: names are at most 96 bytes with the NUL. */
const NAME_BUFFER_SIZE = 96;
/** More GPUs than any machine has; bounds a count NVML could get wrong. */
const MAX_GPUS = 64;
/** Per-GPU bound on process and sample entries (2 MiB of buffer at most). */
const MAX_ENTRIES = 65536;

/** Byte offsets in the NVML structs this file decodes (LP64, little-endian). */
const Layout = {
  /** nvmlUtilization_t */
  utilization: { size: 8, gpu: 0, memory: 4 },
  /** nvmlMemory_t (v1, what nvmlDeviceGetMemoryInfo fills) */
  memory: { size: 24, total: 0, free: 8, used: 16 },
  /** nvmlProcessInfo_t = nvmlProcessInfo_v2_t, filled by the _v3 running-process calls; 4 bytes of padding after pid */
  processInfo: { size: 24, pid: 0, usedGpuMemory: 8, gpuInstanceId: 16, computeInstanceId: 20 },
  /** nvmlProcessUtilizationSample_t; 4 bytes of padding after pid */
  processUtilizationSample: { size: 32, pid: 0, timeStamp: 8, smUtil: 16, memUtil: 20, encUtil: 24, decUtil: 28 },
} as const;

/**
 * A pre-release nvml.h (DCGM's SDK copy) gave nvmlProcessInfo_t a fifth field,
 * 32 bytes in all. Released headers never did, but room for 32-byte entries
 * means a driver built that way could not write past our buffer.
 */
const PROCESS_INFO_ALLOC_STRIDE = 32;

/** Every NVML function bpftop calls. nvmlReturn_t is an int; nvmlDevice_t is a pointer. */
const SYMBOLS = {
  nvmlInit_v2: { args: [], returns: "i32" },
  nvmlShutdown: { args: [], returns: "i32" },
  nvmlDeviceGetCount_v2: { args: ["ptr"], returns: "i32" },
  nvmlDeviceGetHandleByIndex_v2: { args: ["u32", "ptr"], returns: "i32" },
  nvmlDeviceGetName: { args: ["ptr", "ptr", "u32"], returns: "i32" },
  nvmlDeviceGetUtilizationRates: { args: ["ptr", "ptr"], returns: "i32" },
  nvmlDeviceGetMemoryInfo: { args: ["ptr", "ptr"], returns: "i32" },
  nvmlDeviceGetTemperature: { args: ["ptr", "u32", "ptr"], returns: "i32" },
  nvmlDeviceGetComputeRunningProcesses_v3: { args: ["ptr", "ptr", "ptr"], returns: "i32" },
  nvmlDeviceGetGraphicsRunningProcesses_v3: { args: ["ptr", "ptr", "ptr"], returns: "i32" },
  // (device, samples, *count, unsigned long long lastSeenTimeStamp)
  nvmlDeviceGetProcessUtilization: { args: ["ptr", "ptr", "ptr", "u64"], returns: "i32" },
} as const satisfies Record<string, FFIFunction>;

/**
 * Symbols a working driver may lack: the _v3 process calls arrived with R510,
 * and nvmlDeviceGetTemperature is deprecated since NVML 13. Bun's dlopen
 * throws on a missing symbol, so each is looked up with a dlopen of its own
 * and a missing one only blanks what it reports.
 */
const OPTIONAL = {
  nvmlDeviceGetTemperature: "no temperature",
  nvmlDeviceGetComputeRunningProcesses_v3: "no per-process memory of compute processes",
  nvmlDeviceGetGraphicsRunningProcesses_v3: "no per-process memory of graphics processes",
  nvmlDeviceGetProcessUtilization: "no per-process utilisation",
} as const satisfies Partial<Record<keyof typeof SYMBOLS, string>>;

type FfiSymbols = Record<string, FFIFunction>;
type Opened = { collector: GpuCollector; reason?: undefined };
type OptionalName = keyof typeof OPTIONAL;
type AllSymbols = Library<typeof SYMBOLS>["symbols"];
type Nvml = Omit<AllSymbols, OptionalName> & Partial<Pick<AllSymbols, OptionalName>>;

interface Device {
  index: number;
  /** nvmlDevice_t, an opaque pointer. */
  handle: Pointer;
  name: string;
  /** timeStamp of the newest utilisation sample read, µs; 0 asks for all the driver holds. */
  lastSeenUs: number;
}

/** Names of the nvmlReturn_t codes worth telling a user about, with a hint where one helps. */
const ERRORS: Record<number, string> = {
  1: "NVML not initialised",
  2: "invalid argument",
  3: "not supported",
  4: "no permission",
  9: "driver not loaded (is the nvidia kernel module loaded?)",
  12: "library not found",
  15: "GPU is lost",
  17: "GPU access blocked by the operating system or cgroups",
  18: "driver/library version mismatch (reboot or reload the nvidia module after a driver update)",
  28: "no GPUs found",
  999: "unknown error",
};

function nvmlError(fn: string, rc: number): string {
  return `${fn}: ${ERRORS[rc] ?? "error"} (${rc})`;
}

/** dlopen the required symbols in one go (throws if one is missing), then each optional one alone. */
function loadSymbols(path: string): { nvml: Nvml; libraries: Library<FfiSymbols>[]; missing: OptionalName[] } {
  const required = Object.fromEntries(Object.entries(SYMBOLS).filter(([name]) => !(name in OPTIONAL)));
  const main = dlopen(path, required);
  const libraries: Library<FfiSymbols>[] = [main];
  const nvml: Record<string, unknown> = { ...main.symbols };
  const missing: OptionalName[] = [];
  for (const name of Object.keys(OPTIONAL) as OptionalName[]) {
    try {
      const lib = dlopen(path, { [name]: SYMBOLS[name] });
      libraries.push(lib);
      nvml[name] = lib.symbols[name];
    } catch {
      missing.push(name);
    }
  }
  return { nvml: nvml as Nvml, libraries, missing };
}

/** The first safe libnvidia-ml.so.1 in the system library directories. */
function findLibrary(): { path: string } | { problem: string } {
  const dirs = [
    ...systemLibraryDirs(),
    "/usr/local/nvidia/lib64", // NVIDIA's container images
    "/usr/lib/wsl/lib", // WSL 2
    "/run/opengl-driver/lib", // NixOS
  ];
  const problems: string[] = [];
  for (const dir of new Set(dirs)) {
    const found = checkTrustedFile(`${dir}/libnvidia-ml.so.1`);
    if ("path" in found) return found;
    if (!found.problem.endsWith(": missing")) problems.push(found.problem);
  }
  return { problem: `libnvidia-ml.so.1 not found${problems.length ? ` (${problems.join("; ")})` : ""}` };
}

/** A caller-sized array of C structs for NVML to fill, reused across refreshes. */
class StructBuffer {
  capacity = 16;
  bytes: Uint8Array;
  view: DataView;

  /** allocStride ≥ stride leaves room for a driver with a wider struct; entries are read at stride. */
  constructor(
    stride: number,
    private readonly allocStride = stride,
  ) {
    this.bytes = new Uint8Array(this.capacity * allocStride);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Make room for at least `needed` entries (NVML's answer, or double when it gave none); false at the cap. */
  grow(needed: number): boolean {
    if (this.capacity >= MAX_ENTRIES) return false;
    this.capacity = Math.min(MAX_ENTRIES, Math.max(needed, this.capacity * 2));
    this.bytes = new Uint8Array(this.capacity * this.allocStride);
    this.view = new DataView(this.bytes.buffer);
    return true;
  }
}

function usage(byPid: Map<number, GpuProcessUsage>, pid: number): GpuProcessUsage {
  let u = byPid.get(pid);
  if (!u) byPid.set(pid, (u = { memoryBytes: 0, utilPercent: 0 }));
  return u;
}

function clampPercent(n: number): number {
  return Math.min(100, Math.max(0, n));
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** The name up to its NUL, or the whole buffer if the driver wrote none; control characters replaced. */
function decodeName(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return sanitizeText(utf8.decode(bytes.subarray(0, nul < 0 ? bytes.length : nul))).trim();
}
