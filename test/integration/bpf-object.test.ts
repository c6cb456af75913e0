/** The committed CO-RE object must be exactly what its source builds to (scripts/build-bpf.sh). */
import { expect, test } from "bun:test";

const root = new URL("../..", import.meta.url).pathname;

test("bpf/bpftop.bpf.o matches bpf/bpftop.bpf.c", () => {
  const r = Bun.spawnSync([`${root}scripts/build-bpf.sh`, "--check"], { cwd: root, stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  expect(r.exitCode).toBe(0);
});
