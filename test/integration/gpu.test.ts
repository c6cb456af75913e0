/**
 * NVML through a fake libnvidia-ml.so.1 (test/fixtures/fake-nvml.c) built
 * here: the real loading, ownership checks and struct decoding run without a
 * GPU. Needs root, because only a root-owned library may be loaded.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadedLibcPath } from "../../src/bpf/libc.ts";
import { GpuCollector, type GpuSample } from "../../src/collect/gpu.ts";

const source = new URL("../fixtures/fake-nvml.c", import.meta.url).pathname;
const GiB = 1024 ** 3;
const NOBODY = 65534;

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn("GPU tests skipped: the library ownership checks need files owned by root (run as root)");
const describeRoot = isRoot ? describe : describe.skip;

let root: string;
/** A fresh root-owned 0755 directory under the test's temporary root. */
function safeDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755); // mkdir's mode is filtered by the umask
  return dir;
}

/** Compile the fake into dir/libnvidia-ml.so.1. */
function buildFake(dir: string, defines: string[] = []): string {
  const out = join(dir, "libnvidia-ml.so.1");
  const r = Bun.spawnSync(["cc", "-shared", "-fPIC", "-O1", "-Wall", "-Wextra", "-Werror", "-o", out, source, ...defines], {
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`cc ${source}: ${r.stderr.toString()}`);
  chmodSync(out, 0o755);
  return out;
}

describeRoot("GPU collector against a fake NVML", () => {
  const sleepers: Bun.Subprocess[] = [];
  let pids: [number, number];
  let fake: string;

  beforeAll(() => {
    // Under the system temp dir (root's sticky /tmp in CI), then made 0755 like a library directory.
    root = mkdtempSync(join(tmpdir(), "bpftop-gpu-"));
    chmodSync(root, 0o755);
    for (let i = 0; i < 2; i++) sleepers.push(Bun.spawn(["sleep", "600"]));
    pids = [sleepers[0]!.pid, sleepers[1]!.pid];
    // Bun's process.env does not reach C's getenv, so the pids are compiled in.
    fake = buildFake(safeDir("fake"), [`-DFAKE_NVML_PIDS="${pids[0]}:${6 * GiB},${pids[1]}:${1 * GiB}"`]);
  });
  afterAll(() => {
    for (const p of sleepers) p.kill();
    rmSync(root, { recursive: true, force: true });
  });

  test("two GPUs and two processes, the same on every refresh", () => {
    const gpu = GpuCollector.open({ libraryPath: fake });
    expect(gpu).toBeDefined();
    try {
      expect(gpu!.libraryPath).toBe(fake);
      expect(gpu!.degraded).toEqual([]);
      // The first process-list call answers NVML_ERROR_INSUFFICIENT_SIZE: the first sample already has the processes.
      for (let refresh = 0; refresh < 3; refresh++) {
        const sample = gpu!.collect();
        expect(sample.gpus).toEqual([
          { index: 0, name: "Fake GPU 0", utilPercent: 37, memoryUsedBytes: 10 * GiB, memoryTotalBytes: 80 * GiB, temperatureC: 61 },
          { index: 1, name: "Fake GPU 1", utilPercent: 5, memoryUsedBytes: 1 * GiB, memoryTotalBytes: 80 * GiB, temperatureC: 45 },
        ]);
        // Memory: 3/4 on GPU 0 plus 1/4 on GPU 1, the graphics duplicates not counted again.
        // Util: the highest GPU's newest valid sample (the fake rejects a wrong lastSeenTimeStamp).
        expect(byPid(sample)).toEqual({
          [pids[0]]: { memoryBytes: 6 * GiB, utilPercent: 30 },
          [pids[1]]: { memoryBytes: 1 * GiB, utilPercent: 7 },
        });
      }
    } finally {
      gpu?.close();
    }
  });

  test("probeNvml reports the library and the GPUs", () => {
    expect(GpuCollector.probeNvml({ libraryPath: fake })).toEqual({
      ok: true,
      detail: `${fake}: 2 GPU(s) (0: Fake GPU 0, 1: Fake GPU 1)`,
    });
  });

  test("a symlink is followed to the file it names", () => {
    const link = join(safeDir("link"), "libnvidia-ml.so.1");
    symlinkSync(fake, link);
    const gpu = GpuCollector.open({ libraryPath: link });
    expect(gpu?.libraryPath).toBe(fake);
    gpu?.close();
  });

  test("a missing file, a file that is not NVML, or a failing nvmlInit_v2 gives undefined", () => {
    expect(GpuCollector.open({ libraryPath: "/nonexistent" })).toBeUndefined();
    expect(GpuCollector.probeNvml({ libraryPath: "/nonexistent" })).toEqual({ ok: false, detail: "/nonexistent: missing" });

    const junk = join(safeDir("junk"), "libnvidia-ml.so.1");
    writeFileSync(junk, "not an ELF file", { mode: 0o755 });
    expect(GpuCollector.open({ libraryPath: junk })).toBeUndefined();

    // Safe, but without nvmlInit_v2: Bun's dlopen throws, open() must not.
    expect(GpuCollector.open({ libraryPath: loadedLibcPath() })).toBeUndefined();

    const failing = buildFake(safeDir("init-fails"), ["-DFAKE_NVML_INIT_FAIL"]);
    expect(GpuCollector.open({ libraryPath: failing })).toBeUndefined();
    expect(GpuCollector.probeNvml({ libraryPath: failing }).detail).toBe(
      "nvmlInit_v2: driver not loaded (is the nvidia kernel module loaded?) (9)",
    );
  });

  test("a library others could replace is never loaded", () => {
    const refused = (path: string, why: string) => {
      expect(GpuCollector.open({ libraryPath: path })).toBeUndefined();
      expect(GpuCollector.probeNvml({ libraryPath: path })).toEqual({ ok: false, detail: `${path}: ${why}` });
    };
    const worldWritableDir = safeDir("world-writable");
    chmodSync(worldWritableDir, 0o777);
    refused(buildFake(worldWritableDir), `directory ${worldWritableDir} writable by group or others`);

    const stickyDir = safeDir("sticky"); // sticky does not help the library's own directory
    chmodSync(stickyDir, 0o1777);
    refused(buildFake(stickyDir), `directory ${stickyDir} writable by group or others`);

    const foreignFile = join(safeDir("foreign-file"), "libnvidia-ml.so.1");
    copyFileSync(fake, foreignFile);
    chownSync(foreignFile, NOBODY, NOBODY);
    refused(foreignFile, "not owned by root");

    const foreignDir = safeDir("foreign-dir");
    const inForeignDir = buildFake(foreignDir);
    chownSync(foreignDir, NOBODY, NOBODY);
    refused(inForeignDir, `directory ${foreignDir} not owned by root`);

    const writableFile = join(safeDir("writable-file"), "libnvidia-ml.so.1");
    copyFileSync(fake, writableFile);
    chmodSync(writableFile, 0o775);
    refused(writableFile, "writable by group or others");

    // A safe-looking symlink is judged by the file it leads to.
    const link = join(safeDir("link-to-unsafe"), "libnvidia-ml.so.1");
    symlinkSync(join(worldWritableDir, "libnvidia-ml.so.1"), link);
    expect(GpuCollector.open({ libraryPath: link })).toBeUndefined();
  });

  test("a driver without the optional calls still reports its GPUs", () => {
    const gpu = GpuCollector.open({ libraryPath: buildFake(safeDir("old-driver"), ["-DFAKE_NVML_OLD_DRIVER"]) });
    expect(gpu).toBeDefined();
    try {
      expect(gpu!.degraded).toEqual([
        "no temperature: the driver lacks nvmlDeviceGetTemperature",
        "no per-process memory of compute processes: the driver lacks nvmlDeviceGetComputeRunningProcesses_v3",
        "no per-process memory of graphics processes: the driver lacks nvmlDeviceGetGraphicsRunningProcesses_v3",
        "no per-process utilisation: the driver lacks nvmlDeviceGetProcessUtilization",
      ]);
      const sample = gpu!.collect();
      expect(sample.gpus.map((g) => [g.name, g.utilPercent, g.temperatureC])).toEqual([
        ["Fake GPU 0", 37, NaN],
        ["Fake GPU 1", 5, NaN],
      ]);
      expect(sample.byPid.size).toBe(0);
    } finally {
      gpu?.close();
    }
  });

  test("names and percentages from NVML are not trusted", () => {
    const gpu = GpuCollector.open({ libraryPath: buildFake(safeDir("hostile"), ["-DFAKE_NVML_HOSTILE"]) });
    expect(gpu).toBeDefined();
    try {
      const { gpus, byPid } = gpu!.collect();
      expect(gpus.map((g) => g.name)).toEqual(["?[31mEvil? GPU", "A".repeat(96)]);
      expect(gpus.map((g) => g.utilPercent)).toEqual([100, 100]);
      expect(byPid.size).toBe(0); // no FAKE_NVML_PIDS in this build
    } finally {
      gpu?.close();
    }
  });
});

test("open() and probeNvml() on this machine agree and never throw", () => {
  const gpu = GpuCollector.open();
  const probe = GpuCollector.probeNvml();
  expect(probe.ok).toBe(gpu !== undefined);
  if (gpu) gpu.close();
  else expect(probe.detail.length).toBeGreaterThan(0);
});

function byPid(sample: GpuSample): Record<number, unknown> {
  return Object.fromEntries(sample.byPid);
}
