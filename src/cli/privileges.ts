/**
 * Capability hygiene at start-up. The installed launcher (launcher/) hands
 * bpftop its capabilities as *ambient* capabilities, the only kind that
 * survives an execve of a program without file capabilities. Ambient
 * capabilities are also inherited by every program bpftop would start, so
 * they are dropped first thing; the effective and permitted sets, which
 * bpftop itself uses, are unaffected.
 */
import { dlopen } from "bun:ffi";
import { resolve } from "node:path";
import { loadedLibcPath } from "../bpf/libc.ts";
import { checkTrustedFile } from "../bpf/trusted-file.ts";

const PR_CAP_AMBIENT = 47;
const PR_CAP_AMBIENT_CLEAR_ALL = 4;

/**
 * Clear this thread's ambient capability set (a no-op when it is empty, as
 * under sudo). Credentials are per thread on Linux: Workers started later
 * inherit the cleared set, and Bun.spawn/spawnSync start children from the
 * calling JS thread (checked: their CapAmb is 0). Bun's own helper threads
 * that already exist (JIT, allocator) keep theirs; they start no processes.
 */
export function clearAmbientCapabilities(): void {
  // libc by absolute path: Bun retries a bare library name in the current directory.
  const libc = dlopen(loadedLibcPath(), {
    prctl: { args: ["i32", "u64", "u64", "u64", "u64"], returns: "i32" },
  });
  // Fails only on kernels older than 4.3, which have no ambient capabilities to clear.
  libc.symbols.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  libc.close();
}

/**
 * OpenTUI loads its native library from $OTUI_ASSET_ROOT when set, and
 * otherwise has Bun unpack the embedded copy into $TMPDIR as a file owned by
 * whoever runs bpftop — who could rewrite it while bpftop maps it with root's
 * capabilities. The installed launcher points OTUI_ASSET_ROOT at a root-owned
 * copy; keep it only if the library and every directory above it are owned by
 * root and writable by nobody else. Every other OTUI_ or OPENTUI_ variable
 * steers OpenTUI and is removed. Must run before OpenTUI is imported.
 */
export function scrubOpenTuiEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const assetRoot = env.OTUI_ASSET_ROOT;
  for (const k of Object.keys(env)) if (/^(OTUI_|OPENTUI_)/.test(k)) delete env[k];
  if (assetRoot && trustedPath(resolve(assetRoot, `@opentui/core-linux-${process.arch}/libopentui.so`))) env.OTUI_ASSET_ROOT = assetRoot;
}

/** The file may be mapped into bpftop: see checkTrustedFile. */
export function trustedPath(file: string): boolean {
  return "path" in checkTrustedFile(file);
}
