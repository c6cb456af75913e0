/**
 * launcher/bpftop-launcher.c without capabilities: built to exec /usr/bin/env
 * instead of bpftop, it shows exactly what bpftop would get (environment,
 * working directory, argv). Needs only a C compiler. The capability part is
 * covered by install.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "bpftop-launcher-"));
const hasCc = Bun.spawnSync(["sh", "-c", "command -v cc"]).exitCode === 0;
if (!hasCc) console.warn("launcher tests skipped: needs cc");

/** Compile the launcher as scripts/install.sh does, for another target program. */
function build(name: string, binary: string, assetRoot = "/usr", library = "bin/env"): string {
  const out = join(work, name);
  const r = Bun.spawnSync([
    "cc", "-O2", "-Wall", "-Wextra", "-Werror", "-D_FORTIFY_SOURCE=2", "-fstack-protector-strong", "-pie", "-fPIE",
    `-DBPFTOP_BINARY="${binary}"`, `-DBPFTOP_ASSET_ROOT="${assetRoot}"`, `-DOPENTUI_LIBRARY="${library}"`,
    "-o", out, `${root}launcher/bpftop-launcher.c`,
  ], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return out;
}

function run(argv: string[], env: Record<string, string>) {
  const r = Bun.spawnSync(argv, { env, cwd: work, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

(hasCc ? describe : describe.skip)("the launcher", () => {
  let envLauncher = "";
  beforeAll(() => {
    envLauncher = build("env-launcher", "/usr/bin/env");
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test("passes only the allow-list, a fixed PATH and its own OTUI_ASSET_ROOT", () => {
    const r = run([envLauncher], {
      TERM: "xterm-256color", COLORTERM: "truecolor", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", LC_TIME: "C",
      NO_COLOR: "1", HOME: "/home/alice", USER: "alice", LOGNAME: "alice",
      PATH: "/home/alice/bin:/usr/bin",
      BUN_BE_BUN: "1", BUN_OPTIONS: "--preload /tmp/x.js", BUN_INSPECT: "127.0.0.1:9339", BUN_TMPDIR: "/tmp/x",
      OTUI_ASSET_ROOT: "/tmp/evil", OPENTUI_LIBC: "musl", NODE_OPTIONS: "--require /tmp/x.js",
      LD_PRELOAD: "/tmp/x.so", TMPDIR: "/tmp/x", BPFTOP_DEBUG: "1", TERMINFO: "/tmp/x",
    });
    expect(r.code).toBe(0);
    expect(r.out.trim().split("\n").sort()).toEqual([
      "COLORTERM=truecolor", "HOME=/home/alice", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "LC_TIME=C", "LOGNAME=alice",
      "NO_COLOR=1", "OTUI_ASSET_ROOT=/usr", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "TERM=xterm-256color", "USER=alice",
    ]);
  });

  test("drops allowed variables whose values carry control characters", () => {
    const r = run([envLauncher], { TERM: "xterm\x1b]0;owned\x07", LANG: "C\nLD_PRELOAD=/tmp/x.so", USER: "alice" });
    expect(r.out.trim().split("\n").sort()).toEqual(["OTUI_ASSET_ROOT=/usr", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "USER=alice"]);
  });

  test("runs the program from / and passes argv through unchanged", () => {
    // argv[0] stays the launcher's; env runs the rest as a command.
    expect(run([envLauncher, "pwd"], {}).out).toBe("/\n");
    expect(run([envLauncher, "printf", "%s|", "a b", "", "--json"], {}).out).toBe("a b||--json|");
  });

  test("refuses a program that is not root-owned or is writable by others", () => {
    const writable = join(work, "writable-env");
    copyFileSync("/usr/bin/env", writable);
    chmodSync(writable, 0o775);
    chmodSync(work, 0o755);
    const r = run([build("writable-launcher", writable)], {});
    expect(r.code).toBe(126);
    expect(r.err).toBe(`bpftop-launcher: ${writable} must be a regular file owned by root and writable only by root\n`);
    // The OpenTUI library it points bpftop at gets the same check.
    const lib = run([build("lib-launcher", "/usr/bin/env", work, "writable-env")], {});
    expect(lib.code).toBe(126);
    expect(lib.err).toContain(`${writable} must be a regular file owned by root`);
    const missing = run([build("missing-launcher", "/nonexistent/bpftop")], {});
    expect(missing.code).toBe(126);
    expect(missing.err).toBe("bpftop-launcher: /nonexistent/bpftop: No such file or directory\n");
  });
});
