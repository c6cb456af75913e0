/**
 * Where libbpf comes from. The compiled binary carries libz, libelf and libbpf
 * (scripts/build.sh embeds them) and loads them from memfds, dependencies
 * first, so it runs where the libbpf1 package is not installed; glibc then
 * satisfies libbpf's DT_NEEDED entries with the already-loaded copies by
 * SONAME. Run from source, the system libbpf is used, by absolute path only.
 */
import { dlopen } from "bun:ffi";
import { dirname } from "node:path";
import { loadedLibcPath, memfdWithBytes } from "./libc.ts";
import { checkTrustedFile } from "./trusted-file.ts";

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
    const found = checkTrustedFile(path);
    if ("path" in found) {
      loaded = { path: found.path, origin: `system library ${found.path}` };
      return loaded;
    }
    problems.push(found.problem);
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

/** The system's library directories: the loaded libc's and its /usr twin first. */
export function systemLibraryDirs(): string[] {
  const libcDir = dirname(loadedLibcPath());
  return [...new Set([libcDir, libcDir.replace(/^\/lib\//, "/usr/lib/"), "/usr/lib64", "/usr/lib", "/lib64"])];
}

function systemCandidates(): string[] {
  return systemLibraryDirs().map((d) => `${d}/libbpf.so.1`);
}
