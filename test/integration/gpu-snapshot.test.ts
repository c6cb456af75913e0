/**
 * The fake NVML, found where a driver's library would be, reports two
 * processes with known GPU memory: `bpftop snapshot --json` shows them.
 * bpftop has no way to point it at another library (it runs with root's
 * capabilities), so the fake goes into /usr/local/nvidia/lib64 inside a
 * private mount namespace.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { describeBpf } from "../helpers/privileges.ts";

const root = new URL("../..", import.meta.url).pathname;
const GiB = 1024 ** 3;
const sleepers = [Bun.spawn(["sleep", "120"]), Bun.spawn(["sleep", "120"])];
afterAll(() => sleepers.forEach((s) => s.kill("SIGKILL")));

describeBpf("GPU columns from NVML", () => {
  test("snapshot --json: the GPUs and each process's GPU memory and utilisation", () => {
    const dir = mkdtempSync("/tmp/bpftop-nvml-");
    const lib = join(dir, "libnvidia-ml.so.1");
    const cc = Bun.spawnSync(["cc", "-shared", "-fPIC", "-O1", "-o", lib, `${root}test/fixtures/fake-nvml.c`], { stderr: "pipe" });
    expect(cc.stderr.toString()).toBe("");
    const [a, b] = sleepers.map((s) => s.pid);
    const script = [
      "mount -t tmpfs -o mode=0755 tmpfs /usr/local",
      "mkdir -p -m 0755 /usr/local/nvidia/lib64",
      `cp ${lib} /usr/local/nvidia/lib64/libnvidia-ml.so.1`,
      `exec ${process.execPath} ${root}src/cli.ts snapshot --json --interval 50`,
    ].join(" && ");
    const r = Bun.spawnSync(["unshare", "-m", "sh", "-c", script], {
      env: { ...process.env, FAKE_NVML_PIDS: `${a}:${6 * GiB},${b}:${1 * GiB}` },
      stderr: "pipe",
    });
    expect(r.stderr.toString()).toBe("");
    const doc = JSON.parse(r.stdout.toString());
    expect(doc.system.gpus.map((g: { name: string }) => g.name)).toEqual(["Fake GPU 0", "Fake GPU 1"]);
    expect(doc.system.gpus[0]).toMatchObject({ util_percent: 37, memory_total_bytes: 80 * GiB, memory_used_bytes: 10 * GiB, temperature_c: 61 });
    const byPid = new Map(doc.processes.map((p: { pid: number }) => [p.pid, p]));
    expect(byPid.get(a)).toMatchObject({ gpu_memory_bytes: 6 * GiB, gpu_percent: 30 });
    expect(byPid.get(b)).toMatchObject({ gpu_memory_bytes: 1 * GiB, gpu_percent: 7 });
    expect(byPid.get(process.pid)).toMatchObject({ gpu_memory_bytes: 0, gpu_percent: 0 });
  });
});
