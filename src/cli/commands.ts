/**
 * The command definitions: flags, their help, and their validation. Each
 * run() turns validated flags into a call into ui/ or output/; nothing else.
 */
import { defineCommand, type ArgsDef } from "citty";
import pc from "picocolors";
import pkg from "../../package.json" with { type: "json" };
import { Monitor } from "../store/monitor.ts";
import { snapshotJson } from "../output/json.ts";
import { snapshotText } from "../output/text.ts";
import { assertKnownFlags, parseIntegerOption, parsePidList, parsePortList, parseUserOption } from "./args.ts";
import type { ConnectionFilter } from "../store/query.ts";
import { outputRows } from "./net.ts";
import { CsvLog } from "../output/csv.ts";
import { UsageError } from "./errors.ts";
import { scrubOpenTuiEnvironment } from "./privileges.ts";
import type { TopOptions, TopSource } from "../ui/source.ts";
import type { TraceOptions } from "./trace.ts";

export const VERSION: string = pkg.version;

/** Set by a command that must end the process with a status other than 0. */
export const exit = { code: 0 };

const topArgs = {
  delay: { type: "string", alias: "d", default: "1000", valueHint: "ms", description: "Refresh interval in milliseconds (minimum 100)" },
  tree: { type: "boolean", alias: "t", description: "Start in tree view" },
  user: { type: "string", alias: "u", valueHint: "name", description: "Show only processes of this user" },
  pid: { type: "string", alias: "p", valueHint: "list", description: "Show only these PIDs (comma-separated)" },
  mouse: { type: "boolean", default: true, description: "Enable mouse input", negativeDescription: "Disable mouse input" },
  view: { type: "enum", options: ["processes", "events", "network"], default: "processes", description: "The view shown first (Tab switches)" },
  overhead: { type: "boolean", description: "Start with bpftop's own cost shown: CPU, BPF program run times, buffer fill (b toggles)" },
} as const satisfies ArgsDef;

export const top = defineCommand({
  meta: { name: "top", description: "Interactive process table (the default command)" },
  args: topArgs,
  async run({ args, rawArgs }) {
    assertKnownFlags(rawArgs, topArgs);
    const options: TopOptions = {
      delayMs: parseIntegerOption("--delay", args.delay, 100, 3_600_000, "ms"),
      tree: !!args.tree,
      mouse: args.mouse !== false,
      view: args.view as TopOptions["view"],
      overhead: !!args.overhead,
    };
    if (args.pid !== undefined) options.pids = parsePidList("--pid", args.pid);
    if (args.user !== undefined) {
      parseUserOption("--user", args.user);
      options.user = args.user;
    }
    await runInteractive(options);
  },
});

/**
 * Start the TUI on a Monitor with every lens on; `log` also writes each
 * refresh's connections to a CSV file (bpftop net --log).
 */
async function runInteractive(options: TopOptions, log?: { path: string; filter: ConnectionFilter }): Promise<void> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UsageError("the interactive table needs a terminal; for scripts use 'bpftop snapshot --json' or 'bpftop net --once --json'");
  }
  const monitor = await Monitor.open({ net: true });
  let csv: CsvLog | undefined;
  try {
    csv = log ? new CsvLog(log.path) : undefined;
  } catch (e) {
    monitor.close();
    throw e;
  }
  let logError: string | undefined;
  const source: TopSource = {
    refresh: () => {
      const s = monitor.refresh();
      if (csv && log) {
        try {
          csv.write(outputRows(monitor, log.filter), Date.now());
        } catch (e) {
          // Keep the TUI; stop logging and say why on every refresh.
          logError = (e as Error).message;
          csv.close();
          csv = undefined;
        }
      }
      return logError ? { ...s, info: { ...s.info, warnings: [...s.info.warnings, logError] } } : s;
    },
    setShowThreads: (on) => monitor.setShowThreads(on),
    setShowOverhead: (on) => monitor.setShowOverhead(on),
    planFreeze: (pid) => monitor.freezer.planForPid(pid),
    freeze: (pid) => monitor.freezer.freeze(monitor.freezer.planForPid(pid)),
    planThaw: (pid) => monitor.freezer.planThawForPid(pid),
    thaw: (pid) => monitor.freezer.thaw(monitor.freezer.planThawForPid(pid)),
    sendSignal: (pid, signal) => {
      try {
        process.kill(pid, signal);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === "EPERM" ? "permission denied (needs CAP_KILL)" : code === "ESRCH" ? "no such process" : String(code ?? e);
        throw new Error(`${signal} to ${pid}: ${why}`);
      }
    },
  };
  scrubOpenTuiEnvironment();
  const { runTop } = await import("../ui/app.ts");
  await new Promise<void>((resolve) => {
    void runTop(source, options, (code) => {
      csv?.close();
      monitor.close();
      exit.code = code;
      resolve();
    });
  });
}

const snapshotArgs = {
  json: { type: "boolean", alias: "j", description: "Print one JSON document (system + processes)" },
  interval: { type: "string", alias: "i", default: "1000", valueHint: "ms", description: "Sample CPU% over this many milliseconds (10 to 60000)" },
} as const satisfies ArgsDef;

export const snapshot = defineCommand({
  meta: { name: "snapshot", description: "Collect once and print every process (a table, or JSON with --json)" },
  args: snapshotArgs,
  async run({ args, rawArgs }) {
    assertKnownFlags(rawArgs, snapshotArgs);
    const intervalMs = parseIntegerOption("--interval", args.interval, 10, 60_000, "ms");
    const monitor = await Monitor.open();
    try {
      monitor.refresh();
      await Bun.sleep(intervalMs);
      const s = monitor.refresh();
      const out = args.json
        ? `${JSON.stringify(snapshotJson(s.rows, s.system, intervalMs, VERSION))}\n`
        : snapshotText(s.rows, s.system, pc.createColors(!!process.stdout.isTTY && !process.env.NO_COLOR), process.stdout.columns || 200);
      await writeStdout(out);
    } finally {
      monitor.close();
    }
  },
});

const netArgs = {
  delay: { type: "string", alias: "d", default: "1000", valueHint: "ms", description: "Refresh (and CSV log) interval in milliseconds (minimum 100)" },
  port: { type: "string", valueHint: "list", description: "Only connections with this local or remote port (comma-separated)" },
  pid: { type: "string", alias: "p", valueHint: "list", description: "Only connections owned by these PIDs (comma-separated)" },
  proto: { type: "enum", options: ["tcp", "udp"], description: "Only TCP or only UDP" },
  log: { type: "string", valueHint: "file.csv", description: "Append one CSV row per connection per interval, and one for each connection that closed" },
  tui: { type: "boolean", default: true, description: "Show the interactive view", negativeDescription: "No TUI: only write the --log file, until SIGINT/SIGTERM" },
  once: { type: "boolean", description: "Print one snapshot of all connections (rates over one interval) and exit" },
  json: { type: "boolean", alias: "j", description: "With --once: a JSON document" },
  mouse: { type: "boolean", default: true, description: "Enable mouse input", negativeDescription: "Disable mouse input" },
} as const satisfies ArgsDef;

export const net = defineCommand({
  meta: { name: "net", description: "Network connections: per TCP/UDP connection bytes, packets, RTT, state and owning process" },
  args: netArgs,
  async run({ args, rawArgs }) {
    assertKnownFlags(rawArgs, netArgs);
    const delayMs = parseIntegerOption("--delay", args.delay, 100, 3_600_000, "ms");
    const filter: ConnectionFilter = {};
    if (args.port !== undefined) filter.ports = parsePortList("--port", args.port);
    if (args.pid !== undefined) filter.pids = parsePidList("--pid", args.pid);
    if (args.proto !== undefined) filter.proto = args.proto as "tcp" | "udp";
    if (args.json && !args.once) throw new UsageError("--json needs --once (use --log FILE.csv for a continuous record)");
    if (args.log !== undefined && !args.log) throw new UsageError("--log needs a file name");
    const { runNetLog, runNetOnce } = await import("./net.ts");
    if (args.once) {
      exit.code = await runNetOnce({ delayMs, filter, logPath: args.log, json: !!args.json, version: VERSION });
    } else if (args.tui === false) {
      if (!args.log) throw new UsageError("--no-tui needs --log FILE.csv (or use --once)");
      exit.code = await runNetLog({ delayMs, filter, logPath: args.log, json: false, version: VERSION });
    } else {
      const options: TopOptions = { delayMs, tree: false, mouse: args.mouse !== false, view: "network", net: filter };
      await runInteractive(options, args.log ? { path: args.log, filter } : undefined);
    }
  },
});

const traceArgs = {
  duration: { type: "string", alias: "d", valueHint: "ms", description: "Only exits of processes that lived at least MS milliseconds (and their execs)" },
  json: { type: "boolean", alias: "j", description: "One JSON object per line" },
  pid: { type: "string", alias: "p", valueHint: "list", description: "Only events of these PIDs and of their children (comma-separated)" },
  user: { type: "string", alias: "u", valueHint: "name", description: "Only events of this user's processes" },
  comm: { type: "string", alias: "c", valueHint: "name", description: "Only events whose command name contains this text" },
  fork: { type: "boolean", description: "Also show forks (new processes before they exec)" },
} as const satisfies ArgsDef;

export const trace = defineCommand({
  meta: { name: "trace", description: "Print every exec and exit as it happens, even of processes that live a millisecond" },
  args: traceArgs,
  async run({ args, rawArgs }) {
    assertKnownFlags(rawArgs, traceArgs);
    const options: TraceOptions = { json: !!args.json, fork: !!args.fork };
    if (args.duration !== undefined) options.minDurationMs = parseIntegerOption("--duration", args.duration, 0, 86_400_000, "ms");
    if (args.pid !== undefined) options.pids = parsePidList("--pid", args.pid);
    if (args.user !== undefined) options.uid = parseUserOption("--user", args.user);
    if (args.comm !== undefined) {
      if (!args.comm || args.comm.length > 15) throw new UsageError("--comm needs a command name of 1 to 15 characters");
      options.comm = args.comm;
    }
    const { runTrace } = await import("./trace.ts");
    exit.code = await runTrace(options);
  },
});

const freezeArgs = {
  target: { type: "positional", required: true, valueHint: "PID|CGROUP_PATH", description: "A process (its cgroup is frozen) or a cgroup path such as /system.slice/foo.service" },
  yes: { type: "boolean", alias: "y", description: "Do not ask for confirmation" },
} as const satisfies ArgsDef;

export const freeze = defineCommand({
  meta: { name: "freeze", description: "Freeze a cgroup v2 (every process in it stops at once, without SIGSTOP), printing the PIDs" },
  args: freezeArgs,
  async run({ args, rawArgs }) {
    assertKnownFlags(rawArgs, freezeArgs);
    const { runFreeze } = await import("./freeze.ts");
    exit.code = await runFreeze(String(args.target), !!args.yes);
  },
});

const thawArgs = {
  target: { type: "positional", required: true, valueHint: "PID|CGROUP_PATH", description: "A frozen process or cgroup path" },
} as const satisfies ArgsDef;

export const thaw = defineCommand({
  meta: { name: "thaw", description: "Thaw a frozen cgroup, printing the PIDs that resume" },
  args: thawArgs,
  async run({ args, rawArgs }) {
    assertKnownFlags(rawArgs, thawArgs);
    const { runThaw } = await import("./freeze.ts");
    exit.code = await runThaw(String(args.target));
  },
});

const benchArgs = {
  cycles: { type: "string", alias: "n", default: "100", valueHint: "n", description: "Refreshes to time (1 to 100000)" },
  json: { type: "boolean", alias: "j", description: "One JSON document" },
} as const satisfies ArgsDef;

export const bench = defineCommand({
  meta: { name: "bench", description: "Time N refreshes by phase and count the system calls of each refresh" },
  args: benchArgs,
  async run({ args, rawArgs }) {
    assertKnownFlags(rawArgs, benchArgs);
    const cycles = parseIntegerOption("--cycles", args.cycles, 1, 100_000);
    const { runBench } = await import("./bench.ts");
    exit.code = await runBench({ cycles, json: !!args.json });
  },
});

export const doctor = defineCommand({
  meta: { name: "doctor", description: "Check the kernel, BTF, capabilities, libbpf and cgroup v2, and say how to fix what is missing" },
  args: {},
  async run({ rawArgs }) {
    assertKnownFlags(rawArgs, {});
    const { runDoctor } = await import("./doctor.ts");
    exit.code = await runDoctor();
  },
});

/** Write all of `text` to stdout; a closed pipe (EPIPE) ends quietly. */
async function writeStdout(text: string): Promise<void> {
  try {
    await Bun.write(Bun.stdout, text);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPIPE") throw e;
  }
}
