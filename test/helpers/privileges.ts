/**
 * Integration tests load real BPF programs. Where the process cannot (no
 * CAP_BPF/CAP_PERFMON), they are skipped with the reason, never passed.
 */
import { describe } from "bun:test";
import { missingBpfCapabilities } from "../../src/bpf/capabilities.ts";

const missing = missingBpfCapabilities();
export const canLoadBpf = missing.length === 0;
export const skipReason = canLoadBpf ? "" : `needs ${missing.join(" and ")} (run as root)`;
if (!canLoadBpf) console.warn(`integration tests skipped: ${skipReason}`);

/** describe() that is skipped (and says why) without BPF privileges. */
export const describeBpf = canLoadBpf ? describe : describe.skip;
