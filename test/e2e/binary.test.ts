/**
 * The compiled dist/bpftop as a user runs it: in a real terminal (tmux), on a
 * machine without libbpf, and from a directory with planted config files.
 */
import { afterEach, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeBpf } from "../helpers/privileges.ts";

const root = new URL("../..", import.meta.url).pathname;
const binary = `${root}dist/bpftop`;
const session = `bpftop-e2e-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), "bpftop-e2e-"));

function sh(cmd: string[]): string {
  const r = Bun.spawnSync(cmd, { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

const tmux = (...args: string[]) => sh(["tmux", ...args]);
const screen = () => tmux("capture-pane", "-p", "-t", session);

async function until(what: string, cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    await Bun.sleep(50);
  }
}

/** Run bpftop in a fresh tmux pane; after it exits the pane records its status and the tty mode. */
async function startInTmux(args: string) {
  const done = join(work, "done");
  Bun.spawnSync(["rm", "-f", done]);
  tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40",
    `${binary} ${args}; echo "status=$?" > ${done}.tmp; stty -a >> ${done}.tmp; mv ${done}.tmp ${done}; sleep 60`);
  await until("the process table", () => /PID USER/.test(screen()) && /Load average/.test(screen()));
  return {
    pid: Number(sh(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"]).trim()),
    async exited() {
      await until("bpftop to exit", () => existsSync(done));
      return readFileSync(done, "latin1");
    },
  };
}

beforeAll(() => {
  if (!existsSync(binary)) sh([`${root}scripts/build.sh`]);
});

afterEach(() => {
  Bun.spawnSync(["tmux", "kill-session", "-t", session], { stderr: "ignore" });
});

describeBpf("dist/bpftop in a terminal", () => {
  test("shows the live table and quits cleanly on q, restoring the terminal", async () => {
    const run = await startInTmux("-d 200");
    // After the second refresh bpftop itself has CPU time and sorts near the top.
    await until("bpftop's own row", () => screen().includes(`${binary} -d 200`));
    const s = screen();
    expect(s).toMatch(/Mem\[/);
    expect(s).toMatch(/Tasks: \d+, \d+ thr, \d+ kthr/);
    expect(s).toMatch(/PID USER\s+PRI\s+NI\s+VIRT\s+RES S\s+CPU%/);
    tmux("send-keys", "-t", session, "q");
    const after = await run.exited();
    expect(after).toContain("status=0");
    expect(after).toMatch(/ icanon /);
    expect(after).toMatch(/ echo /);
  });

  test("SIGTERM restores the terminal too", async () => {
    const run = await startInTmux("");
    const bpftopPid = sh(["pgrep", "-P", String(run.pid), "-f", binary]).trim().split("\n")[0]!;
    process.kill(Number(bpftopPid), "SIGTERM");
    const after = await run.exited();
    expect(after).toMatch(/ icanon /);
    expect(after).toMatch(/ echo /);
  });

  test("runs where libbpf and libelf are not installed (it carries its own)", () => {
    const lib = "/usr/lib/x86_64-linux-gnu";
    const r = Bun.spawnSync(["unshare", "-m", "sh", "-c",
      `mount --bind /dev/null ${lib}/libbpf.so.1 && mount --bind /dev/null ${lib}/libelf.so.1 && ${binary} snapshot --json --interval 20`]);
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout.toString());
    expect(doc.processes.length).toBeGreaterThan(10);
  });
});

test("a bunfig.toml or .env in the working directory is not loaded", () => {
  const dir = mkdtempSync(join(tmpdir(), "bpftop-planted-"));
  const marker = join(dir, "pwned");
  writeFileSync(join(dir, "evil.js"), `require("fs").writeFileSync(${JSON.stringify(marker)}, "x")`);
  writeFileSync(join(dir, "bunfig.toml"), `preload = ["./evil.js"]\n`);
  writeFileSync(join(dir, ".env"), `BUN_OPTIONS=--preload ./evil.js\n`);
  const r = Bun.spawnSync([binary, "--version"], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
  expect(r.stdout.toString()).toBe("bpftop 0.1.0\n");
  expect(existsSync(marker)).toBe(false);
});
