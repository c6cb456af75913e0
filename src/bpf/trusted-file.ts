/**
 * Files bpftop maps into a process that holds root's capabilities (libbpf,
 * libnvidia-ml, OpenTUI's library): accepted only when nobody but root could
 * have written them or could swap them.
 */
import { realpathSync, statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Resolve symlinks and accept the file only when it is a root-owned regular
 * file that group and others cannot write, in directories nobody but root can
 * change. Above the file's own directory a sticky root directory (/tmp,
 * /nix/store) is fine, because only an entry's owner — root — may rename it
 * there. Returns the resolved path, or why the file is refused.
 */
export function checkTrustedFile(path: string): { path: string } | { problem: string } {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return { problem: `${path}: missing` };
  }
  const file = statSync(real);
  if (!file.isFile()) return { problem: `${real}: not a regular file` };
  if (file.uid !== 0) return { problem: `${real}: not owned by root` };
  if (file.mode & 0o022) return { problem: `${real}: writable by group or others` };
  for (let dir = dirname(real), own = true; ; dir = dirname(dir), own = false) {
    const st = statSync(dir);
    if (st.uid !== 0) return { problem: `${real}: directory ${dir} not owned by root` };
    if (st.mode & 0o022 && (own || !(st.mode & 0o1000))) {
      return { problem: `${real}: directory ${dir} writable by group or others` };
    }
    if (dir === "/") return { path: real };
  }
}
