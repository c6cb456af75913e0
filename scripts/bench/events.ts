/**
 * Process-event pipeline benchmark: G generators fork+exec /bin/true as fast
 * as they can for S seconds while bpftop's trace pipeline (ring buffer drain,
 * decode, ProcessEvent, text line) runs in this process. Reports events/s,
 * drops, and this process's CPU per 1,000 events.
 *
 *   bun scripts/bench/events.ts [--seconds 10] [--generators 1,2] [--ring-kib 8192] [--json] [--out DIR]
 *
 * --out DIR also writes DIR/events.csv and DIR/raw/events.json.
 */
import { parseArgs } from "node:util";
import { mkdirSync, mkdtempSync, openSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBpftop } from "../../src/bpf/bpftop.ts";
import { PAGE_SIZE } from "../../src/bpf/libc.ts";
import { EventCollector } from "../../src/collect/events.ts";
import { toProcessEvent } from "../../src/store/events.ts";
import { traceLine } from "../../src/output/trace.ts";
import { toCsv } from "./table.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    generators: { type: "string", default: "1,2" },
    "ring-kib": { type: "string", default: String(8 << 10) },
    json: { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "bpftop-bench-"));
const forkexec = join(dir, "forkexec");
const cc = Bun.spawnSync(["cc", "-O2", "-o", forkexec, `${root}test/fixtures/forkexec.c`]);
if (cc.exitCode !== 0) throw new Error(cc.stderr.toString());
const devNull = openSync("/dev/null", "w");

interface Result { generators: number; seconds: number; started: number; events: number; eventsPerSec: number; dropped: number; cpuMsPer1000: number; ringKiB: number }
const results: Result[] = [];

for (const g of values.generators.split(",").map(Number)) {
  const ringBytes = Number(values["ring-kib"]) * 1024;
  const bpf = await openBpftop({ tasks: false, events: { fork: false, ringBytes } });
  const events = new EventCollector(bpf, 100);
  let count = 0;
  let seq = 0;
  const cpu0 = process.cpuUsage();
  const pump = setInterval(() => {
    const batch = events.take();
    for (const r of batch.records) {
      const e = toProcessEvent(r, ++seq, batch.bootToEpochMs, String, PAGE_SIZE);
      if (e) writeSync(devNull, `${traceLine(e)}\n`);
    }
    count += batch.records.length;
  }, 50);
  const t0 = performance.now();
  const gens = Array.from({ length: g }, () => Bun.spawn([forkexec, values.seconds, "/bin/true"], { stdout: "pipe" }));
  const started = (await Promise.all(gens.map((p) => new Response(p.stdout).text()))).reduce((n, s) => n + Number(s.trim()), 0);
  await Bun.sleep(300);
  clearInterval(pump);
  const last = events.take();
  count += last.records.length;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  events.close();
  bpf.close();
  results.push({
    generators: g,
    seconds: Number(values.seconds),
    started,
    events: count,
    eventsPerSec: Math.round(count / elapsed),
    dropped: last.dropped,
    cpuMsPer1000: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, count)) * 1000 * 100) / 100,
    ringKiB: ringBytes / 1024,
  });
}

if (values.out) {
  mkdirSync(join(values.out, "raw"), { recursive: true });
  writeFileSync(join(values.out, "raw", "events.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(
    join(values.out, "events.csv"),
    toCsv(
      ["generators", "seconds", "processes_started", "events", "events_per_s", "dropped", "cpu_ms_per_1000_events", "ring_kib"],
      results.map((r) => ({
        generators: r.generators,
        seconds: r.seconds,
        processes_started: r.started,
        events: r.events,
        events_per_s: r.eventsPerSec,
        dropped: r.dropped,
        cpu_ms_per_1000_events: r.cpuMsPer1000,
        ring_kib: r.ringKiB,
      })),
    ),
  );
}

if (values.json) console.log(JSON.stringify(results));
else {
  console.log("generators  processes  events   events/s  dropped  CPU ms/1000 events  ring");
  for (const r of results) {
    console.log(
      `${String(r.generators).padStart(10)}  ${String(r.started).padStart(9)}  ${String(r.events).padStart(7)}  ${String(r.eventsPerSec).padStart(8)}  ${String(r.dropped).padStart(7)}  ${String(r.cpuMsPer1000).padStart(18)}  ${r.ringKiB} KiB`,
    );
  }
}
