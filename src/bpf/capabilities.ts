/**
 * Which capabilities this process holds, from CapEff in /proc/self/status.
 * Checked before loading BPF so a missing capability is one clear sentence,
 * not an EPERM from deep inside libbpf.
 */
import { readFileSync } from "node:fs";

export const CAPABILITIES = {
  CAP_DAC_OVERRIDE: 1,
  CAP_KILL: 5,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_RESOURCE: 24,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
} as const;
export type Capability = keyof typeof CAPABILITIES;

/** The effective capability set, as a bit mask. */
export function effectiveCapabilities(status = readFileSync("/proc/self/status", "latin1")): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

export function hasCapability(cap: Capability, eff = effectiveCapabilities()): boolean {
  return (eff & (1n << BigInt(CAPABILITIES[cap]))) !== 0n;
}

/**
 * Capabilities missing for loading and attaching bpftop's programs:
 * CAP_BPF + CAP_PERFMON (CAP_SYS_ADMIN alone also does, as on pre-5.8 kernels).
 */
export function missingBpfCapabilities(eff = effectiveCapabilities()): Capability[] {
  if (hasCapability("CAP_SYS_ADMIN", eff)) return [];
  return (["CAP_BPF", "CAP_PERFMON"] as const).filter((c) => !hasCapability(c, eff));
}

export function missingCapabilityMessage(missing: Capability[]): string {
  return (
    `missing ${missing.join(" and ")} (needed to load BPF programs): ` +
    `run as root (sudo bpftop), or install with scripts/install.sh, which grants them to members of the bpftop group`
  );
}
