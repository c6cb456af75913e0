import { expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scrubOpenTuiEnvironment, trustedPath } from "../../src/cli/privileges.ts";

test("OpenTUI's variables are removed; OTUI_ASSET_ROOT survives only for a root-owned, unwritable library", () => {
  // A directory bpftop's user could write (mode 0777) is never trusted.
  const untrusted = mkdtempSync("/tmp/bpftop-assets-");
  chmodSync(untrusted, 0o777);
  const env: NodeJS.ProcessEnv = { OTUI_ASSET_ROOT: untrusted, OTUI_STDIN_LOG: "/tmp/x", OPENTUI_LIBC: "musl", TERM: "xterm" };
  scrubOpenTuiEnvironment(env);
  expect(env).toEqual({ TERM: "xterm" });

  if (process.getuid?.() !== 0) return;
  // A root-owned tree; the sticky /tmp above it cannot be used to swap it.
  const root = mkdtempSync("/tmp/bpftop-test-");
  chmodSync(root, 0o755);
  const dir = join(root, `@opentui/core-linux-${process.arch}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, "libopentui.so"), "", { mode: 0o644 });
  expect(trustedPath(join(dir, "libopentui.so"))).toBe(true);
  const kept: NodeJS.ProcessEnv = { OTUI_ASSET_ROOT: root };
  scrubOpenTuiEnvironment(kept);
  expect(kept).toEqual({ OTUI_ASSET_ROOT: root });
  chmodSync(dir, 0o777);
  expect(trustedPath(join(dir, "libopentui.so"))).toBe(false);
  Bun.spawnSync(["rm", "-rf", root]);
});
