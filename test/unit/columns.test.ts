import { expect, test } from "bun:test";
import { COLUMNS, DEFAULT_SORT, columnById } from "../../src/ui/columns.ts";
import { EVENT_COLUMNS } from "../../src/ui/event-columns.ts";
import { NETWORK_COLUMNS } from "../../src/ui/network-columns.ts";
import { makeConnection, makeEvent, makeRow } from "../tui/fixtures.ts";

test("every column has a unique id and header, a width and help", () => {
  expect(new Set(COLUMNS.map((c) => c.id)).size).toBe(COLUMNS.length);
  expect(new Set(COLUMNS.map((c) => c.header)).size).toBe(COLUMNS.length);
  for (const column of COLUMNS) {
    expect(column.header.length).toBeGreaterThan(0);
    expect(column.help.length).toBeGreaterThan(10);
    expect(column.width).toBeGreaterThanOrEqual(1);
  }
});

test("the columns are htop's plus network, GPU and ownership, Command last (it takes the rest of the row)", () => {
  expect(COLUMNS.map((c) => c.header)).toEqual([
    "PID", "USER", "PRI", "NI", "VIRT", "RES", "S", "CPU%", "MEM%", "TIME+", "THR", "TX/s", "RX/s",
    "GPU%", "GPU MEM", "UNIT", "CONTAINER", "CGROUP", "Command",
  ]);
  expect(columnById(DEFAULT_SORT).header).toBe("CPU%");
  // htop's columns are always shown; the rest come with their set.
  expect(COLUMNS.filter((c) => c.set !== undefined).map((c) => `${c.id}:${c.set}`)).toEqual([
    "netSend:network", "netReceive:network", "gpuPercent:gpu", "gpuMemory:gpu",
    "unit:owner", "container:owner", "cgroup:cgroup",
  ]);
});

test("a group line (group-by mode) draws only the columns that add up", () => {
  expect(COLUMNS.filter((c) => c.summed).map((c) => c.header)).toEqual([
    "RES", "CPU%", "MEM%", "TIME+", "THR", "TX/s", "RX/s", "GPU%", "GPU MEM",
  ]);
});

test("a fixed-width column's values fit its width", () => {
  const row = makeRow({
    pid: 4194304,
    priority: -100,
    nice: -20,
    vsizeBytes: 1023.9 * 1024 ** 3,
    cpuPercent: 1600,
    cpuTimeNs: 1e20,
    threads: 9999,
    gpuPercent: 800,
    gpuMemoryBytes: 1023.9 * 1024 ** 4,
    cgroup: "/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn.scope",
  });
  for (const column of COLUMNS.slice(0, -1)) {
    // Names: the table cuts them to the column.
    if (column.id === "user" || column.id === "unit" || column.id === "container") continue;
    expect(column.format(row).length).toBeLessThanOrEqual(column.width);
  }
});

test("formats: GPU memory like RES, ownership names or -, a long cgroup path keeps its end", () => {
  const gpu = makeRow({ pid: 1, gpuMemoryBytes: 6 * 1024 ** 3, gpuPercent: 37.5 });
  expect(columnById("gpuMemory").format(gpu)).toBe("6.00G");
  expect(columnById("gpuPercent").format(gpu)).toBe("37.5");
  const container = { id: "4f3a2b1c9d8e".repeat(5) + "abcd", name: "web-1", runtime: "docker" as const };
  const boxed = makeRow({ pid: 2, unit: "docker-4f3a.scope", container, cgroup: "/system.slice/docker-4f3a.scope" });
  expect(columnById("unit").format(boxed)).toBe("docker-4f3a.scope");
  expect(columnById("container").format(boxed)).toBe("web-1");
  expect(columnById("cgroup").format(boxed)).toBe("…tem.slice/docker-4f3a.scope");
  expect(columnById("cgroup").format(boxed, 16)).toBe("…cker-4f3a.scope");
  const bare = makeRow({ pid: 3, unit: "", cgroup: "" });
  expect((["unit", "container", "cgroup"] as const).map((id) => columnById(id).format(bare))).toEqual(["-", "-", "-"]);
});

test("formats: PRI shows RT for real-time, sizes and times like htop", () => {
  const rt = makeRow({ pid: 7, priority: -100 });
  expect(columnById("pri").format(rt)).toBe("RT");
  expect(columnById("pri").format(makeRow({ pid: 8, priority: 20 }))).toBe("20");
  expect(columnById("res").format(makeRow({ pid: 9, rssBytes: 12.3 * 1024 ** 2 }))).toBe("12.3M");
  expect(columnById("time").format(makeRow({ pid: 9, cpuTimeNs: 61.5e9 }))).toBe("1:01.50");
  expect(columnById("command").format(makeRow({ pid: 9, cmdline: "evil\x1b]0;title\x07" }))).toBe("evil?]0;title?");
});

test("compare orders ascending; numeric columns default to descending", () => {
  const small = makeRow({ pid: 1, cpuPercent: 1, user: "alice" });
  const big = makeRow({ pid: 2, cpuPercent: 50, user: "bob" });
  expect(columnById("cpu").compare(small, big)).toBeLessThan(0);
  expect(columnById("user").compare(big, small)).toBeGreaterThan(0);
  expect(columnById("cpu").defaultDesc).toBe(true);
  expect(columnById("pid").defaultDesc).toBe(false);
});

test("an exited process's command ends with how it ended", () => {
  const command = columnById("command");
  const ended = { coreDumped: false, timeMs: 10_250 };
  expect(command.format(makeRow({ pid: 1, cmdline: "make all", exit: { ...ended, code: 2 } }))).toBe(
    "make all [exit 2]",
  );
  expect(command.format(makeRow({ pid: 1, cmdline: "sleep 9", exit: { ...ended, signal: 15 } }))).toBe(
    "sleep 9 [killed: SIGTERM]",
  );
  const shortLived = makeRow({
    pid: 1,
    cmdline: "true",
    shortLived: true,
    startTimeMs: 10_000,
    exit: { ...ended, code: 0 },
  });
  expect(command.format(shortLived)).toBe("true [exit 0, ran 250ms]");
});

test("every events column has a unique id and header, and fixed-width values fit", () => {
  expect(new Set(EVENT_COLUMNS.map((c) => c.id)).size).toBe(EVENT_COLUMNS.length);
  expect(new Set(EVENT_COLUMNS.map((c) => c.header)).size).toBe(EVENT_COLUMNS.length);
  expect(EVENT_COLUMNS.filter((c) => c.grow).map((c) => c.id)).toEqual(["detail"]);
  const exit = makeEvent(1, "exit", {
    pid: 4194304,
    ppid: 4194303,
    exit: { signal: 11, coreDumped: true, timeMs: 0 },
    durationMs: 999 * 86_400_000,
    cpuTimeNs: 999 * 86_400e9,
    peakRssBytes: 1023.9 * 1024 ** 3,
  });
  for (const column of EVENT_COLUMNS) {
    if (column.grow || column.id === "user" || column.id === "comm") continue;
    expect(column.format(exit).length).toBeLessThanOrEqual(column.width);
  }
  const exec = makeEvent(2, "exec", { filename: "/usr/bin/env" });
  expect(EVENT_COLUMNS.map((c) => c.format(exec)).slice(1, 2)).toEqual(["EXEC"]);
  expect(EVENT_COLUMNS.find((c) => c.id === "detail")!.format(exec)).toBe("/usr/bin/env");
  expect(EVENT_COLUMNS.find((c) => c.id === "duration")!.format(exec)).toBe("");
});

test("every network column has a unique id and header and help; fixed-width values fit", () => {
  expect(new Set(NETWORK_COLUMNS.map((c) => c.id)).size).toBe(NETWORK_COLUMNS.length);
  expect(new Set(NETWORK_COLUMNS.map((c) => c.header)).size).toBe(NETWORK_COLUMNS.length);
  expect(NETWORK_COLUMNS.filter((c) => c.grow).map((c) => c.id)).toEqual(["remote"]);
  const busiest = makeConnection({
    id: "1",
    family: 6,
    localAddr: "2001:db8:85a3:1234:5678:8a2e:370:7334",
    localPort: 65535,
    remoteAddr: "2001:db8:85a3:1234:5678:8a2e:370:7335",
    remotePort: 65535,
    state: "CLOSE_WAIT",
    pid: 4194304,
    bytesSent: 1023.9 * 1024 ** 4,
    bytesReceived: 1023.9 * 1024 ** 4,
    packetsSent: 9_999_999_999,
    packetsReceived: 9_999_999_999,
    sendRate: 1023.9 * 1024 ** 3,
    receiveRate: 1023.9 * 1024 ** 3,
    rttUs: 9_999_900,
    retransmits: 9_999_999,
    approximate: true,
  });
  for (const column of NETWORK_COLUMNS) {
    if (column.id === "comm") continue;
    expect(column.format(busiest).length).toBeLessThanOrEqual(column.width);
  }
});

test("network formats: rates and byte counts, ~ for TCP's own counts, RTT in ms, - when unknown", () => {
  const format = (id: string, fields: Parameters<typeof makeConnection>[0]) =>
    NETWORK_COLUMNS.find((c) => c.id === id)!.format(makeConnection(fields));
  expect(format("proto", { id: "1", proto: "udp", family: 6 })).toBe("udp6");
  expect(format("sent", { id: "1", bytesSent: 12.3 * 1024 ** 2 })).toBe("12.3M");
  expect(format("received", { id: "1", bytesReceived: 600, approximate: true })).toBe("~600B");
  expect(format("sendRate", { id: "1", sendRate: 0 })).toBe("0");
  expect(format("rtt", { id: "1", rttUs: 12_345 })).toBe("12.3");
  expect(format("rtt", { id: "1", rttUs: 0 })).toBe("-");
  expect(format("pid", { id: "1", pid: 0 })).toBe("-");
  expect(format("state", { id: "1", state: "FIN_WAIT2", closed: { timeMs: 0 } })).toBe("CLOSED");
});
