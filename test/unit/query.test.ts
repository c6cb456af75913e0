import { describe, expect, test } from "bun:test";
import {
  buildView,
  connectionState,
  countAfter,
  findConnectionMatch,
  findEventMatch,
  findMatch,
  groupByOwner,
  rowOrder,
  selectConnections,
  selectEvents,
  topTalkers,
  type ConnectionQuery,
  type ViewQuery,
  type ViewRow,
} from "../../src/store/query.ts";
import type { ConnectionRow, ProcessEvent, ProcessEventKind, ProcessRow } from "../../src/store/types.ts";
import { columnById } from "../../src/ui/columns.ts";
import { NETWORK_COLUMNS } from "../../src/ui/network-columns.ts";
import {
  makeConnection,
  makeEvent,
  makeRow,
  makeThread,
  sampleConnections,
  sampleEvents,
} from "../tui/fixtures.ts";

const byCpu = { compare: columnById("cpu").compare, desc: true };
const byPid = { compare: columnById("pid").compare, desc: false };

function query(fields: Partial<ViewQuery> = {}): ViewQuery {
  return { filter: "", showKernelThreads: true, showShortLived: false, sort: byPid, tree: false, ...fields };
}

const pids = (view: readonly ViewRow[]) => view.map((v) => v.row.pid);
/** "prefix + pid" per row, for asserting tree drawings. */
const drawing = (view: readonly ViewRow[]) => view.map((v) => `${v.prefix}${v.row.pid}`);

describe("sort", () => {
  const rows = [
    makeRow({ pid: 30, cpuPercent: 5, user: "carol" }),
    makeRow({ pid: 10, cpuPercent: 5, user: "alice" }),
    makeRow({ pid: 20, cpuPercent: 90, user: "bob" }),
    makeRow({ pid: 40, cpuPercent: 0, user: "alice" }),
  ];

  test("numeric column, both directions, ties by ascending pid", () => {
    expect(pids(buildView(rows, query({ sort: byCpu })))).toEqual([20, 10, 30, 40]);
    expect(pids(buildView(rows, query({ sort: { ...byCpu, desc: false } })))).toEqual([40, 10, 30, 20]);
  });

  test("string column, both directions, ties by ascending pid", () => {
    const byUser = { compare: columnById("user").compare, desc: false };
    expect(pids(buildView(rows, query({ sort: byUser })))).toEqual([10, 40, 20, 30]);
    expect(pids(buildView(rows, query({ sort: { ...byUser, desc: true } })))).toEqual([30, 20, 10, 40]);
  });

  test("rowOrder breaks ties by pid whatever the direction", () => {
    const order = rowOrder(byCpu);
    expect(order(rows[0]!, rows[1]!)).toBeGreaterThan(0);
    expect(order(rows[1]!, rows[0]!)).toBeLessThan(0);
  });
});

describe("filters", () => {
  const rows = [
    makeRow({ pid: 1, comm: "systemd", cmdline: "/sbin/init splash", user: "root" }),
    makeRow({ pid: 2, comm: "kthreadd", cmdline: "[kthreadd]", user: "root", kernelThread: true }),
    makeRow({ pid: 100, comm: "Firefox", cmdline: "/usr/lib/firefox/firefox", user: "alice" }),
    makeRow({ pid: 200, comm: "bash", cmdline: "-bash", user: "bob" }),
  ];

  test("substring of comm or cmdline, case-insensitive", () => {
    expect(pids(buildView(rows, query({ filter: "FIREFOX" })))).toEqual([100]);
    expect(pids(buildView(rows, query({ filter: "splash" })))).toEqual([1]);
    expect(pids(buildView(rows, query({ filter: "nothing-matches" })))).toEqual([]);
  });

  test("user", () => {
    expect(pids(buildView(rows, query({ user: "root" })))).toEqual([1, 2]);
    expect(pids(buildView(rows, query({ user: "nobody" })))).toEqual([]);
  });

  test("pid list", () => {
    expect(pids(buildView(rows, query({ pids: [200, 1, 999] })))).toEqual([1, 200]);
  });

  test("kernel threads hidden", () => {
    expect(pids(buildView(rows, query({ showKernelThreads: false })))).toEqual([1, 100, 200]);
  });

  test("filters combine", () => {
    expect(pids(buildView(rows, query({ user: "root", filter: "k", showKernelThreads: true })))).toEqual([2]);
  });
});

describe("threads stay directly under their process", () => {
  const busy = makeRow({ pid: 10, comm: "busy", cpuPercent: 50, threads: 3 });
  const idle = makeRow({ pid: 20, comm: "idle", cpuPercent: 1 });
  const rows: ProcessRow[] = [
    makeThread(busy, 12, { cpuPercent: 5, comm: "worker" }),
    idle,
    // A thread busier than every process must not float to the top.
    makeThread(busy, 11, { cpuPercent: 99, comm: "gc" }),
    busy,
  ];

  test("flat mode: the process, then its threads in sort order", () => {
    expect(pids(buildView(rows, query({ sort: byCpu })))).toEqual([10, 11, 12, 20]);
    expect(pids(buildView(rows, query({ sort: { ...byCpu, desc: false } })))).toEqual([20, 10, 12, 11]);
  });

  test("tree mode: threads are the first children", () => {
    const child = makeRow({ pid: 30, ppid: 10, comm: "child", cpuPercent: 70 });
    const view = buildView([...rows, child], query({ sort: byCpu, tree: true }));
    expect(drawing(view)).toEqual(["10", "├─ 11", "├─ 12", "└─ 30", "20"]);
  });

  test("a filter that matches only a thread keeps its process and that thread", () => {
    expect(pids(buildView(rows, query({ filter: "worker" })))).toEqual([10, 12]);
    expect(pids(buildView(rows, query({ filter: "busy" })))).toEqual([10, 11, 12]);
  });

  test("a thread whose process row is missing is shown on its own", () => {
    const lone = makeThread(makeRow({ pid: 50 }), 51);
    expect(pids(buildView([lone], query()))).toEqual([51]);
  });
});

describe("tree", () => {
  const rows = [
    makeRow({ pid: 1, ppid: 0, comm: "init" }),
    makeRow({ pid: 10, ppid: 1, comm: "sshd" }),
    makeRow({ pid: 11, ppid: 10, comm: "bash" }),
    makeRow({ pid: 12, ppid: 11, comm: "vim" }),
    makeRow({ pid: 13, ppid: 10, comm: "bash" }),
    makeRow({ pid: 20, ppid: 1, comm: "cron" }),
    makeRow({ pid: 2, ppid: 0, comm: "kthreadd", kernelThread: true }),
    makeRow({ pid: 3, ppid: 2, comm: "kworker", kernelThread: true }),
  ];

  test("nesting depth and htop-style prefixes", () => {
    const view = buildView(rows, query({ tree: true }));
    expect(drawing(view)).toEqual([
      "1",
      "├─ 10",
      "│  ├─ 11",
      "│  │  └─ 12",
      "│  └─ 13",
      "└─ 20",
      "2",
      "└─ 3",
    ]);
    expect(view.map((v) => v.depth)).toEqual([0, 1, 2, 3, 2, 1, 0, 1]);
  });

  test("children are sorted by the same key", () => {
    const view = buildView(rows, query({ tree: true, sort: { ...byPid, desc: true } }));
    expect(drawing(view)).toEqual([
      "2",
      "└─ 3",
      "1",
      "├─ 20",
      "└─ 10",
      "   ├─ 13",
      "   └─ 11",
      "      └─ 12",
    ]);
  });

  test("a process whose parent is absent or filtered out becomes a root", () => {
    const orphan = makeRow({ pid: 99, ppid: 4242, comm: "orphan" });
    expect(drawing(buildView([...rows, orphan], query({ tree: true }))).slice(-1)).toEqual(["99"]);
    expect(drawing(buildView(rows, query({ tree: true, filter: "bash" })))).toEqual(["11", "13"]);
    expect(drawing(buildView(rows, query({ tree: true, filter: "vim" })))).toEqual(["12"]);
  });

  test("a ppid loop terminates and shows every member once", () => {
    const loop = [
      makeRow({ pid: 5, ppid: 7 }),
      makeRow({ pid: 6, ppid: 5 }),
      makeRow({ pid: 7, ppid: 6 }),
      makeRow({ pid: 8, ppid: 8 }),
    ];
    const view = buildView(loop, query({ tree: true }));
    expect(drawing(view)).toEqual(["8", "5", "└─ 6", "   └─ 7"]);
  });

  test("a deep chain does not overflow the stack", () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => makeRow({ pid: i + 1, ppid: i }));
    const view = buildView(chain, query({ tree: true }));
    expect(view).toHaveLength(20_000);
    expect(view.at(-1)!.depth).toBe(19_999);
  });
});

describe("findMatch", () => {
  const view = buildView(
    [
      makeRow({ pid: 1, comm: "bash" }),
      makeRow({ pid: 2, comm: "vim" }),
      makeRow({ pid: 3, comm: "bash" }),
      makeRow({ pid: 4, comm: "top", cmdline: "top -d 1" }),
    ],
    query(),
  );

  test("the next match at or after the start, wrapping around", () => {
    expect(findMatch(view, "bash", 0)).toBe(0);
    expect(findMatch(view, "bash", 1)).toBe(2);
    expect(findMatch(view, "bash", 3)).toBe(0);
    expect(findMatch(view, "BASH", 4)).toBe(0);
  });

  test("matches the command line too, and reports no match as -1", () => {
    expect(findMatch(view, "-d 1", 0)).toBe(3);
    expect(findMatch(view, "emacs", 0)).toBe(-1);
    expect(findMatch(view, "", 0)).toBe(-1);
    expect(findMatch([], "bash", 0)).toBe(-1);
  });
});

describe("short-lived processes", () => {
  const rows = [
    makeRow({ pid: 1, comm: "bash" }),
    makeRow({ pid: 2, comm: "true", shortLived: true, exit: { code: 0, coreDumped: false, timeMs: 0 } }),
    makeRow({ pid: 3, comm: "make", exit: { code: 2, coreDumped: false, timeMs: 0 } }),
  ];

  test("are shown only on request; exited processes always are", () => {
    expect(pids(buildView(rows, query()))).toEqual([1, 3]);
    expect(pids(buildView(rows, query({ showShortLived: true })))).toEqual([1, 2, 3]);
  });
});

describe("group by owner", () => {
  const GIB = 1024 ** 3;
  const web = { id: "a".repeat(64), name: "web-1", runtime: "docker" as const };
  const db = { id: "b".repeat(64), name: "db", runtime: "podman" as const };
  const billing = { unit: "billing.service", cgroup: "/system.slice/billing.service" };
  const rows = [
    makeRow({ pid: 10, ...billing, cpuPercent: 30, memPercent: 1, rssBytes: GIB, threads: 4, gpuMemoryBytes: 6 * GIB }),
    makeRow({ pid: 11, ppid: 10, ...billing, cpuPercent: 5, memPercent: 2, rssBytes: GIB, netSendRate: 100 }),
    makeRow({ pid: 20, unit: "docker-a.scope", container: web, cpuPercent: 50, gpuPercent: 40, frozen: true }),
    makeRow({ pid: 21, unit: "docker-a.scope", container: web, cpuPercent: 1, frozen: true }),
    makeRow({ pid: 30, unit: "libpod-b.scope", container: db, cpuPercent: 2, netReceiveRate: 50 }),
    makeRow({ pid: 40, unit: "", cpuPercent: 0.5 }),
  ];
  const byUnit = (expanded: string[] = [], fields: Partial<ViewQuery> = {}) =>
    buildView(rows, query({ sort: byCpu, grouping: { by: "unit", expanded: new Set(expanded) }, ...fields }));
  /** "prefix command" per line: the group lines' names and counts, the members' tree drawing. */
  const lines = (view: readonly ViewRow[]) => view.map((v) => `${v.prefix} ${v.group ? v.row.cmdline : v.row.pid}`);

  test("groupByOwner: one group per unit, with the processes' sums; (none) for those without", () => {
    const groups = groupByOwner(rows, "unit");
    expect(groups.map((g) => [g.key, g.name, g.processes.map((p) => p.pid)])).toEqual([
      ["billing.service", "billing.service", [10, 11]],
      ["docker-a.scope", "docker-a.scope", [20, 21]],
      ["libpod-b.scope", "libpod-b.scope", [30]],
      ["", "(none)", [40]],
    ]);
    const { total } = groups[0]!;
    expect(total).toMatchObject({
      cmdline: "billing.service (2 processes)",
      cpuPercent: 35,
      memPercent: 3,
      rssBytes: 2 * GIB,
      threads: 5,
      gpuMemoryBytes: 6 * GIB,
      netSendRate: 100,
      frozen: false,
    });
  });

  test("groupByOwner: containers by id, named by the runtime's name; frozen when all are", () => {
    const groups = groupByOwner(rows, "container");
    expect(groups.map((g) => [g.key, g.name, g.processes.length])).toEqual([
      ["", "(none)", 3],
      ["a".repeat(64), "web-1", 2],
      ["b".repeat(64), "db", 1],
    ]);
    expect(groups[1]!.total).toMatchObject({
      cmdline: "web-1 (2 processes)",
      cpuPercent: 51,
      gpuPercent: 40,
      frozen: true,
    });
    expect(groups[2]!.total).toMatchObject({ cmdline: "db (1 process)", netReceiveRate: 50 });
  });

  test("one collapsed line per group, sorted by its total, ties by name", () => {
    expect(lines(byUnit())).toEqual([
      "+ docker-a.scope (2 processes)",
      "+ billing.service (2 processes)",
      "+ libpod-b.scope (1 process)",
      "+ (none) (1 process)",
    ]);
    const byPidDesc = { compare: columnById("pid").compare, desc: true };
    // Every total has pid 0: the name decides.
    expect(lines(byUnit([], { sort: byPidDesc })).map((line) => line.split(" ")[1])).toEqual([
      "(none)",
      "billing.service",
      "docker-a.scope",
      "libpod-b.scope",
    ]);
  });

  test("an expanded group lists its processes under it, one tree level down, in sort order", () => {
    const view = byUnit(["billing.service", ""]);
    expect(lines(view)).toEqual([
      "+ docker-a.scope (2 processes)",
      "- billing.service (2 processes)",
      "├─  10",
      "└─  11",
      "+ libpod-b.scope (1 process)",
      "- (none) (1 process)",
      "└─  40",
    ]);
    expect(view.map((v) => v.depth)).toEqual([0, 0, 1, 1, 0, 0, 1]);
    expect(view[1]!.group?.name).toBe("billing.service");
    expect(view[2]!.group).toBeUndefined();
  });

  test("in tree mode the processes keep their tree inside the group; threads follow their process", () => {
    const thread = makeThread(rows[0]!, 12, { cpuPercent: 1 });
    const view = buildView(
      [...rows, thread],
      query({ sort: byCpu, tree: true, grouping: { by: "unit", expanded: new Set(["billing.service"]) } }),
    );
    expect(lines(view).slice(1, 5)).toEqual([
      "- billing.service (2 processes)",
      "└─  10",
      "   ├─  12",
      "   └─  11",
    ]);
  });

  test("filters apply before grouping: a group shows only the processes that pass", () => {
    expect(lines(byUnit(["billing.service"], { filter: "proc11" }))).toEqual([
      "- billing.service (1 process)",
      "└─  11",
    ]);
  });
});

describe("events", () => {
  const events = sampleEvents();
  const all = new Set<ProcessEventKind>(["exec", "exit", "fork"]);
  const seqs = (list: readonly ProcessEvent[]) => list.map((event) => event.seq);

  test("selectEvents keeps log order and filters by kind", () => {
    expect(seqs(selectEvents(events, { filter: "", kinds: all }))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seqs(selectEvents(events, { filter: "", kinds: new Set(["exec"]) }))).toEqual([2, 4]);
    expect(seqs(selectEvents(events, { filter: "", kinds: new Set(["exit", "fork"]) }))).toEqual([1, 3, 5, 6, 7]);
  });

  test("the filter is a case-insensitive substring of comm, filename or pid", () => {
    expect(seqs(selectEvents(events, { filter: "MAKE", kinds: all }))).toEqual([4, 5]);
    expect(seqs(selectEvents(events, { filter: "bin/ls", kinds: all }))).toEqual([2]);
    expect(seqs(selectEvents(events, { filter: "1300", kinds: all }))).toEqual([6]);
    expect(seqs(selectEvents(events, { filter: "nothing", kinds: all }))).toEqual([]);
  });

  test("findEventMatch: the next match at or after the start, wrapping; -1 when none", () => {
    expect(findEventMatch(events, "make", 0)).toBe(3);
    expect(findEventMatch(events, "make", 4)).toBe(4);
    expect(findEventMatch(events, "make", 5)).toBe(3);
    expect(findEventMatch(events, "emacs", 0)).toBe(-1);
    expect(findEventMatch(events, "", 0)).toBe(-1);
  });

  test("countAfter counts the events newer than a sequence number", () => {
    const log = [makeEvent(5, "exec"), makeEvent(7, "exit"), makeEvent(9, "fork")];
    expect(countAfter(log, 9)).toBe(0);
    expect(countAfter(log, 6)).toBe(2);
    expect(countAfter(log, 0)).toBe(3);
    expect(countAfter([], 0)).toBe(0);
  });
});

describe("connections", () => {
  const connections = sampleConnections();
  const select = (fields: Partial<ConnectionQuery> = {}) =>
    selectConnections(connections, { filter: "", where: {}, sort: { desc: true }, ...fields }).map((row) => row.id);
  const byColumn = (id: string, desc: boolean) => ({
    compare: NETWORK_COLUMNS.find((column) => column.id === id)!.compare,
    desc,
  });

  test("default order: total rate, then total bytes, largest first; ascending when inverted", () => {
    expect(select()).toEqual(["101", "102", "104", "105", "106", "103"]);
    expect(select({ sort: { desc: false } })).toEqual(["103", "106", "105", "104", "102", "101"]);
  });

  test("a column's order, ties by total rate then bytes (largest first), then id", () => {
    expect(select({ sort: byColumn("state", false) })).toEqual(["105", "101", "102", "106", "103", "104"]);
    const twins = [makeConnection({ id: "2" }), makeConnection({ id: "1" })];
    const ids = selectConnections(twins, { filter: "", where: {}, sort: byColumn("pid", false) }).map((r) => r.id);
    expect(ids).toEqual(["1", "2"]);
  });

  test("the text filter matches endpoints, the shown state, comm and a known pid", () => {
    expect(select({ filter: "[::1]" })).toEqual(["102"]);
    expect(select({ filter: "Closed" })).toEqual(["105"]);
    expect(select({ filter: "time_wait" })).toEqual([]);
    expect(select({ filter: "SSH" })).toEqual(["103"]);
    expect(select({ filter: "1200" })).toEqual(["101"]);
    // pid 0 means "not known", not a pid to match.
    const unowned = makeConnection({
      id: "1",
      pid: 0,
      comm: "",
      localAddr: "1.1.1.1",
      localPort: 41234,
      remoteAddr: "2.2.2.2",
      remotePort: 443,
    });
    expect(selectConnections([unowned], { filter: "0", where: {}, sort: { desc: true } })).toEqual([]);
  });

  test("port (local or remote), pid and protocol filters, and one process", () => {
    expect(select({ where: { ports: [22, 5432] } })).toEqual(["106", "103"]);
    expect(select({ where: { pids: [1] } })).toEqual(["104"]);
    expect(select({ where: { proto: "tcp" }, pid: 1200 })).toEqual(["101"]);
    expect(select({ where: { proto: "udp" }, pid: 1200 })).toEqual([]);
  });

  test("findConnectionMatch starts at `from` and wraps", () => {
    expect(findConnectionMatch(connections, "ESTABLISHED", 0)).toBe(0);
    expect(findConnectionMatch(connections, "established", 1)).toBe(1);
    expect(findConnectionMatch(connections, "established", 2)).toBe(5);
    expect(findConnectionMatch(connections, "firefox", 3)).toBe(0);
    expect(findConnectionMatch(connections, "nothing", 0)).toBe(-1);
  });

  test("connectionState: CLOSED once closed, whatever state it closed from", () => {
    expect(connections.map(connectionState)).toEqual([
      "ESTABLISHED",
      "ESTABLISHED",
      "LISTEN",
      "UNCONN",
      "CLOSED",
      "ESTABLISHED",
    ]);
  });

  test("topTalkers: open connections' rates summed per process, busiest first, idle and unknown left out", () => {
    const rows: ConnectionRow[] = [
      ...connections,
      makeConnection({ id: "201", pid: 3000, comm: "curl", sendRate: 2_000_000 }),
      makeConnection({ id: "202", pid: 0, comm: "", sendRate: 9e9 }),
      makeConnection({ id: "203", pid: 77, comm: "gone", sendRate: 9e9, closed: { timeMs: 0 } }),
    ];
    expect(topTalkers(rows, 3)).toEqual([
      { pid: 3000, comm: "curl", rate: 2_000_000 + 100 + 50 * 1024 },
      { pid: 1200, comm: "firefox", rate: 20 * 1024 + 1.5 * 1024 * 1024 },
      { pid: 1, comm: "systemd", rate: 200 },
    ]);
    expect(topTalkers(rows, 1)).toHaveLength(1);
    expect(topTalkers([], 3)).toEqual([]);
  });
});
