/** Parsers of untrusted text: /proc files, /etc/passwd, mountinfo, argv bytes, libbpf logs. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CmdlineCache, decodeCmdline } from "../../src/collect/cmdline.ts";
import { findCgroup2Mount } from "../../src/collect/mounts.ts";
import { parseLoadavg, parseMeminfo, parseStat } from "../../src/collect/system.ts";
import { parsePasswd } from "../../src/collect/users.ts";
import { verifierSummary } from "../../src/bpf/object.ts";

describe("/proc parsers", () => {
  test("stat: total, per CPU, btime, guest time not counted twice", () => {
    const s = parseStat("cpu  100 5 50 1000 7 1 2 3 10 1\ncpu0 60 5 30 500 3 1 1 1 10 1\ncpu1 40 0 20 500 4 0 1 2 0 0\nintr 1 2\nbtime 1700000000\n");
    expect(s.cpuTotal).toMatchObject({ name: "cpu", user: 90, nice: 4, system: 50, idle: 1000, iowait: 7, steal: 3 });
    expect(s.cpus.map((c) => c.name)).toEqual(["cpu0", "cpu1"]);
    expect(s.bootTimeSec).toBe(1700000000);
    expect(() => parseStat("intr 1\n")).toThrow();
  });

  test("meminfo: kB to bytes, htop's cache, missing MemAvailable", () => {
    const m = parseMeminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\nSReclaimable: 50 kB\nShmem: 30 kB\nSwapTotal: 64 kB\nSwapFree: 16 kB\n");
    expect(m).toEqual({ totalBytes: 1024000, freeBytes: 102400, availableBytes: 102400, buffersBytes: 10240, cacheBytes: 225280, swapTotalBytes: 65536, swapFreeBytes: 16384 });
  });

  test("loadavg", () => {
    expect(parseLoadavg("0.52 0.58 0.59 3/1234 98765\n")).toEqual({ load: [0.52, 0.58, 0.59], tasks: 1234 });
  });
});

describe("command lines", () => {
  test("NUL-separated argv, trailing NULs, control and invalid bytes", () => {
    expect(decodeCmdline(new Uint8Array([...Buffer.from("ls\0-l\0/tmp\0")]))).toBe("ls -l /tmp");
    expect(decodeCmdline(new Uint8Array([0x61, 0xc3, 0x28, 0x00, 0x1b, 0x5d, 0x30]))).toBe("a\uFFFD( ?]0");
    expect(decodeCmdline(new Uint8Array([0, 0]))).toBeUndefined();
  });

  test("read once per process, again after reuse or invalidate, capped at 4 KiB", () => {
    const root = mkdtempSync(join(tmpdir(), "bpftop-proc-"));
    mkdirSync(join(root, "42"));
    writeFileSync(join(root, "42", "cmdline"), `python3\0-c\0${"x".repeat(10000)}\0`);
    const cache = new CmdlineCache(root);
    const first = cache.get(42, 1, "py");
    expect(first.startsWith("python3 -c xxx")).toBe(true);
    expect(first.length).toBe(4096);
    cache.get(42, 1, "py");
    expect(cache.reads).toBe(1);
    cache.get(42, 2, "py"); // same pid, new start time
    expect(cache.reads).toBe(2);
    cache.invalidate(42);
    cache.get(42, 2, "py");
    expect(cache.reads).toBe(3);
    expect(cache.get(43, 1, "gone")).toBe("gone"); // unreadable: fall back to comm
  });
});

test("passwd: first entry wins, junk lines ignored", () => {
  const m = parsePasswd("root:x:0:0::/root:/bin/sh\n# comment\nbad\nalice:x:1000:1000::/home/a:/bin/sh\ntoor:x:0:0::/:/bin/sh\nevil\u001b:x:7:7::/:\n");
  expect(m.get(0)).toEqual({ name: "root", home: "/root" });
  expect(m.get(1000)).toEqual({ name: "alice", home: "/home/a" });
  expect(m.get(7)?.name).toBe("evil?");
  expect(m.size).toBe(3);
});

test("cgroup2 mount from mountinfo, with octal escapes; none on a v1-only host", () => {
  const info = "25 1 0:22 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n41 31 0:38 / /sys/fs/cgroup/uni\\040fied rw,relatime - cgroup2 cgroup2 rw\n";
  expect(findCgroup2Mount(info)).toBe("/sys/fs/cgroup/uni fied");
  expect(findCgroup2Mount("25 1 0:22 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n")).toBeUndefined();
});

test("verifier log: the rejected program and the verifier's last words", () => {
  const log = [
    { level: "warn" as const, text: "libbpf: prog 'dump_task': BPF program load failed: Permission denied" },
    { level: "warn" as const, text: "libbpf: prog 'dump_task': -- BEGIN PROG LOAD LOG --\n0: R1=ctx() R10=fp0\n1: (79) r2 = *(u64 *)(r1 +8)\nR2 invalid mem access 'scalar'\nprocessed 2 insns (limit 1000000)\n-- END PROG LOAD LOG --" },
  ];
  expect(verifierSummary(0, log)).toBe("verifier rejected program dump_task: 1: (79) r2 = *(u64 *)(r1 +8) / R2 invalid mem access 'scalar'");
  // With our own kernel log buffer, libbpf only names the program; the log is the buffer's tail.
  const named = [{ level: "warn" as const, text: "libbpf: prog 'tcp_state': failed to load: -13" }];
  const buffer = "0: R1=ctx()\n161: (79) r1 = *(u64 *)(r6 +1824)\naccess beyond struct sock at off 1824 size 8\nprocessed 162 insns\n";
  expect(verifierSummary(0, named, buffer)).toBe("verifier rejected program tcp_state: 161: (79) r1 = *(u64 *)(r6 +1824) / access beyond struct sock at off 1824 size 8");
});
