/** Compile a small C fixture with the system compiler into a temporary directory. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "bpftop-test-"));

export function compileC(source: string, name: string, flags: string[] = []): string {
  const out = join(dir, name);
  const r = Bun.spawnSync(["cc", "-O1", "-Wall", "-o", out, source, ...flags], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`cc ${source}: ${r.stderr.toString()}`);
  return out;
}
