/** The command line as a user meets it: exit codes, one-line errors, and the JSON snapshot. */
import { describe, expect, test } from "bun:test";
import { describeBpf } from "../helpers/privileges.ts";

const root = new URL("../..", import.meta.url).pathname;
const bun = process.execPath;

function cli(args: string[], opts: { user?: number } = {}) {
  const cmd = [bun, `${root}src/cli.ts`, ...args];
  const argv = opts.user === undefined ? cmd : ["setpriv", `--reuid=${opts.user}`, `--regid=${opts.user}`, "--clear-groups", "--inh-caps=-all", ...cmd];
  const r = Bun.spawnSync(argv, { cwd: root, stdin: "ignore", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

describe("usage errors: one line, a hint, exit 2, no stack trace", () => {
  test.each([
    [["--bogus"], "unknown option '--bogus'"],
    [["top", "-x"], "unknown option '-x'"],
    [["-d", "50"], "--delay must be between 100 and 3600000 ms, got 50"],
    [["--delay", "1e3"], "--delay needs a whole number of ms, got '1e3'"],
    [["-p", "12,abc"], "--pid: 'abc' is not a PID"],
    [["-u", "no-such-user-xyz"], "--user: no user named 'no-such-user-xyz' in /etc/passwd"],
    [["snapshot", "--interval", "0"], "--interval must be between 10 and 60000 ms, got 0"],
    [["snapshot", "extra"], "unexpected argument 'extra'"],
    [["frobnicate"], "unknown command 'frobnicate'"],
  ])("%p", (args, message) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`bpftop: ${message}${message.startsWith("unknown command") ? " (commands: top, snapshot, net, trace, freeze, thaw, bench, doctor)" : ""}\nTry 'bpftop --help' for more information.\n`);
    expect(r.out).toBe("");
  });
});

test("--version and --help", () => {
  expect(cli(["--version"])).toMatchObject({ code: 0, out: "bpftop 0.1.0\n" });
  const help = cli(["--help"]);
  expect(help.code).toBe(0);
  for (const word of ["top", "snapshot", "doctor"]) expect(help.out).toContain(word);
  const topHelp = cli(["top", "--help"]);
  expect(topHelp.out).toContain("--delay");
  expect(topHelp.out).toContain("Refresh interval in milliseconds");
});

test("the interactive table refuses to start without a terminal", () => {
  const r = cli(["-d", "500"]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("needs a terminal");
});

test("an unprivileged user is told which capabilities are missing and how to get them", () => {
  const r = cli(["snapshot"], { user: 65534 });
  expect(r.code).toBe(1);
  expect(r.err).toBe(
    "bpftop: missing CAP_BPF and CAP_PERFMON (needed to load BPF programs): run as root (sudo bpftop), or install with scripts/install.sh, which grants them to members of the bpftop group\n",
  );
});

describeBpf("snapshot", () => {
  test("--json: one document with system and processes, this test's process in it", () => {
    const r = cli(["snapshot", "--json", "--interval", "50"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.interval_ms).toBe(50);
    expect(doc.system.memory.total_bytes).toBeGreaterThan(0);
    expect(doc.system.cpus.length).toBeGreaterThan(0);
    const me = doc.processes.find((p: { pid: number }) => p.pid === process.pid);
    expect(me).toBeDefined();
    for (const key of ["pid", "ppid", "uid", "user", "comm", "cmdline", "state", "threads", "cpu_percent", "rss_bytes", "vsize_bytes", "start_time", "cgroup_id"]) {
      expect(me).toHaveProperty(key);
    }
    expect(me.cmdline).toContain("bun");
    expect(me.user).toBe("root");
    expect(new Date(me.start_time).getTime()).toBeLessThanOrEqual(Date.now());
  });

  test("the plain table has a header and this process", () => {
    const r = cli(["snapshot", "--interval", "20"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/PID USER\s+S\s+CPU%\s+MEM%\s+RES\s+THR\s+TIME\+ COMMAND/);
    expect(r.out).toMatch(new RegExp(`^\\s*${process.pid} root`, "m"));
  });

  test("doctor says every essential check is ok here", () => {
    const r = cli(["doctor"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^ok\s+BPF programs\s+dump_task, handle_exec, handle_exit, handle_fork, sock_send, sock_recv, tcp_state, tcp_send_rst, tcp_recv_rst, dump_tcp, dump_udp, claim_socket_owners loaded and attached$/m,
    );
    expect(r.out).toMatch(/^ok\s+socket I\/O\s+sock_send_length\/sock_recv_length attached/m);
    expect(r.out).toMatch(/^ok\s+events\s+exec\/exit\/fork tracepoints \(tp_btf\) attached$/m);
    expect(r.out).toMatch(/^ok\s+cgroup v2\s+\//m);
  });
});
