/**
 * Network lens benchmark.
 * 1. Loopback TCP throughput without bpftop, then with its network programs
 *    attached (sock_send/recv_length, inet_sock_set_state…), alternating
 *    runs, at a large and a small write size.
 * 2. Refresh cost with N open sockets (default 10,000: 5,000 connections,
 *    both ends) — iter/tcp + iter/udp + decode + store — against `ss -tunap`
 *    listing the same sockets.
 *
 *   bun scripts/bench/net.ts [--seconds 3] [--runs 3] [--sockets 10000] [--json]
 */
import { parseArgs } from "node:util";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBpftop } from "../../src/bpf/bpftop.ts";
import { NetCollector } from "../../src/collect/net.ts";
import { NetStore } from "../../src/store/net.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    runs: { type: "string", default: "3" },
    sockets: { type: "string", default: "10000" },
    json: { type: "boolean", default: false },
  },
});
const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "bpftop-netbench-"));
const blast = join(dir, "tcpblast");
if (Bun.spawnSync(["cc", "-O2", "-o", blast, `${root}test/fixtures/tcpblast.c`]).exitCode !== 0) throw new Error("cc tcpblast.c failed");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mbps = (size: number) => Number(Bun.spawnSync([blast, values.seconds, String(size)]).stdout.toString().trim());
const openNet = () => openBpftop({ tasks: false, events: false, net: { expectedSockets: 20000, socketIo: true } });

// 1. Throughput, alternating without/with so drift hits both alike.
const throughput: { writeSize: number; withoutMBps: number; withMBps: number; slowdownPct: number }[] = [];
for (const size of [131072, 1024]) {
  const without: number[] = [], withBpf: number[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    without.push(mbps(size));
    const bpf = await openNet();
    withBpf.push(mbps(size));
    bpf.close();
  }
  const a = median(without), b = median(withBpf);
  throughput.push({ writeSize: size, withoutMBps: a, withMBps: b, slowdownPct: Math.round(((a - b) / a) * 1000) / 10 });
}

// 2. Refresh with N sockets.
const pairs = Math.floor(Number(values.sockets) / 2);
const peer = (args: string[]) =>
  Bun.spawn(["sh", "-c", `ulimit -n ${pairs + 1000} && exec "$@"`, "sh", process.execPath, `${root}test/fixtures/net-peer.ts`, ...args], { stdin: "pipe", stdout: "pipe" });
const firstLine = async (p: Bun.Subprocess<"pipe", "pipe", "inherit">) => new TextDecoder().decode((await p.stdout.getReader().read()).value).split("\n")[0]!;
const sink = peer(["sink"]);
const port = Number((await firstLine(sink)).split(" ")[1]);
const many = peer(["many", String(port), String(pairs)]);
if ((await firstLine(many)) !== "done") throw new Error("could not open the connections");

const bpf = await openNet();
const net = new NetCollector({ ...bpf, tcpIter: bpf.tcpIter!, udpIter: bpf.udpIter!, connRecords: bpf.connRecords! });
const store = new NetStore(String);
const times: number[] = [];
let sockets = 0;
for (let i = 0; i < 30; i++) {
  const t0 = performance.now();
  const c = net.collect();
  store.update(c, performance.now());
  times.push(performance.now() - t0);
  sockets = c.sockets.length;
}
net.close();
bpf.close();
const ssTimes: number[] = [];
let ssLines = 0;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const r = Bun.spawnSync(["ss", "-tunap"]);
  ssTimes.push(performance.now() - t0);
  ssLines = r.stdout.toString().split("\n").length - 2;
}
many.kill("SIGKILL");
sink.kill("SIGKILL");

const refresh = { sockets, bpftopRefreshMs: Math.round(median(times.slice(5)) * 100) / 100, ssLines, ssMs: Math.round(median(ssTimes) * 10) / 10 };
if (values.json) console.log(JSON.stringify({ throughput, refresh }));
else {
  console.log("write size   without bpftop   with bpftop   slowdown");
  for (const t of throughput) console.log(`${String(t.writeSize).padStart(10)}   ${t.withoutMBps.toFixed(0).padStart(9)} MB/s   ${t.withMBps.toFixed(0).padStart(6)} MB/s   ${t.slowdownPct}%`);
  console.log(`\n${refresh.sockets} sockets: bpftop refresh (iter/tcp + iter/udp + decode + store) ${refresh.bpftopRefreshMs} ms median; ss -tunap (${refresh.ssLines} lines) ${refresh.ssMs} ms median`);
}
