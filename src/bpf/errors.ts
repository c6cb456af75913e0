/**
 * BpfError: a failed libbpf/kernel call, with the function name, errno and a
 * hint for the usual causes (cilium/ebpf style: "context: fn: error (hint)").
 */
import { strerror } from "./libc.ts";

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM", 2: "ENOENT", 7: "E2BIG", 12: "ENOMEM", 13: "EACCES", 16: "EBUSY",
  22: "EINVAL", 24: "EMFILE", 95: "EOPNOTSUPP", 524: "ENOTSUPP",
};

const HINTS: Record<number, string> = {
  1: "needs CAP_BPF and CAP_PERFMON (or root): run with sudo, or install with scripts/install.sh",
  12: "the locked-memory limit or the cgroup's memory limit is too low",
  13: "the BPF verifier rejected a program",
  95: "this kernel does not support it",
  524: "this kernel does not support it",
};

export class BpfError extends Error {
  readonly fn: string;
  readonly errno: number;
  readonly code: string;
  readonly hint: string | undefined;

  constructor(context: string, fn: string, errno: number, detail?: string) {
    const code = ERRNO_NAMES[errno] ?? `errno ${errno}`;
    const hint = detail ?? HINTS[errno];
    super(`${context}: ${fn}: ${strerror(errno)} (${code})${hint ? ` (${hint})` : ""}`);
    this.name = "BpfError";
    this.fn = fn;
    this.errno = errno;
    this.code = code;
    this.hint = hint;
  }
}
