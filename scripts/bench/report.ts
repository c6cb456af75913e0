/**
 * Writes DIR/summary.md (default bench/results) from what the benchmark parts
 * left in DIR: machine.txt, process-lens.csv, net-refresh.csv,
 * net-throughput.csv, events.csv, raw/ and the PNGs of plot.sh. A part that
 * did not run is left out; re-running this on committed results redraws the
 * summary without measuring anything.
 *
 *   bun scripts/bench/report.ts [DIR]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cell, markdownTable, parseCsv, parseKeyValues, type Row } from "./table.ts";

const dir = process.argv[2] ?? new URL("../../bench/results", import.meta.url).pathname;
const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8") : undefined);
const csv = (name: string) => {
  const text = read(name);
  return text === undefined ? undefined : parseCsv(text);
};

const machine = new Map(parseKeyValues(read("machine.txt") ?? ""));
const settings = new Map(parseKeyValues(read("raw/process-lens-settings.txt") ?? ""));
/** A process-lens setting; results from before the settings file were all taken with the full-run defaults. */
const setting = (key: string, fullRun: string) => settings.get(key) ?? fullRun;
const processes = csv("process-lens.csv");
const netRefresh = csv("net-refresh.csv");
const netThroughput = csv("net-throughput.csv");
const events = csv("events.csv");
const png = (name: string, alt: string) => (existsSync(join(dir, name)) ? [`![${alt}](${name})`, ""] : []);

const out: string[] = ["# bpftop benchmark", ""];
const command = machine.get("command");
out.push(`Run ${machine.get("run") ?? "(date not recorded)"}${command ? ` with \`${command}\`` : ""}.`, "");
if (setting("quick", "0") === "1" || command?.includes("--quick")) {
  out.push("**A smoke run (`--quick`): short measurements, rough numbers. Not for publishing.**", "");
}

out.push("## Machine", "");
const described = [...machine].filter(([k]) => k !== "run" && k !== "command");
if (described.length > 0) out.push(...described.map(([k, v]) => `* ${k}: ${v}`));
else out.push("Not recorded (no machine.txt).");
out.push("");

if (processes && processes.length > 0) {
  const delayMs = setting("delay_ms", "1000");
  const terminal = setting("terminal", "120x40");
  out.push("## Processes", "");
  out.push(
    `\`scripts/bench/process-lens.sh\`: N sleeping processes added (\`spawn-load\`); each TUI alone in a ${terminal} tmux pane at a ${delayMs} ms refresh, default settings otherwise.`,
    "",
  );
  const tuis = ["bpftop", "htop", "btop"];
  out.push(
    markdownTable(
      [
        "extra",
        "tasks",
        "bpftop refresh ms, median (p95)",
        ...tuis.map((t, k) => (k === 0 ? `syscalls/refresh ${t}` : t)),
        ...tuis.map((t, k) => (k === 0 ? `CPU % ${t}` : t)),
        ...tuis.map((t, k) => (k === 0 ? `RSS MiB ${t}` : t)),
        "`snapshot --json` ms",
        "`ps -eo …` ms",
      ],
      processes.map((r) => [
        levelLabel(r),
        cell(r.tasks),
        `${cell(r.refresh_median_ms)} (${cell(r.refresh_p95_ms)})`,
        ...tuis.map((t) => cell(r[`${t}_syscalls_per_refresh`])),
        ...tuis.map((t) => cell(r[`${t}_cpu_pct`])),
        ...tuis.map((t) => cell(r[`${t}_rss_mib`])),
        cell(r.snapshot_ms),
        cell(r.ps_ms),
      ]),
    ),
    "",
  );
  const top = topSyscalls(processes, tuis);
  out.push(
    "* extra: sleeping processes added (`t`: threads in one process); tasks: every task bpftop's iterator saw.",
    `* refresh: Monitor.refresh (task iterator read + decode, 4 /proc preads, events, store update) plus the flat view build, in-process, no TUI (\`scripts/bench/refresh.ts\`, ${setting("refreshes", "200")} refreshes); phases below.`,
    `* syscalls/refresh: \`strace -f\` on the running TUI, every thread, counted over whole refreshes only: from a once-per-refresh marker syscall (bpftop: its pread of /proc/stat; htop: opening /proc/meminfo; btop: opening /proc/loadavg) to its last occurrence, ${setting("traced_refreshes", "10")} refreshes or as many as fit in ${setting("trace_cap_s", "60")} s when tracing slows the TUI down. n/a: fewer than two refreshes traced. Breakdowns: \`raw/syscalls-TUI-LEVEL.txt\`.`,
    `* CPU %: utime + stime of the untraced TUI over ${setting("cpu_s", "20")} s, from ${setting("cpu_from_s", "0")} s after its start or later (steady state, not start-up), % of one core; RSS: VmRSS after it. btop runs with \`update_ms = ${delayMs}\` in a private btop.conf (its default is 2000) and \`--utf-force\`.`,
    `* one-shot: median wall time of ${setting("oneshot_runs", "10")} runs (hyperfine) of \`bpftop snapshot --json --interval 10\` and \`${setting("ps_cmd", "ps -eo pid,ppid,user,stat,pcpu,rss,vsz,etime,args")}\`, output to /dev/null.`,
    ...(top ? [`* ${top}`] : []),
    "",
  );
  out.push("bpftop refresh phases, median ms:", "");
  out.push(
    markdownTable(
      ["extra", "tasks (iter + decode)", "store update", "view, flat", "view, tree", "refresh total"],
      processes.map((r) => [levelLabel(r), cell(r.tasks_median_ms), cell(r.store_median_ms), cell(r.view_flat_median_ms), cell(r.view_tree_median_ms), cell(r.refresh_median_ms)]),
    ),
    "",
  );
  out.push(...png("syscalls.png", "Syscalls per refresh vs extra processes"), ...png("cpu.png", "TUI CPU % vs extra processes"));
  out.push(...png("collection-processes.png", "bpftop collection time vs extra processes"));
  const limits = read("raw/limits.txt")?.trim();
  if (limits) out.push("Limits checked:", "", ...limits.split("\n").map((l) => `* ${l}`), "");
}

if ((netRefresh && netRefresh.length > 0) || (netThroughput && netThroughput.length > 0)) {
  out.push("## Connections", "");
  if (netRefresh && netRefresh.length > 0) {
    out.push(
      "`bun scripts/bench/net.ts --sockets …`: N/2 loopback TCP connections (both ends open); bpftop's network refresh (iter/tcp + iter/udp + decode + store, median of 25) against `ss -tunap` listing the same sockets (median of 5). Both see every TCP and UDP socket on the machine: TIME-WAIT sockets left by a smaller count (counts run smallest first) or by anything else count too, hence \"sockets bpftop saw\".",
      "",
    );
    out.push(
      markdownTable(
        ["sockets opened", "sockets bpftop saw", "bpftop refresh ms", "`ss -tunap` ms", "ss lines", "ss ÷ bpftop"],
        netRefresh.map((r) => [cell(r.requested_sockets), cell(r.sockets), cell(r.bpftop_refresh_ms), cell(r.ss_ms), cell(r.ss_lines), ratio(r.ss_ms, r.bpftop_refresh_ms)]),
      ),
      "",
    );
    out.push(...png("collection-sockets.png", "Network refresh time vs sockets"));
  }
  if (netThroughput && netThroughput.length > 0) {
    out.push("Loopback TCP throughput without and with bpftop's network programs attached (median of alternating runs):", "");
    out.push(
      markdownTable(
        ["write size, bytes", "without bpftop MB/s", "with bpftop MB/s", "slowdown %", "runs × seconds"],
        netThroughput.map((r) => [cell(r.write_size), cell(r.without_mbps), cell(r.with_mbps), cell(r.slowdown_pct), `${cell(r.runs)} × ${cell(r.seconds)}`]),
      ),
      "",
    );
  }
}

if (events && events.length > 0) {
  out.push("## Events", "");
  out.push(
    "`bun scripts/bench/events.ts`: G processes fork and exec `/bin/true` as fast as they can while bpftop's trace pipeline (ring buffer drain every 100 ms, decode, format) runs.",
    "",
  );
  out.push(
    markdownTable(
      ["generators", "seconds", "processes started", "events", "events/s", "dropped", "bpftop CPU ms / 1,000 events", "ring KiB"],
      events.map((r) => [cell(r.generators), cell(r.seconds), cell(r.processes_started), cell(r.events), cell(r.events_per_s), cell(r.dropped), cell(r.cpu_ms_per_1000_events), cell(r.ring_kib)]),
    ),
    "",
  );
  const clean = events.filter((r) => r.dropped === "0").map((r) => Number(r.events_per_s));
  out.push(
    clean.length > 0
      ? `Sustained exec rate without drops: ${Math.max(...clean).toLocaleString("en-US")} events/s (the most this machine's generators made; not a ceiling of bpftop's).`
      : "Every run dropped events.",
    "",
  );
}

out.push("## Files", "");
const files: [string, string][] = [
  ["machine.txt", "the machine, tool versions and command of this run"],
  ["process-lens.csv", "one row per level: in-process refresh and its phases (ms), syscalls per refresh, CPU % and RSS MiB of each TUI, one-shot ms"],
  ["net-refresh.csv", "one row per socket count: sockets seen, bpftop refresh ms, ss lines and ms"],
  ["net-throughput.csv", "one row per write size: MB/s without and with bpftop"],
  ["events.csv", "one row per generator count: processes started, events, events/s, drops, CPU ms per 1,000 events"],
  ["syscalls.png", "syscalls per refresh vs extra processes (log-log)"],
  ["cpu.png", "TUI CPU % vs extra processes"],
  ["collection-processes.png", "bpftop refresh and its phases, and the one-shot commands, vs extra processes"],
  ["collection-sockets.png", "bpftop network refresh vs `ss -tunap`, vs sockets"],
];
for (const [name, what] of files) if (existsSync(join(dir, name))) out.push(`* [${name}](${name}): ${what}`);
if (existsSync(join(dir, "raw"))) {
  const raw = readdirSync(join(dir, "raw"));
  const kinds: [RegExp, string][] = [
    [/^refresh-.*\.json$/, "`refresh-LEVEL.json` (refresh.ts: every phase, min/median/p95/max)"],
    [/^syscalls-.*\.txt$/, "`syscalls-TUI-LEVEL.txt` (syscalls per refresh, by name)"],
    [/^oneshot-.*\.json$/, "`oneshot-LEVEL.json` (hyperfine)"],
    [/^net\.json$/, "`net.json`"],
    [/^events\.json$/, "`events.json`"],
    [/^limits\.txt$/, "`limits.txt` (the task limits checked and raised)"],
    [/^process-lens-settings\.txt$/, "`process-lens-settings.txt` (durations and counts of the process lens)"],
  ];
  const held = kinds.filter(([re]) => raw.some((f) => re.test(f))).map(([, what]) => what);
  if (held.length > 0) out.push(`* [raw/](raw/): ${held.join(", ")}`);
}
out.push("");

out.push("## Reproduce", "");
out.push(
  "Everything, as root, from the repository root, on an otherwise idle machine (installs btop, gnuplot-nox, htop, hyperfine, iproute2, procps, strace, tmux and gcc with apt-get; builds dist/bpftop if missing; about 30 minutes on 2 cores):",
  "",
  "```sh",
  "scripts/bench/run.sh",
  "```",
  "",
);
if (command && command !== "scripts/bench/run.sh") out.push(`These results came from \`${command}\`.`, "");
out.push(
  "`scripts/bench/run.sh --help` lists the options (`--out DIR`, `--levels`, `--sockets`, `--only`, `--quick`, …). To redraw the plots and this summary from the CSVs alone: `scripts/bench/plot.sh DIR && node_modules/.bin/bun scripts/bench/report.ts DIR`.",
  "",
);

writeFileSync(join(dir, "summary.md"), out.join("\n"));
console.log(join(dir, "summary.md"));

function levelLabel(r: Row): string {
  const level = r.level ?? "";
  return level.endsWith("t") ? `${cell(level.slice(0, -1))} threads` : cell(level);
}

function ratio(a: string | undefined, b: string | undefined): string {
  const x = Number(a), y = Number(b);
  return a && b && Number.isFinite(x) && Number.isFinite(y) && y > 0 ? `${(x / y).toFixed(x / y >= 10 ? 0 : 1)}×` : "–";
}

/** "Most frequent syscalls per refresh at level L: bpftop: …; htop: …" from raw/syscalls-TUI-L.txt, at the largest process level. */
function topSyscalls(rows: Row[], tuis: string[]): string | undefined {
  const levels = rows.filter((r) => r.extra_threads === "0").map((r) => r.level!);
  const level = levels[levels.length - 1];
  if (level === undefined || !existsSync(join(dir, "raw"))) return undefined;
  const present = new Set(readdirSync(join(dir, "raw")));
  const parts: string[] = [];
  for (const t of tuis) {
    const name = `syscalls-${t}-${level}.txt`;
    if (!present.has(name)) continue;
    // Line 1 is the total; then "   count name", most frequent first.
    const top = readFileSync(join(dir, "raw", name), "utf8")
      .split("\n")
      .slice(1, 6)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length === 2)
      .map(([n, c]) => `${c} ${n}`);
    if (top.length > 0) parts.push(`${t}: ${top.join(", ")}`);
  }
  return parts.length > 0 ? `Most frequent syscalls per refresh at ${cell(level)} extra processes: ${parts.join("; ")}.` : undefined;
}
