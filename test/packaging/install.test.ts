/**
 * scripts/install.sh and the launcher, for real: install into a temporary
 * prefix, then run bpftop as two unprivileged users, one in the bpftop group
 * and one not, and try every way a caller could steer a Bun-compiled binary
 * into running their own code with its capabilities. Needs root (to install,
 * setcap and create users); skipped with the reason otherwise.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const install = `${root}scripts/install.sh`;

const missingTools = ["setcap", "getcap", "setpriv", "cc", "useradd", "tmux"].filter((t) => Bun.spawnSync(["sh", "-c", `command -v ${t}`]).exitCode !== 0);
const skipReason = process.getuid?.() !== 0 ? "needs root (installs, setcaps and creates users)" : missingTools.length ? `needs ${missingTools.join(", ")}` : "";
if (skipReason) console.warn(`packaging install tests skipped: ${skipReason}`);

const id = `${process.pid}`;
const inGroup = `bpftop-t${id}-in`; // useradd names: at most 32 characters
const outsider = `bpftop-t${id}-out`;
const dir = mkdtempSync("/tmp/bpftop-pkg-");
const prefix = `${dir}/usr`;
const launcher = `${prefix}/bin/bpftop`;
const binary = `${prefix}/lib/bpftop/bpftop`;
const opentui = `${prefix}/lib/bpftop/opentui/@opentui/core-linux-${process.arch}/libopentui.so`;
let groupExisted = true;

function run(cmd: string[], opts: { cwd?: string } = {}) {
  const r = Bun.spawnSync(cmd, { cwd: opts.cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

function must(cmd: string[]) {
  const r = run(cmd);
  if (r.code !== 0) throw new Error(`${cmd.join(" ")} exited ${r.code}: ${r.err}`);
  return r.out;
}

/**
 * argv that runs `argv` as USER with only ENV. setpriv keeps root's
 * capabilities until its own exec, so `env` sits in between: the launcher is
 * then executed, and its permissions checked, as the plain user.
 */
function asUser(user: string, argv: string[], env: Record<string, string> = {}): string[] {
  const vars = Object.entries({ PATH: "/usr/bin:/bin", HOME: "/", TERM: "xterm-256color", LANG: "C.UTF-8", ...env });
  return ["setpriv", `--reuid=${user}`, `--regid=${user}`, "--init-groups", "--inh-caps=-all", "env", "-i", ...vars.map(([k, v]) => `${k}=${v}`), ...argv];
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8);
const owner = (path: string) => must(["stat", "-c", "%U:%G", path]).trim();

async function until(what: string, cond: () => boolean, describeState: () => string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${describeState()}`);
    await Bun.sleep(50);
  }
}

/** Capability sets of a process, from /proc/PID/status. */
function capabilities(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const set = (name: string) => BigInt(`0x${status.match(new RegExp(`^${name}:\\s*([0-9a-f]+)`, "m"))![1]}`);
  return { eff: set("CapEff"), amb: set("CapAmb") };
}
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;
const has = (set: bigint, cap: bigint) => ((set >> cap) & 1n) === 1n;

/** Is anything listening on 127.0.0.1:port (or [::]:port)? */
function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].some((f) =>
    readFileSync(f, "utf8").split("\n").some((l) => l.split(/\s+/)[2]?.endsWith(`:${hex}`) && l.split(/\s+/)[4] === "0A"),
  );
}

/** Files mapped into PID that root does not own (a memfd is not a file anyone else can reach). */
function mappedFilesNotOwnedByRoot(pid: number): string[] {
  const files = new Set(
    readFileSync(`/proc/${pid}/maps`, "utf8")
      .split("\n")
      .map((l) => l.split(/\s+/).slice(5).join(" "))
      .filter((f) => f.startsWith("/") && !f.endsWith("(deleted)")),
  );
  return [...files].filter((f) => statSync(f).uid !== 0);
}

/**
 * A working directory and environment in which each known way of steering a
 * Bun-compiled binary would create MARKER: a preload script (BUN_OPTIONS and
 * a cwd bunfig.toml), a cwd .env, Bun's inspector, BUN_BE_BUN, and an
 * OpenTUI "native library" whose constructor runs on dlopen.
 */
function hostileSetup(name: string) {
  const base = join(dir, name);
  const marker = join(base, "PWNED");
  const evilLib = join(base, `evil/@opentui/core-linux-${process.arch}`);
  mkdirSync(evilLib, { recursive: true });
  const js = `require("fs").writeFileSync(${JSON.stringify(marker)}, "x")`;
  writeFileSync(join(base, "evil.js"), js);
  writeFileSync(join(base, "bunfig.toml"), `preload = ["./evil.js"]\n[run]\npreload = ["./evil.js"]\n`);
  writeFileSync(join(base, ".env"), `OTUI_ASSET_ROOT=${base}/evil\nBUN_OPTIONS=--preload ${base}/evil.js\n`);
  writeFileSync(join(base, "evil.c"), `#include <fcntl.h>\n__attribute__((constructor)) static void pwn(void) { creat(${JSON.stringify(marker)}, 0644); }\n`);
  must(["cc", "-shared", "-fPIC", "-o", join(evilLib, "libopentui.so"), join(base, "evil.c")]);
  must(["chmod", "-R", "a+rX", base]);
  chmodSync(base, 0o777); // the user could write their marker, were their code to run
  const port = 20000 + (process.pid % 20000);
  const env = {
    HOME: base,
    BUN_OPTIONS: `--preload ${base}/evil.js`,
    BUN_INSPECT: `127.0.0.1:${port}`,
    OTUI_ASSET_ROOT: `${base}/evil`,
    NODE_OPTIONS: `--require ${base}/evil.js`,
  };
  return { base, marker, port, env };
}

const describeRoot = skipReason ? describe.skip : describe;

describeRoot("scripts/install.sh and the launcher", () => {
  beforeAll(() => {
    if (!existsSync(`${root}dist/bpftop`)) must([`${root}scripts/build.sh`]);
    chmodSync(dir, 0o755); // mkdtemp makes it 0700: the users must be able to reach the prefix
    groupExisted = run(["getent", "group", "bpftop"]).code === 0;
    must([install, "--prefix", prefix, "--binary", `${root}dist/bpftop`]);
    must(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--groups", "bpftop", inGroup]);
    must(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", outsider]);
  }, 120_000);

  afterAll(() => {
    for (const user of [inGroup, outsider]) {
      // Bun extracts OpenTUI's library to /tmp/.bun-UID-*; do not leave files to a future owner of this uid.
      const uid = run(["id", "-u", user]).out.trim();
      if (uid) for (const f of new Bun.Glob(`.bun-${uid}-*`).scanSync({ cwd: "/tmp", dot: true })) rmSync(`/tmp/${f}`, { force: true });
      run(["userdel", user]);
    }
    run([install, "--uninstall", "--prefix", prefix]);
    if (!groupExisted) run(["groupdel", "bpftop"]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("installs the launcher root:bpftop 0750 with permitted capabilities, the binary root:root 0755 without", () => {
    expect([owner(launcher), mode(launcher)]).toEqual(["root:bpftop", "750"]);
    const caps = must(["getcap", launcher]).trim().split(" ").pop()!;
    expect(caps.replace(/=p$/, "").split(",").sort()).toEqual(["cap_bpf", "cap_kill", "cap_perfmon", "cap_sys_resource"]);
    expect(caps.endsWith("=p")).toBe(true);
    expect([owner(binary), mode(binary)]).toEqual(["root:root", "755"]);
    expect(must(["getcap", binary]).trim()).toBe("");
    expect([owner(opentui), mode(opentui)]).toEqual(["root:root", "644"]);
  });

  test("a user outside the group cannot run it", () => {
    const r = run(asUser(outsider, [launcher, "--version"]));
    expect(r.err).toContain("Permission denied");
    expect(r.code).toBe(126);
  });

  test("a user in the group runs it with only the capabilities: snapshot --json", () => {
    expect(run(asUser(inGroup, [launcher, "--version"])).out).toStartWith("bpftop ");
    const r = run(asUser(inGroup, [launcher, "snapshot", "--json", "--interval", "50"]), { cwd: "/" });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.out);
    expect(snap.processes.length).toBeGreaterThan(1);
    expect(snap.processes.some((p: { user: string }) => p.user === inGroup)).toBe(true);
  });

  test("doctor, as a member: every essential check passes; BPF run times say they need CAP_SYS_ADMIN", () => {
    const r = run(asUser(inGroup, [launcher, "doctor"]), { cwd: "/" });
    expect(r.code).toBe(0);
    expect(r.out).toContain("bpftop can run here");
    const line = r.out.split("\n").find((l) => l.includes("BPF run times"));
    // Unless root switched the sysctl on for everyone.
    const sysctlOn = readFileSync("/proc/sys/kernel/bpf_stats_enabled", "latin1").trim() === "1";
    if (sysctlOn) expect(line).toMatch(/^ok /);
    else expect(line).toContain("need CAP_SYS_ADMIN to switch on (or, as root: sysctl kernel.bpf_stats_enabled=1)");
  });

  test("BUN_BE_BUN=1 does not turn it into the bun CLI", () => {
    const h = hostileSetup("be-bun");
    const code = `require("fs").writeFileSync(${JSON.stringify(h.marker)}, "x")`;
    const r = run(asUser(inGroup, [launcher, "-e", code], { ...h.env, BUN_BE_BUN: "1" }), { cwd: h.base });
    expect(r.err).toContain("bpftop:"); // bpftop's own usage error for -e
    expect(existsSync(h.marker)).toBe(false);
  });

  test("hostile environment and working directory: no user code, no inspector, no ambient capabilities left, BPF still works", async () => {
    const h = hostileSetup("trace");
    const proc = Bun.spawn(asUser(inGroup, [launcher, "trace"], h.env), { cwd: h.base, stdout: "pipe", stderr: "pipe" });
    try {
      const reader = proc.stdout.getReader();
      let out = "";
      const header = (async () => {
        while (!out.includes("\n")) {
          const { value, done } = await reader.read();
          if (done) break;
          out += new TextDecoder().decode(value);
        }
      })();
      await Promise.race([header, Bun.sleep(10_000)]);
      expect(out).toStartWith("TIME"); // the BPF programs are attached: trace prints its header
      expect(existsSync(h.marker)).toBe(false);
      expect(listening(h.port)).toBe(false);
      const environ = readFileSync(`/proc/${proc.pid}/environ`, "utf8").split("\0");
      expect(environ.filter((e) => /^(BUN_|NODE_|OTUI_ASSET_ROOT=\/tmp\/bpftop-pkg-.*\/trace)/.test(e))).toEqual([]);
      expect(environ).toContain("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      expect(readlinkSync(`/proc/${proc.pid}/cwd`)).toBe("/");
      // The launcher handed the capabilities over as ambient ones; bpftop
      // cleared those at start-up and kept its effective set.
      const caps = capabilities(proc.pid);
      expect(caps.amb).toBe(0n);
      expect([has(caps.eff, CAP_BPF), has(caps.eff, CAP_PERFMON)]).toEqual([true, true]);
      // Its user cannot look into it (ptrace access needs all of its capabilities), so
      // neither its memory nor its memfd copies of libbpf are theirs to change.
      for (const path of [`/proc/${proc.pid}/mem`, `/proc/${proc.pid}/fd/0`]) {
        expect(run(asUser(inGroup, ["head", "-c1", path])).err).toContain("Permission denied");
      }
    } finally {
      proc.kill();
      await proc.exited;
    }
  }, 30_000);

  test("the TUI, in a hostile environment, runs no user code and maps no file its user could rewrite", async () => {
    const h = hostileSetup("tui");
    const session = `bpftop-pkg-${id}`;
    const screen = () => run(["tmux", "capture-pane", "-p", "-t", session]).out;
    // The pane stays open after bpftop exits, so a failure leaves its message on screen.
    const command = `cd ${quote(h.base)} && ${asUser(inGroup, [launcher], h.env).map(quote).join(" ")}; echo "exit status $?"; sleep 60`;
    must(["tmux", "new-session", "-d", "-s", session, "-x", "150", "-y", "40", command]);
    try {
      await until("the process table", () => /PID USER/.test(screen()), screen);
      const pid = Number(must(["pgrep", "-n", "-u", inGroup, "-f", `^${launcher}$`]).trim());
      expect(mappedFilesNotOwnedByRoot(pid)).toEqual([]);
      expect(existsSync(h.marker)).toBe(false);
      expect(listening(h.port)).toBe(false);
      expect(capabilities(pid).amb).toBe(0n);
    } finally {
      const pid = run(["pgrep", "-n", "-u", inGroup, "-f", `^${launcher}$`]).out.trim();
      if (pid) process.kill(Number(pid), "SIGTERM");
      run(["tmux", "kill-session", "-t", session]);
      await until("bpftop to exit", () => !pid || !existsSync(`/proc/${pid}`), () => "", 3000).catch(() => {});
    }
  }, 30_000);

  test("refuses a world-writable or foreign-owned directory on the way, and says why", () => {
    const open = join(dir, "open");
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    let r = run([install, "--prefix", `${open}/usr`, "--binary", `${root}dist/bpftop`]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`install: refusing to install under ${open}: it is group- or world-writable (mode 777)`);
    expect(existsSync(`${open}/usr`)).toBe(false);

    const foreign = join(dir, "foreign");
    mkdirSync(foreign, { mode: 0o755 });
    chownSync(foreign, Number(must(["id", "-u", outsider])), 0);
    r = run([install, "--prefix", `${foreign}/usr`, "--binary", `${root}dist/bpftop`]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`install: refusing to install under ${foreign}: it is owned by uid`);
    expect(existsSync(`${foreign}/usr`)).toBe(false);
  });

  test("--uninstall removes the launcher, the binary and its directory, and keeps the group", () => {
    must([install, "--uninstall", "--prefix", prefix]);
    for (const gone of [launcher, binary, `${prefix}/lib/bpftop`]) expect(existsSync(gone)).toBe(false);
    expect(existsSync(`${prefix}/bin`)).toBe(true); // a shared directory, not bpftop's
    expect(run(["getent", "group", "bpftop"]).code).toBe(0);
  });
});
