/** Per-CPU utilisation from two /proc/stat samples: pure functions, unit-tested. */
import type { CpuTimes } from "../collect/system.ts";
import type { CpuUsage } from "./types.ts";

/** Utilisation of one CPU between two cumulative samples, in percent of that CPU. */
export function cpuUsage(prev: CpuTimes | undefined, cur: CpuTimes): CpuUsage {
  const d = (k: keyof Omit<CpuTimes, "name">) => Math.max(0, cur[k] - (prev?.[k] ?? 0));
  const user = d("user"), nice = d("nice"), system = d("system"), idle = d("idle"), iowait = d("iowait");
  const irq = d("irq") + d("softirq"), steal = d("steal");
  const total = user + nice + system + idle + iowait + irq + steal;
  if (total <= 0) return { name: cur.name, user: 0, nice: 0, system: 0, irq: 0, iowait: 0, steal: 0, busy: 0 };
  const pct = (v: number) => (v / total) * 100;
  return {
    name: cur.name,
    user: pct(user),
    nice: pct(nice),
    system: pct(system),
    irq: pct(irq),
    iowait: pct(iowait),
    steal: pct(steal),
    busy: pct(user + nice + system + irq + steal),
  };
}
