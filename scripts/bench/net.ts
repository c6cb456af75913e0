/**
 * Network lens benchmark.
 * 1. Loopback TCP throughput without bpftop, then with its network programs
 *    attached (sock_send/recv_length, inet_sock_set_state…), alternating
 *    runs, at a large and a small write size (--no-throughput skips it).
 * 2. Refresh cost with N open sockets (N/2 loopback connections, both ends),
 *    for each N of --sockets (default 10000) — iter/tcp + iter/udp + decode +
 *    store, median of 25 refreshes — against `ss -tunap` listing the same
 *    sockets (median of 5 runs). Counts are measured smallest first; sockets
 *    a count leaves in TIME-WAIT are seen by the next one (by both tools).
 *
 *   bun scripts/bench/net.ts [--seconds 3] [--runs 3] [--sockets 100,1000,10000]
 *                            [--no-throughput] [--json] [--out DIR]
 *
 * --json prints {throughput: [...], refresh: [...]} instead of tables.
 * --out DIR also writes DIR/net-refresh.csv, DIR/net-throughput.csv (unless
 * --no-throughput) and DIR/raw/net.json. Needs root, like bpftop.
 */
import { parseArgs } from "node:util";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBpftop } from "../../src/bpf/bpftop.ts";
import { NetCollector } from "../../src/collect/net.ts";
import { NetStore } from "../../src/store/net.ts";
import { median, parseCounts, toCsv } from "./table.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    runs: { type: "string", default: "3" },
    sockets: { type: "string", default: "10000" },
    "no-throughput": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const socketCounts = parseCounts(values.sockets, "--sockets");
if (socketCounts.some((n) => n < 2)) throw new Error("--sockets: at least 2 (one connection, both ends)");
const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "bpftop-netbench-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const openNet = () => openBpftop({ tasks: false, events: false, net: { expectedSockets: Math.max(20000, 2 * Math.max(...socketCounts)), socketIo: true } });

interface Throughput { writeSize: number; runs: number; seconds: number; withoutMBps: number; withMBps: number; slowdownPct: number }
interface Refresh { requestedSockets: number; sockets: number; bpftopRefreshMs: number; ssLines: number; ssMs: number }

// 1. Throughput, alternating without/with so drift hits both alike.
const throughput: Throughput[] = [];
if (!values["no-throughput"]) {
  const blast = join(dir, "tcpblast");
  if (Bun.spawnSync(["cc", "-O2", "-o", blast, `${root}test/fixtures/tcpblast.c`]).exitCode !== 0) throw new Error("cc tcpblast.c failed");
  const mbps = (size: number) => Number(Bun.spawnSync([blast, values.seconds, String(size)]).stdout.toString().trim());
  const runs = Number(values.runs);
  for (const size of [131072, 1024]) {
    const without: number[] = [], withBpf: number[] = [];
    for (let i = 0; i < runs; i++) {
      without.push(mbps(size));
      const bpf = await openNet();
      withBpf.push(mbps(size));
      bpf.close();
    }
    const a = median(without), b = median(withBpf);
    throughput.push({ writeSize: size, runs, seconds: Number(values.seconds), withoutMBps: a, withMBps: b, slowdownPct: Math.round(((a - b) / a) * 1000) / 10 });
  }
}

// 2. Refresh with N sockets, per count.
const refresh: Refresh[] = [];
for (const n of socketCounts) refresh.push(await refreshCost(n));

if (values.out) {
  mkdirSync(join(values.out, "raw"), { recursive: true });
  writeFileSync(join(values.out, "raw", "net.json"), `${JSON.stringify({ throughput, refresh }, null, 2)}\n`);
  writeFileSync(
    join(values.out, "net-refresh.csv"),
    toCsv(
      ["requested_sockets", "sockets", "bpftop_refresh_ms", "ss_lines", "ss_ms"],
      refresh.map((r) => ({ requested_sockets: r.requestedSockets, sockets: r.sockets, bpftop_refresh_ms: r.bpftopRefreshMs, ss_lines: r.ssLines, ss_ms: r.ssMs })),
    ),
  );
  if (throughput.length > 0) {
    writeFileSync(
      join(values.out, "net-throughput.csv"),
      toCsv(
        ["write_size", "runs", "seconds", "without_mbps", "with_mbps", "slowdown_pct"],
        throughput.map((t) => ({ write_size: t.writeSize, runs: t.runs, seconds: t.seconds, without_mbps: t.withoutMBps, with_mbps: t.withMBps, slowdown_pct: t.slowdownPct })),
      ),
    );
  }
}

if (values.json) console.log(JSON.stringify({ throughput, refresh }));
else {
  if (throughput.length > 0) {
    console.log("write size   without bpftop   with bpftop   slowdown");
    for (const t of throughput) console.log(`${String(t.writeSize).padStart(10)}   ${t.withoutMBps.toFixed(0).padStart(9)} MB/s   ${t.withMBps.toFixed(0).padStart(6)} MB/s   ${t.slowdownPct}%`);
    console.log();
  }
  for (const r of refresh) {
    console.log(`${r.sockets} sockets: bpftop refresh (iter/tcp + iter/udp + decode + store) ${r.bpftopRefreshMs} ms median; ss -tunap (${r.ssLines} lines) ${r.ssMs} ms median`);
  }
}

/** Opens requested/2 loopback connections, times bpftop's network refresh and `ss -tunap` over them, closes them. */
async function refreshCost(requested: number): Promise<Refresh> {
  const pairs = Math.floor(requested / 2);
  const peer = (args: string[]) =>
    Bun.spawn(["sh", "-c", `ulimit -n ${pairs + 1000} && exec "$@"`, "sh", process.execPath, `${root}test/fixtures/net-peer.ts`, ...args], { stdin: "pipe", stdout: "pipe" });
  const firstLine = async (p: Bun.Subprocess<"pipe", "pipe", "inherit">) => new TextDecoder().decode((await p.stdout.getReader().read()).value).split("\n")[0]!;
  const peers: Bun.Subprocess<"pipe", "pipe", "inherit">[] = [];
  try {
    const sink = peer(["sink"]);
    peers.push(sink);
    const port = Number((await firstLine(sink)).split(" ")[1]);
    const many = peer(["many", String(port), String(pairs)]);
    peers.push(many);
    const said = await firstLine(many);
    if (said !== "done") throw new Error(`could not open ${pairs} connections: ${said}`);

    const bpf = await openNet();
    const net = new NetCollector({ ...bpf, tcpIter: bpf.tcpIter!, udpIter: bpf.udpIter!, connRecords: bpf.connRecords! });
    const store = new NetStore(String);
    const times: number[] = [];
    let sockets = 0;
    try {
      // The first refreshes walk every task's open files for the sockets' owners; not timed.
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        const c = net.collect();
        store.update(c, performance.now());
        times.push(performance.now() - t0);
        sockets = c.sockets.length;
      }
    } finally {
      net.close();
      bpf.close();
    }
    const ssTimes: number[] = [];
    let ssLines = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = Bun.spawnSync(["ss", "-tunap"]);
      ssTimes.push(performance.now() - t0);
      ssLines = r.stdout.toString().split("\n").length - 2;
    }
    return { requestedSockets: requested, sockets, bpftopRefreshMs: Math.round(median(times.slice(5)) * 1000) / 1000, ssLines, ssMs: Math.round(median(ssTimes) * 10) / 10 };
  } finally {
    // Gone before the next count opens its own.
    for (const p of peers) p.kill("SIGKILL");
    await Promise.all(peers.map((p) => p.exited));
  }
}
