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
import { assertKnownFlags, parseIntegerOption, parsePidList, parseUserOption } from "./args.ts";
import { UsageError } from "./errors.ts";
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
  view: { type: "enum", options: ["processes", "events"], default: "processes", description: "The view shown first (Tab switches)" },
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
      view: args.view === "events" ? "events" : "processes",
    };
    if (args.pid !== undefined) options.pids = parsePidList("--pid", args.pid);
    if (args.user !== undefined) {
      parseUserOption("--user", args.user);
      options.user = args.user;
    }
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      throw new UsageError("the interactive table needs a terminal; for scripts use 'bpftop snapshot --json'");
    }
    const monitor = await Monitor.open();
    const source: TopSource = {
      refresh: () => monitor.refresh(),
      setShowThreads: (on) => monitor.setShowThreads(on),
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
    // OpenTUI reads these at import; they must not steer a privileged process.
    for (const k of Object.keys(process.env)) if (/^(OTUI_|OPENTUI_)/.test(k)) delete process.env[k];
    const { runTop } = await import("../ui/app.ts");
    await new Promise<void>((resolve) => {
      void runTop(source, options, (code) => {
        monitor.close();
        exit.code = code;
        resolve();
      });
    });
  },
});

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
