/** `bpftop bench`, and the property it exists to show: a refresh's system calls do not grow with the process count. */
import { expect, test } from "bun:test";
import { describeBpf } from "../helpers/privileges.ts";

const root = new URL("../..", import.meta.url).pathname;

interface BenchJson {
  tasks: number;
  syscalls_per_refresh: { min: number; median: number };
  phases_ms: Record<string, { median: number }>;
  bpf_programs: { name: string; runs_per_refresh: number; ms_per_refresh: number }[];
}

function bench(): BenchJson {
  const r = Bun.spawnSync([process.execPath, `${root}src/cli.ts`, "bench", "-n", "20", "--json"], { stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  return JSON.parse(r.stdout.toString());
}

describeBpf("bench", () => {
  test("per-phase timings, and the same syscalls per refresh with 2,000 more processes", async () => {
    const quiet = bench();
    for (const p of ["taskWalk", "taskDecode", "system", "events", "netWalk", "netDecode", "store", "view", "total"]) expect(quiet.phases_ms[p]!.median).toBeGreaterThanOrEqual(0);
    expect(quiet.syscalls_per_refresh.min).toBeGreaterThan(0);
    // The kernel's statistics: the task walk runs its program once per task (and once at the end).
    const dumpTask = quiet.bpf_programs.find((p) => p.name === "dump_task")!;
    expect(Math.abs(dumpTask.runs_per_refresh - quiet.tasks)).toBeLessThanOrEqual(10);
    expect(dumpTask.ms_per_refresh).toBeGreaterThan(0);

    const parent = Bun.spawn(["sh", "-c", 'i=0; while [ $i -lt 2000 ]; do sleep 600 & i=$((i+1)); done; echo up; wait'], { stdout: "pipe", stderr: "ignore" });
    try {
      await parent.stdout.getReader().read();
      const busy = bench();
      // (Other processes may come and go meanwhile: the 2,000 sleepers are what must show.)
      expect(busy.tasks).toBeGreaterThan(quiet.tasks + 1900);
      // The task walk lands in an mmapped array: the same few calls for 2,000 more tasks.
      expect(busy.syscalls_per_refresh.min).toBeLessThanOrEqual(quiet.syscalls_per_refresh.min + 2);
    } finally {
      Bun.spawnSync(["pkill", "-KILL", "-P", String(parent.pid)]);
      parent.kill("SIGKILL");
    }
  }, 60_000);
});
