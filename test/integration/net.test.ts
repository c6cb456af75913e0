/**
 * The network lens against the real kernel, on 127.0.0.1 only: exact byte
 * counts and owners at both ends, TCP and UDP, the connection lifecycle, a
 * connection too short for any refresh, 2,000 concurrent connections, and
 * the CSV log's SIGTERM flush.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Monitor } from "../../src/store/monitor.ts";
import type { ConnectionRow } from "../../src/store/types.ts";
import { describeBpf } from "../helpers/privileges.ts";

const root = new URL("../..", import.meta.url).pathname;
const peers: Bun.Subprocess[] = [];
const work = mkdtempSync(join(tmpdir(), "bpftop-net-"));

/** Start a peer; resolve with it and the first line it prints ("port N" or "done"). */
async function peer(args: string[], opts: { ulimit?: number } = {}): Promise<{ p: Bun.Subprocess<"pipe", "pipe", "inherit">; line: () => Promise<string> }> {
  const cmd = [process.execPath, `${root}test/fixtures/net-peer.ts`, ...args];
  const argv = opts.ulimit ? ["sh", "-c", `ulimit -n ${opts.ulimit} && exec "$@"`, "sh", ...cmd] : cmd;
  const p = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  peers.push(p);
  const reader = p.stdout.getReader();
  let buffered = "";
  const line = async () => {
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`peer ${args[0]} ended`);
      buffered += new TextDecoder().decode(value);
    }
    const i = buffered.indexOf("\n");
    const l = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    return l;
  };
  return { p, line };
}

const portOf = (line: string) => Number(/^port (\d+)$/.exec(line)?.[1] ?? NaN);
const find = (rows: readonly ConnectionRow[], pred: (r: ConnectionRow) => boolean) => rows.filter(pred);

describeBpf("network lens", () => {
  let monitor: Monitor;
  beforeAll(async () => {
    monitor = await Monitor.open({ net: true });
  });
  afterAll(() => {
    for (const p of peers) p.kill("SIGKILL");
    monitor?.close();
  });

  test("TCP: exact bytes both ways, owners at both ends, states and an RTT; final counters at close", async () => {
    const server = await peer(["tcp-server", "7654321", "1234567"]);
    const port = portOf(await server.line());
    monitor.refresh();
    const client = await peer(["tcp-client", String(port), "1234567", "7654321"]);
    expect(await client.line()).toBe("done");
    expect(await server.line()).toBe("done");
    const rows = monitor.refresh().connections;
    const [c] = find(rows, (r) => r.proto === "tcp" && r.remotePort === port && r.state === "ESTABLISHED");
    const [s] = find(rows, (r) => r.proto === "tcp" && r.localPort === port && r.state === "ESTABLISHED");
    expect(c).toMatchObject({ pid: client.p.pid, bytesSent: 1234567, bytesReceived: 7654321, approximate: false, local: `127.0.0.1:${c!.localPort}`, remote: `127.0.0.1:${port}` });
    expect(s).toMatchObject({ pid: server.p.pid, bytesSent: 7654321, bytesReceived: 1234567, approximate: false, remote: `127.0.0.1:${c!.localPort}` });
    expect(c!.statesSeen).toEqual(["ESTABLISHED", "SYN_SENT"]);
    expect(s!.statesSeen).toEqual(["ESTABLISHED", "SYN_RECV"]);
    expect(c!.rttUs).toBeGreaterThan(0);
    expect(c!.packetsSent).toBeGreaterThan(2);
    expect(find(rows, (r) => r.localPort === port && r.state === "LISTEN")[0]?.pid).toBe(server.p.pid);

    client.p.kill("SIGKILL");
    await client.p.exited;
    await Bun.sleep(100);
    const after = monitor.refresh().connections;
    const closed = find(after, (r) => r.closed !== undefined && r.id === c!.id)[0]!;
    expect(closed).toMatchObject({ bytesSent: 1234567, bytesReceived: 7654321, pid: client.p.pid, state: "CLOSE" });
    expect(closed.statesSeen).toContain("SYN_SENT");
  });

  test("UDP: 100 datagrams of 1,000 bytes each way, with both owners", async () => {
    const server = await peer(["udp-server"]);
    const port = portOf(await server.line());
    const client = await peer(["udp-client", String(port), "100", "1000"]);
    expect(await client.line()).toBe("done");
    const rows = monitor.refresh().connections;
    const [c] = find(rows, (r) => r.proto === "udp" && r.remotePort === port);
    const [s] = find(rows, (r) => r.proto === "udp" && r.localPort === port);
    expect(c).toMatchObject({ pid: client.p.pid, state: "CONNECTED", bytesSent: 100_000, bytesReceived: 100_000, packetsSent: 100, packetsReceived: 100 });
    expect(s).toMatchObject({ pid: server.p.pid, state: "UNCONN", remote: "*:*", bytesSent: 100_000, bytesReceived: 100_000, packetsSent: 100, packetsReceived: 100 });
  });

  test("per-process TX/s and RX/s: the bytes over the period, and back to 0 once the traffic stops", async () => {
    const server = await peer(["udp-server"]);
    const port = portOf(await server.line());
    monitor.refresh();
    const client = await peer(["udp-client", String(port), "50", "2000"]);
    expect(await client.line()).toBe("done");
    const busy = monitor.refresh();
    const seconds = busy.info.periodMs / 1000;
    const row = (pid: number | undefined) => busy.rows.find((r) => r.pid === pid && !r.isThread)!;
    expect(row(client.p.pid).netSendRate * seconds).toBeCloseTo(100_000, 3);
    expect(row(client.p.pid).netReceiveRate * seconds).toBeCloseTo(100_000, 3);
    expect(row(server.p.pid).netReceiveRate * seconds).toBeCloseTo(100_000, 3);
    expect(row(process.pid).netSendRate).toBe(0);
    const quiet = monitor.refresh();
    expect(quiet.rows.find((r) => r.pid === client.p.pid)).toMatchObject({ netSendRate: 0, netReceiveRate: 0 });
    expect(quiet.rows.find((r) => r.pid === server.p.pid)).toMatchObject({ netSendRate: 0, netReceiveRate: 0 });
  });

  test("2,000 concurrent connections are all listed, and leave with their sockets", async () => {
    const sink = await peer(["sink"], { ulimit: 8192 });
    const port = portOf(await sink.line());
    const many = await peer(["many", String(port), "2000"], { ulimit: 8192 });
    expect(await many.line()).toBe("done");
    await Bun.sleep(200);
    let rows = monitor.refresh().connections;
    expect(find(rows, (r) => r.remotePort === port && r.state === "ESTABLISHED" && !r.closed).length).toBe(2000);
    expect(find(rows, (r) => r.localPort === port && r.state === "ESTABLISHED" && !r.closed).length).toBe(2000);
    expect(new Set(find(rows, (r) => r.remotePort === port).map((r) => r.pid))).toEqual(new Set([0, many.p.pid].filter((p) => p)));
    const clientIds = new Set(find(rows, (r) => r.remotePort === port).map((r) => r.id));
    many.p.kill("SIGKILL");
    await many.p.exited;
    // Every client socket closes (FIN_WAIT → CLOSE as the peer's kernel answers) with one close record.
    const closedIds = new Set<string>();
    for (const end = Date.now() + 10_000; closedIds.size < 2000 && Date.now() < end; await Bun.sleep(100)) {
      for (const r of monitor.refresh().connections) if (r.closed && r.remotePort === port) closedIds.add(r.id);
    }
    expect(closedIds).toEqual(clientIds);
    rows = monitor.refresh().connections;
    expect(find(rows, (r) => r.remotePort === port && !r.closed && r.state !== "TIME_WAIT").length).toBe(0);
  }, 60_000);

  test("a connection that lives a few ms between two refreshes is in the CSV log; SIGTERM flushes the log", async () => {
    const server = await peer(["tcp-server", "0", "10000"]);
    const port = portOf(await server.line());
    const log = join(work, "conns.csv");
    const logger = Bun.spawn([process.execPath, `${root}src/cli.ts`, "net", "--no-tui", "--log", log, "-d", "1000", "--port", String(port)], { stderr: "pipe" });
    await Bun.sleep(1500);
    const t0 = performance.now();
    const quick = await peer(["quick", String(port), "10000"]);
    expect(await quick.line()).toBe("done");
    expect(performance.now() - t0).toBeLessThan(1000);
    await Bun.sleep(150);
    logger.kill("SIGTERM");
    expect(await logger.exited).toBe(0);
    expect(await new Response(logger.stderr).text()).toBe("");
    const text = readFileSync(log, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const [header, ...lines] = text.trimEnd().split("\n");
    expect(header).toBe("timestamp,proto,local,remote,state,pid,comm,bytes_sent,bytes_received,packets_sent,packets_received,rtt_us,retransmits,closed");
    const rows = lines.map((l) => l.split(","));
    const clientClosed = rows.filter((r) => r[3] === `127.0.0.1:${port}` && r[13] === "1");
    expect(clientClosed).toHaveLength(1);
    const [pid, , sent, received] = clientClosed[0]!.slice(5, 9);
    expect([pid, sent, received]).toEqual([String(quick.p.pid), "10000", "0"]);
    const serverSide = rows.filter((r) => r[2] === `127.0.0.1:${port}` && r[4] !== "LISTEN" && r[8] === "10000");
    expect(serverSide.length).toBeGreaterThan(0);
    expect(serverSide.every((r) => r[5] === String(server.p.pid))).toBe(true);
  });

  test("a socket opened before bpftop started gets its owner from the open-files walk", async () => {
    const early = await peer(["sink"]);
    const port = portOf(await early.line());
    const late = await Monitor.open({ net: true });
    try {
      const [listener] = find(late.refresh().connections, (r) => r.localPort === port && r.state === "LISTEN");
      expect(listener).toMatchObject({ pid: early.p.pid, approximate: true });
    } finally {
      late.close();
    }
  });

  test("without sock_send_length the view still works from the iterators, and says why", async () => {
    const degraded = await Monitor.open({ net: true, socketIo: false });
    try {
      const server = await peer(["tcp-server", "50000", "30000"]);
      const port = portOf(await server.line());
      const client = await peer(["tcp-client", String(port), "30000", "50000"]);
      expect(await client.line()).toBe("done");
      const s = degraded.refresh();
      const [c] = find(s.connections, (r) => r.remotePort === port && r.state === "ESTABLISHED");
      // TCP's own counters: exact here (the SYN is taken off), marked approximate; the owner from connect().
      expect(c).toMatchObject({ bytesSent: 30000, bytesReceived: 50000, approximate: true, pid: client.p.pid });
      expect(s.netStats.degraded).toBe("per-socket bytes and owners turned off: TCP counters only");
      expect(s.info.warnings).toContain("per-socket bytes and owners turned off: TCP counters only");
    } finally {
      degraded.close();
    }
  });

  test("a process named with a comma and a quote is escaped in the CSV", async () => {
    const server = await peer(["tcp-server", "5", "5"]);
    const port = portOf(await server.line());
    const log = join(work, "escape.csv");
    const logger = Bun.spawn([process.execPath, `${root}src/cli.ts`, "net", "--once", "--log", log, "-d", "500", "--port", String(port)], { stdout: "ignore" });
    await Bun.sleep(200);
    const client = await peer(["--comm", 'a,b"c', "tcp-client", String(port), "5", "5"]);
    expect(await client.line()).toBe("done");
    expect(await logger.exited).toBe(0);
    expect(readFileSync(log, "utf8")).toContain(`,${client.p.pid},"a,b""c",5,5,`);
  });
});
