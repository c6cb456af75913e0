/**
 * `bpftop doctor`: what works on this machine and how to fix what does not.
 * Each check is one line: ok / missing, what was found, and the fix.
 */
import { existsSync, readFileSync } from "node:fs";
import pc from "picocolors";
import { openBpftop } from "../bpf/bpftop.ts";
import { hasCapability } from "../bpf/capabilities.ts";
import { libbpf } from "../bpf/libbpf.ts";
import { findCgroup2Mount } from "../collect/mounts.ts";
import { GpuCollector } from "../collect/gpu.ts";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** bpftop cannot run at all without it. */
  essential: boolean;
}

const MIN_KERNEL: [number, number] = [5, 15];

export async function runDoctor(): Promise<number> {
  const checks: Check[] = [];
  const release = readFileSync("/proc/sys/kernel/osrelease", "latin1").trim();
  const [major = 0, minor = 0] = release.split(/[.-]/).map(Number);
  const kernelOk = major > MIN_KERNEL[0] || (major === MIN_KERNEL[0] && minor >= MIN_KERNEL[1]);
  checks.push({ name: "kernel", ok: kernelOk, detail: release, fix: "bpftop needs Linux 5.15 or newer", essential: true });

  const btf = existsSync("/sys/kernel/btf/vmlinux");
  checks.push({ name: "BTF", ok: btf, detail: btf ? "/sys/kernel/btf/vmlinux" : "not found", fix: "use a kernel built with CONFIG_DEBUG_INFO_BTF=y", essential: true });

  const capFix = "run with sudo, or install with scripts/install.sh and join the bpftop group";
  const sysAdmin = hasCapability("CAP_SYS_ADMIN");
  checks.push({ name: "CAP_BPF", ok: sysAdmin || hasCapability("CAP_BPF"), detail: "load BPF programs and maps", fix: capFix, essential: true });
  checks.push({ name: "CAP_PERFMON", ok: sysAdmin || hasCapability("CAP_PERFMON"), detail: "attach tracing programs, read kernel memory", fix: capFix, essential: true });
  checks.push({ name: "CAP_KILL", ok: hasCapability("CAP_KILL"), detail: "send signals to other users' processes (k in the table)", fix: capFix, essential: false });

  try {
    const { location, version } = await libbpf();
    checks.push({ name: "libbpf", ok: true, detail: `${version}, ${location.origin}`, essential: true });
  } catch (e) {
    checks.push({ name: "libbpf", ok: false, detail: (e as Error).message, fix: "use the compiled bpftop (it carries libbpf) or apt-get install libbpf1", essential: true });
  }

  const nvml = GpuCollector.probeNvml();
  checks.push({ name: "NVIDIA GPU", ok: nvml.ok, detail: nvml.detail, fix: "GPU columns need an NVIDIA driver (libnvidia-ml.so.1); everything else works without", essential: false });

  const cg = findCgroup2Mount();
  checks.push({ name: "cgroup v2", ok: !!cg, detail: cg ? `${cg} (freeze/thaw available)` : "no cgroup2 mount in /proc/self/mountinfo", fix: "mount cgroup2 (needed for freeze/thaw and unit names)", essential: false });

  if (checks.every((c) => c.ok || !c.essential)) {
    try {
      const bpf = await openBpftop({ tasks: { expectedTasks: 1024 }, events: { fork: true, ringBytes: 1 << 20 }, net: { expectedSockets: 1024, socketIo: true } });
      checks.push({ name: "BPF programs", ok: true, detail: `${bpf.obj.programNames().join(", ")} loaded and attached`, essential: true });
      checks.push({
        name: "events",
        ok: !bpf.eventsUnavailable,
        detail: bpf.eventsUnavailable ?? "exec/exit/fork tracepoints (tp_btf) attached",
        fix: "needs tp_btf tracepoints (Linux 5.15+ with BTF); the process table works without them",
        essential: false,
      });
      checks.push({
        name: "socket I/O",
        ok: !bpf.socketIoUnavailable,
        detail: bpf.socketIoUnavailable ?? "sock_send_length/sock_recv_length attached: exact per-connection bytes and owners",
        fix: "needs Linux 6.3+; the network view falls back to TCP's own counters",
        essential: false,
      });
      const stats = bpf.enableRunStats();
      checks.push({
        name: "BPF run times",
        ok: typeof stats !== "string",
        detail: typeof stats === "string" ? stats : "kernel statistics can be switched on (the b readout shows each program's run time)",
        fix: "only the self-overhead readout's BPF line needs it; everything else works without",
        essential: false,
      });
      if (typeof stats !== "string") stats.close();
      bpf.close();
    } catch (e) {
      checks.push({ name: "BPF programs", ok: false, detail: (e as Error).message, fix: "see the message; run with BPFTOP_DEBUG=1 for libbpf's log", essential: true });
    }
  } else {
    checks.push({ name: "BPF programs", ok: false, detail: "not tried: an essential check above failed", essential: true });
  }

  const c = pc.createColors(!!process.stdout.isTTY && !process.env.NO_COLOR);
  for (const ch of checks) {
    const mark = ch.ok ? c.green("ok     ") : ch.essential ? c.red("missing") : c.yellow("missing");
    process.stdout.write(`${mark}  ${ch.name.padEnd(13)} ${ch.detail}\n`);
    if (!ch.ok && ch.fix) process.stdout.write(`${" ".repeat(9)}${" ".repeat(14)}${c.dim(`fix: ${ch.fix}`)}\n`);
  }
  const failed = checks.filter((ch) => !ch.ok && ch.essential).length;
  process.stdout.write(failed ? c.red(`${failed} essential check(s) failed\n`) : c.green("bpftop can run here\n"));
  return failed ? 1 : 0;
}
