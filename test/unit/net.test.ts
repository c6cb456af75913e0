import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnFlags, type ConnRecord } from "../../src/bpf/records.ts";
import { CsvLog, csvField, csvRow } from "../../src/output/csv.ts";
import { addressText, NetStore, toRow, wireBytes } from "../../src/store/net.ts";
import { connectionMatches } from "../../src/store/query.ts";

function conn(over: Partial<ConnRecord> = {}): ConnRecord {
  return {
    cookie: 1, bytesSent: 100, bytesReceived: 200, sends: 3, recvs: 4, wireBytesAcked: 101, wireBytesReceived: 201,
    firstSeenNs: 1, tsNs: 0, segsOut: 5, segsIn: 6, srttUs: 250, retransmits: 0, cwnd: 10, resetsSent: 0, resetsReceived: 0,
    tgid: 42, uid: 0, state: 1, statesSeen: (1 << 1) | (1 << 2), flags: ConnFlags.bornSeen | ConnFlags.ownerKnown,
    family: 2, protocol: 6, lport: 5000, rport: 80, laddr: new Uint8Array([127, 0, 0, 1]), raddr: new Uint8Array([10, 0, 0, 2]), comm: "curl",
    ...over,
  };
}
const v6 = (...groups: number[]) => new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff]));

test("address text: IPv4, compressed IPv6, IPv4-mapped IPv6 as IPv4", () => {
  expect(addressText(new Uint8Array([192, 168, 1, 20]))).toBe("192.168.1.20");
  expect(addressText(v6(0, 0, 0, 0, 0, 0, 0, 1))).toBe("::1");
  expect(addressText(v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1))).toBe("2001:db8::1:0:0:1");
  expect(addressText(v6(0xfe80, 0, 0, 0, 0x1ff, 0xfe23, 0x4567, 0x890a))).toBe("fe80::1ff:fe23:4567:890a");
  expect(addressText(v6(0, 0, 0, 0, 0, 0xffff, 0x7f00, 0x0001))).toBe("127.0.0.1");
  expect(addressText(v6(0, 0, 0, 0, 0, 0, 0, 0))).toBe("::");
});

describe("rows", () => {
  test("a traced TCP connection: exact application bytes, owner, states, endpoints", () => {
    const r = toRow(conn(), "1", (u) => (u === 0 ? "root" : String(u)));
    expect(r).toMatchObject({ proto: "tcp", local: "127.0.0.1:5000", remote: "10.0.0.2:80", state: "ESTABLISHED", pid: 42, comm: "curl", user: "root", bytesSent: 100, bytesReceived: 200, packetsSent: 5, approximate: false, rttUs: 250 });
    expect(r.statesSeen).toEqual(["ESTABLISHED", "SYN_SENT"]);
  });

  test("a socket older than bpftop: TCP's wire counters without SYN and FINs, marked approximate, owner unknown", () => {
    const r = toRow(conn({ flags: 0, bytesSent: 7, wireBytesAcked: 5001, wireBytesReceived: 300 }), "1", String);
    expect(r).toMatchObject({ bytesSent: 5000, bytesReceived: 300, approximate: true, pid: 0, comm: "" });
    // TIME_WAIT: our FIN was acked and the peer's arrived.
    expect(wireBytes({ wireBytesAcked: 5002, wireBytesReceived: 301, state: 6 })).toEqual({ sent: 5000, received: 300 });
    expect(wireBytes({ wireBytesAcked: 0, wireBytesReceived: 0, state: 10 })).toEqual({ sent: 0, received: 0 });
  });

  test("without sock_send_length (kernel < 6.3) TCP bytes come from the wire counters", () => {
    expect(toRow(conn(), "1", String, undefined, false)).toMatchObject({ bytesSent: 100, bytesReceived: 201, approximate: true });
  });

  test("IPv6 endpoints in brackets; listeners and unconnected UDP have no remote", () => {
    const six = toRow(conn({ family: 10, laddr: v6(0, 0, 0, 0, 0, 0, 0, 1), raddr: v6(0, 0, 0, 0, 0, 0, 0, 1), lport: 443, state: 10 }), "1", String);
    expect(six).toMatchObject({ local: "[::1]:443", remote: "*:*", state: "LISTEN" });
    const udp = toRow(conn({ protocol: 17, state: 7, rport: 0 }), "1", String);
    expect(udp).toMatchObject({ proto: "udp", state: "UNCONN", remote: "*:*", packetsSent: 3, packetsReceived: 4 });
  });
});

describe("NetStore", () => {
  const net = (sockets: ConnRecord[], closed: ConnRecord[] = []) => ({ sockets, closed, dropped: 0, bootToEpochMs: 1_000_000, arrayFill: { used: sockets.length, capacity: 8192 }, walkMs: 0 });

  test("rates from two samples, per connection and per process", () => {
    const s = new NetStore(String);
    s.update(net([conn({ cookie: 1 }), conn({ cookie: 2, tgid: 43 })]), 0);
    s.update(net([conn({ cookie: 1, bytesSent: 2100 }), conn({ cookie: 2, tgid: 43, bytesReceived: 1200 })]), 2000);
    const byId = new Map(s.rows.map((r) => [r.id, r]));
    expect(byId.get("1")!.sendRate).toBe(1000);
    expect(byId.get("2")!.receiveRate).toBe(500);
    expect(s.rateByPid.get(42)).toEqual({ send: 1000, receive: 0 });
    expect(s.stats).toMatchObject({ connections: 2, byState: { ESTABLISHED: 2 }, sendRate: 1000, receiveRate: 500 });
  });

  test("a closed connection stays three refreshes with its final counters, then goes", () => {
    const s = new NetStore(String);
    s.update(net([conn({ cookie: 9 })]), 0);
    s.update(net([], [conn({ cookie: 9, state: 7, bytesSent: 555, tsNs: 5e6 })]), 1000);
    expect(s.closedNow.map((r) => r.id)).toEqual(["9"]);
    expect(s.rows[0]).toMatchObject({ id: "9", bytesSent: 555, state: "CLOSE", closed: { timeMs: 1_000_005 } });
    expect(s.stats.connections).toBe(0);
    s.update(net([]), 2000);
    expect(s.closedNow).toEqual([]);
    s.update(net([]), 3000);
    expect(s.rows).toHaveLength(1);
    s.update(net([]), 4000);
    expect(s.rows).toHaveLength(0);
  });

  test("filters: port (local or remote), pid, protocol", () => {
    const r = toRow(conn(), "1", String);
    expect(connectionMatches(r, {})).toBe(true);
    expect(connectionMatches(r, { ports: [80] })).toBe(true);
    expect(connectionMatches(r, { ports: [5000] })).toBe(true);
    expect(connectionMatches(r, { ports: [22] })).toBe(false);
    expect(connectionMatches(r, { pids: [42] })).toBe(true);
    expect(connectionMatches(r, { pids: [1] })).toBe(false);
    expect(connectionMatches(r, { proto: "udp" })).toBe(false);
  });
});

describe("CSV", () => {
  const dir = mkdtempSync(join(tmpdir(), "bpftop-csv-"));
  const row = toRow(conn({ comm: 'x,"y"' }), "1", String);

  test("fields are quoted only when needed, quotes doubled", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('a,b"c')).toBe('"a,b""c"');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvRow(row, Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02T03:04:05.000Z,tcp,127.0.0.1:5000,10.0.0.2:80,ESTABLISHED,42,"x,""y""",100,200,5,6,250,0,0');
  });

  test("the header is written once; later runs append", () => {
    const path = join(dir, "a.csv");
    const a = new CsvLog(path);
    a.write([row], 0);
    a.close();
    const b = new CsvLog(path);
    b.write([row], 0);
    b.close();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]!.startsWith("timestamp,proto,")).toBe(true);
  });

  test("an unwritable path is one clear error", () => {
    writeFileSync(join(dir, "file"), "");
    expect(() => new CsvLog(join(dir, "file", "x.csv"))).toThrow(/^cannot open log .*x\.csv: .*\(ENOTDIR\)$/);
  });

  const mnt = mkdtempSync(join(tmpdir(), "bpftop-full-"));
  afterAll(() => Bun.spawnSync(["umount", mnt]));

  test.skipIf(process.getuid?.() !== 0)("a full disk: a clear error and never half a line", () => {
    expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mnt]).exitCode).toBe(0);
    const path = join(mnt, "full.csv");
    const log = new CsvLog(path);
    let error: Error | undefined;
    try {
      for (let i = 0; i < 10_000; i++) log.write([row, row, row], 0);
    } catch (e) {
      error = e as Error;
    }
    log.close();
    expect(error?.message).toBe(`writing log ${path} failed: no space left on device (ENOSPC)`);
    const text = readFileSync(path, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(statSync(path).size).toBe(Buffer.byteLength(text));
    for (const line of text.trimEnd().split("\n").slice(1)) expect(line.split(",").length).toBe(15);
  });
});
