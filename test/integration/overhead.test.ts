/**
 * The self-overhead readout against the real kernel: BPF run statistics per
 * program, the record arrays' fill, the event ring's backlog, and a clear
 * reason when the statistics cannot be switched on.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { EventRecordLayout } from "../../src/bpf/records.ts";
import { RunStats } from "../../src/bpf/stats.ts";
import { Monitor } from "../../src/store/monitor.ts";
import { describeBpf } from "../helpers/privileges.ts";

describeBpf("self-overhead", () => {
  test("each refresh runs dump_task once per task; the array holds them all; 50 execs fill the event ring", async () => {
    const monitor = await Monitor.open({ net: true });
    try {
      expect(monitor.refresh().overhead).toBeUndefined(); // off until asked for
      monitor.setShowOverhead(true);
      monitor.refresh();
      await Bun.sleep(200);
      // Synchronous spawns: the ring's 100 ms drain timer cannot run in between, so the records wait in the ring.
      for (let i = 0; i < 50; i++) Bun.spawnSync(["/bin/true"]);
      const s = monitor.refresh();
      const o = s.overhead!;
      const tasks = s.system.tasks.userThreads + s.system.tasks.kernelThreads;
      const dumpTask = o.programs.find((p) => p.name === "dump_task")!;
      // One run per task, plus the end-of-walk call; tasks come and go, so within a few.
      expect(dumpTask.runs).toBeGreaterThan(tasks - 10);
      expect(dumpTask.runs).toBeLessThan(tasks + 10);
      expect(dumpTask.avgNs).toBeGreaterThan(0);
      expect(dumpTask.cpuPercent).toBeGreaterThan(0);
      const exec = o.programs.find((p) => p.name === "handle_exec")!;
      expect(exec.runs).toBeGreaterThanOrEqual(50);
      expect(o.programs.map((p) => p.name)).toContain("dump_tcp");

      const byName = new Map(o.buffers.map((b) => [b.name, b]));
      expect(byName.get("task records")!.used).toBe(tasks);
      expect(byName.get("task records")!.capacity).toBeGreaterThanOrEqual(8192);
      const ring = byName.get("event ring")!;
      expect(ring.capacity).toBe(8 << 20);
      expect(ring.lost).toBe(0);
      // 50 exec and 50 exit records, each with the ring's 8-byte header, at least.
      expect(ring.used).toBeGreaterThanOrEqual(100 * (EventRecordLayout.size + 8));
      expect(ring.used).toBeLessThan(ring.capacity);
      expect(byName.get("close ring")!.capacity).toBeGreaterThan(0);
      expect(o.cpuPercent).toBeGreaterThan(0);
      expect(o.rssBytes).toBeGreaterThan(10 << 20);

      // The ring was drained: the next period's peak is what arrived since.
      await Bun.sleep(150);
      expect(monitor.refresh().overhead!.buffers.find((b) => b.name === "event ring")!.used).toBeLessThan(ring.used);
      monitor.setShowOverhead(false);
      expect(monitor.refresh().overhead).toBeUndefined();
    } finally {
      monitor.close();
    }
  });

  test("without the sysctl and without CAP_SYS_ADMIN, the reason names both ways to switch statistics on", () => {
    const denied = { bpf_enable_stats: () => -1, bpf_obj_get_info_by_fd: () => 0 } as never;
    const off = `${process.env.TMPDIR ?? "/tmp"}/bpftop-stats-off`;
    Bun.write(off, "0\n");
    expect(RunStats.enable(denied, off)).toBe("BPF run times need CAP_SYS_ADMIN to switch on (or, as root: sysctl kernel.bpf_stats_enabled=1)");
    expect(RunStats.enable({ bpf_enable_stats: () => -22 } as never, off)).toBe("BPF run times need Linux 5.8 or newer (BPF_ENABLE_STATS)");
    // With the sysctl on, nothing needs switching on.
    const on = `${off}-on`;
    Bun.write(on, "1\n");
    expect(RunStats.enable(denied, on)).toBeInstanceOf(RunStats);
    expect(readFileSync(on, "latin1")).toBe("1\n");
  });
});
