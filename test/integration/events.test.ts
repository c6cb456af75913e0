/**
 * Process events against the real kernel: short-lived processes, exit
 * codes, signals, threads, and a fork/exec storm where every event is either
 * delivered or counted as dropped.
 */
import { expect, test } from "bun:test";
import { openBpftop } from "../../src/bpf/bpftop.ts";
import { EventType } from "../../src/bpf/records.ts";
import { EventCollector } from "../../src/collect/events.ts";
import { Monitor } from "../../src/store/monitor.ts";
import { compileC } from "../helpers/cc.ts";
import { describeBpf } from "../helpers/privileges.ts";

const root = new URL("../..", import.meta.url).pathname;

interface TraceJson {
  event: string; pid: number; ppid: number; comm: string; filename: string | null;
  exit_code: number | null; signal: string | null; duration_ms: number | null;
}

/** Run `bpftop trace --json ARGS` around `load`, then stop it with SIGTERM and parse its lines. */
async function traced(args: string[], load: () => Promise<void>): Promise<TraceJson[]> {
  const tracer = Bun.spawn([process.execPath, `${root}src/cli.ts`, "trace", "--json", ...args], { stdout: "pipe", stderr: "pipe" });
  await Bun.sleep(700); // loaded and attached
  await load();
  await Bun.sleep(300); // the last events drained
  tracer.kill("SIGTERM");
  expect(await tracer.exited).toBe(0);
  expect(await new Response(tracer.stderr).text()).toBe("");
  return (await new Response(tracer.stdout).text()).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

async function run(argv: string[]): Promise<number> {
  const p = Bun.spawn(argv, { stdout: "ignore", stderr: "ignore" });
  await p.exited;
  return p.pid;
}

describeBpf("process events", () => {
  test("500 short-lived commands: every exec and exit exactly once, with filename, code, signal and lifetime", async () => {
    const pids = { true: [] as number[], exit3: [] as number[], killed: [] as number[] };
    const lines = await traced([], async () => {
      for (let i = 0; i < 200; i++) pids.true.push(await run(["/bin/true"]));
      for (let i = 0; i < 200; i++) pids.exit3.push(await run(["/bin/sh", "-c", "exit 3"]));
      for (let i = 0; i < 100; i++) pids.killed.push(await run(["/bin/sh", "-c", "kill -9 $$"]));
    });
    const byPid = Map.groupBy(lines, (l) => l.pid);
    const check = (pid: number, filename: string, exitCode: number | null, signal: string | null) => {
      const evs = byPid.get(pid) ?? [];
      expect(evs.map((e) => e.event)).toEqual(["exec", "exit"]);
      expect(evs[0]!.filename).toBe(filename);
      expect(evs[0]!.ppid).toBe(process.pid);
      expect(evs[1]!.exit_code).toBe(exitCode);
      expect(evs[1]!.signal).toBe(signal);
      expect(evs[1]!.duration_ms).toBeGreaterThan(0);
      expect(evs[1]!.duration_ms).toBeLessThan(2000);
    };
    for (const pid of pids.true) check(pid, "/bin/true", 0, null);
    for (const pid of pids.exit3) check(pid, "/bin/sh", 3, null);
    for (const pid of pids.killed) check(pid, "/bin/sh", null, "SIGKILL");
  });

  test("-d keeps exactly the processes that lived long enough", async () => {
    const slow: number[] = [];
    const fast: number[] = [];
    const lines = await traced(["-d", "250"], async () => {
      const sleepers = [0, 1, 2].map(() => Bun.spawn(["/bin/sleep", "0.4"]));
      for (let i = 0; i < 5; i++) fast.push(await run(["/bin/true"]));
      for (const s of sleepers) {
        await s.exited;
        slow.push(s.pid);
      }
    });
    const seen = lines.filter((l) => [...slow, ...fast].includes(l.pid));
    expect(seen.filter((l) => l.event === "exit").map((l) => l.pid).sort()).toEqual([...slow].sort());
    expect(seen.filter((l) => l.event === "exec").map((l) => l.pid).sort()).toEqual([...slow].sort());
    for (const l of seen.filter((l) => l.event === "exit")) expect(l.duration_ms!).toBeGreaterThanOrEqual(250);
  });

  test("a multi-threaded process exits once, not once per thread; a thread's exit is no process exit", async () => {
    const spin = compileC(`${root}test/fixtures/spin.c`, "spin", ["-pthread"]);
    let pid = 0;
    const lines = await traced([], async () => {
      // One thread spins 50 ms and exits, then four spin until the kill.
      const p = Bun.spawn([spin, "4", "50"], { stdout: "pipe" });
      await p.stdout.getReader().read();
      pid = p.pid;
      p.kill("SIGKILL");
      await p.exited;
    });
    const exits = lines.filter((l) => l.pid === pid && l.event === "exit");
    expect(exits).toHaveLength(1);
    expect(exits[0]!.signal).toBe("SIGKILL");
  });

  test("the process table keeps an exited process with its status and lists the short-lived ones", async () => {
    const monitor = await Monitor.open();
    try {
      const sleeper = Bun.spawn(["/bin/sh", "-c", "sleep 0.3; exit 7"]);
      monitor.refresh();
      expect(monitor.refresh().rows.some((r) => r.pid === sleeper.pid && !r.exit)).toBe(true);
      const quick = await run(["/bin/sh", "-c", "exit 5"]);
      await sleeper.exited;
      await Bun.sleep(150);
      const s = monitor.refresh();
      expect(s.rows.find((r) => r.pid === sleeper.pid)?.exit).toMatchObject({ code: 7 });
      expect(s.rows.find((r) => r.pid === quick)).toMatchObject({ shortLived: true, cmdline: "/bin/sh", exit: { code: 5 } });
      expect(s.events.filter((e) => e.pid === quick).map((e) => e.kind)).toEqual(["exec", "exit"]);
      expect(s.eventStats.dropped).toBe(0);
    } finally {
      monitor.close();
    }
  });

  test("a fork/exec storm: every exec is delivered or counted as dropped", async () => {
    const forkexec = compileC(`${root}test/fixtures/forkexec.c`, "forkexec");
    for (const ring of [8 << 20, 16 << 10]) {
      const bpf = await openBpftop({ tasks: false, events: { fork: false, ringBytes: ring } });
      // A small ring drained rarely must drop; the default one drained every 100 ms must not.
      const events = new EventCollector(bpf, ring === 8 << 20 ? 100 : 60_000);
      try {
        const gen = Bun.spawn([forkexec, ring === 8 << 20 ? "10" : "2", "/bin/true"], { stdout: "pipe" });
        const started = Number((await new Response(gen.stdout).text()).trim());
        await Bun.sleep(200);
        const batch = events.take();
        const execs = batch.records.filter((r) => r.type === EventType.exec && r.ppid === gen.pid).length;
        expect(started).toBeGreaterThan(500);
        expect(execs).toBeLessThanOrEqual(started);
        if (ring === 8 << 20) {
          expect(batch.dropped).toBe(0);
          expect(execs).toBe(started);
        } else {
          expect(batch.dropped).toBeGreaterThan(0);
          expect(execs + batch.dropped).toBeGreaterThanOrEqual(started);
        }
      } finally {
        events.close();
        bpf.close();
      }
    }
  }, 30_000);
});
