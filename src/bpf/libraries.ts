/**
 * Where libbpf comes from. The compiled binary carries libz, libelf and libbpf
 * (scripts/build.sh embeds them) and loads them from memfds, dependencies
 * first, so it runs where the libbpf1 package is not installed; glibc then
 * satisfies libbpf's DT_NEEDED entries with the already-loaded copies by
 * SONAME. Run from source, the system libbpf is used, by absolute path only.
 */
import { dlopen } from "bun:ffi";
import { statSync } from "node:fs";
import { dirname } from "node:path";
import { loadedLibcPath, memfdWithBytes } from "./libc.ts";

/** Load order matters: each library's dependencies come before it. */
export const EMBEDDED_LIBRARIES = ["libz.so.1", "libelf.so.1", "libbpf.so.1"] as const;

/** Bun's dlopen wants at least one symbol: one harmless function per dependency. */
const PROBE_SYMBOL = {
  "libz.so.1": { zlibVersion: { args: [], returns: "cstring" } },
  "libelf.so.1": { elf_errno: { args: [], returns: "i32" } },
} as const;

export interface LibbpfLocation {
  /** Absolute path handed to dlopen (a /proc/self/fd path for embedded copies). */
  path: string;
  /** Human description for `bpftop doctor`. */
  origin: string;
}

/** Set at build time for distribution packages (e.g. Nix) that link the system libbpf. */
declare const BPFTOP_LIBBPF_PATH: string | undefined;

let loaded: LibbpfLocation | undefined;

/** Find (and for embedded copies, pre-load the dependencies of) libbpf.so.1. */
export async function locateLibbpf(): Promise<LibbpfLocation> {
  if (loaded) return loaded;
  const embedded = await embeddedLibraries();
  if (embedded) {
    loaded = loadFromMemory(embedded);
    return loaded;
  }
  const pinned = typeof BPFTOP_LIBBPF_PATH === "string" ? BPFTOP_LIBBPF_PATH : undefined;
  const candidates = pinned ? [pinned] : systemCandidates();
  const problems: string[] = [];
  for (const path of candidates) {
    const problem = unsafeLibraryReason(path);
    if (!problem) {
      loaded = { path, origin: `system library ${path}` };
      return loaded;
    }
    problems.push(`${path}: ${problem}`);
  }
  throw new Error(
    `libbpf.so.1 not found (${problems.join("; ")}); install it (apt-get install libbpf1) or use the compiled bpftop, which carries its own`,
  );
}

// --- internal ---

async function embeddedLibraries(): Promise<Map<string, Uint8Array> | undefined> {
  if (!Bun.isStandaloneExecutable) return undefined;
  const found = new Map<string, Uint8Array>();
  for (const blob of Bun.embeddedFiles) {
    const name = (blob as Blob & { name?: string }).name ?? "";
    const lib = EMBEDDED_LIBRARIES.find((l) => name.endsWith(l));
    if (lib) found.set(lib, new Uint8Array(await blob.arrayBuffer()));
  }
  return found.size === EMBEDDED_LIBRARIES.length ? found : undefined;
}

function loadFromMemory(libs: Map<string, Uint8Array>): LibbpfLocation {
  let libbpfPath = "";
  for (const name of EMBEDDED_LIBRARIES) {
    // The fds stay open for the life of the process: glibc matches dlopen()
    // names before files, so a reused /proc/self/fd/N would return the
    // library that first had that number.
    const path = `/proc/self/fd/${memfdWithBytes(name, libs.get(name)!)}`;
    if (name === "libbpf.so.1") libbpfPath = path; // libbpf.ts dlopens it with its symbol table
    else dlopen(path, PROBE_SYMBOL[name]); // the handle is never closed
  }
  return { path: libbpfPath, origin: "embedded in the bpftop binary (libbpf 1.1, libelf, libz)" };
}

function systemCandidates(): string[] {
  const libcDir = dirname(loadedLibcPath());
  const dirs = [libcDir, libcDir.replace(/^\/lib\//, "/usr/lib/"), "/usr/lib64", "/usr/lib", "/lib64"];
  return [...new Set(dirs)].map((d) => `${d}/libbpf.so.1`);
}

/** A library we load with root's capabilities must be root-owned and not writable by others. */
function unsafeLibraryReason(path: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return "missing";
  }
  if (!st.isFile()) return "not a regular file";
  if (st.uid !== 0) return "not owned by root";
  if (st.mode & 0o022) return "writable by group or others";
  return undefined;
}
