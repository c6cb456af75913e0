/** Plain-object rows, events and connections, a system summary and a fake TopSource for the TUI and query tests. */
import { createTestRenderer, type TestRendererSetup } from "@opentui/core/testing";
import { theme } from "../../src/ui/theme.ts";
import type {
  ConnectionRow,
  CpuUsage,
  EventStats,
  FreezeTarget,
  GpuInfo,
  NetStats,
  ProcessEvent,
  ProcessEventKind,
  ProcessRow,
  SelfOverhead,
  SystemSummary,
  TaskState,
} from "../../src/store/types.ts";
import { mountTop, type TopController } from "../../src/ui/app.ts";
import type { TopOptions, TopSnapshot, TopSource } from "../../src/ui/source.ts";

export function makeRow(fields: Partial<ProcessRow> & { pid: number }): ProcessRow {
  const comm = fields.comm ?? `proc${fields.pid}`;
  return {
    tgid: fields.pid,
    ppid: 1,
    uid: 1000,
    euid: 1000,
    user: "alice",
    comm,
    cmdline: `/usr/bin/${comm}`,
    state: "S",
    priority: 20,
    nice: 0,
    threads: 1,
    cpuPercent: 0,
    cpuTimeNs: 0,
    rssBytes: 4 * 1024 * 1024,
    vsizeBytes: 100 * 1024 * 1024,
    memPercent: 0.1,
    startTimeMs: 0,
    cgroupId: 0,
    kernelThread: false,
    isThread: false,
    cgroup: "/user.slice/user-1000.slice/session-1.scope",
    unit: "session-1.scope",
    frozen: false,
    gpuMemoryBytes: 0,
    gpuPercent: 0,
    netSendRate: 0,
    netReceiveRate: 0,
    ...fields,
  };
}

export function makeThread(process: ProcessRow, tid: number, fields: Partial<ProcessRow> = {}): ProcessRow {
  return makeRow({ ...process, pid: tid, tgid: process.pid, isThread: true, ...fields });
}

/** 2025-01-02 14:03:27.042 local time: every test sees the same clock text in any time zone. */
export const EVENT_TIME = new Date(2025, 0, 2, 14, 3, 27, 42).getTime();

/** An event `seq` ms after EVENT_TIME; pid 2000+seq and comm `cmd<seq>` unless given. */
export function makeEvent(
  seq: number,
  kind: ProcessEventKind,
  fields: Partial<Omit<ProcessEvent, "seq" | "kind">> = {},
): ProcessEvent {
  const pid = fields.pid ?? 2000 + seq;
  return {
    seq,
    kind,
    timeMs: EVENT_TIME + seq,
    pid,
    ppid: 1000,
    uid: 1000,
    user: "alice",
    comm: `cmd${seq}`,
    cgroupId: 0,
    ...(kind === "exec" ? { filename: `/usr/bin/cmd${seq}` } : {}),
    ...fields,
  };
}

/**
 * An exec and the exits of every kind: a clean exit, an exit code, a kill
 * and a core dump; plus a fork. Oldest first, seq 1…7.
 */
export function sampleEvents(): ProcessEvent[] {
  const exit = (code: number | undefined, signal: number | undefined, coreDumped = false) => ({
    code,
    signal,
    coreDumped,
    timeMs: EVENT_TIME,
  });
  return [
    makeEvent(1, "fork", { pid: 2001, comm: "bash" }),
    makeEvent(2, "exec", { pid: 2001, comm: "ls", filename: "/usr/bin/ls" }),
    makeEvent(3, "exit", {
      pid: 2001,
      comm: "ls",
      exit: exit(0, undefined),
      durationMs: 12,
      cpuTimeNs: 3e6,
      peakRssBytes: 2 * 1024 * 1024,
    }),
    makeEvent(4, "exec", { pid: 2002, comm: "make", filename: "/usr/bin/make" }),
    makeEvent(5, "exit", { pid: 2002, comm: "make", exit: exit(2, undefined), durationMs: 1500 }),
    makeEvent(6, "exit", { pid: 1300, comm: "vim", exit: exit(undefined, 9), durationMs: 185_000 }),
    makeEvent(7, "exit", { pid: 2003, comm: "crashy", exit: exit(undefined, 11, true), durationMs: 7_440_000 }),
  ];
}

/**
 * An established TCP/IPv4 connection of firefox (pid 1200) unless given;
 * `local` and `remote` are written from the addresses and ports when not given.
 */
export function makeConnection(fields: Partial<ConnectionRow> & { id: string }): ConnectionRow {
  const row = {
    proto: "tcp" as const,
    family: 4 as const,
    localAddr: "10.0.0.2",
    localPort: 40000,
    remoteAddr: "93.184.216.34",
    remotePort: 443,
    state: "ESTABLISHED",
    pid: 1200,
    comm: "firefox",
    user: "alice",
    bytesSent: 0,
    bytesReceived: 0,
    packetsSent: 0,
    packetsReceived: 0,
    sendRate: 0,
    receiveRate: 0,
    rttUs: 0,
    retransmits: 0,
    resetsSent: 0,
    resetsReceived: 0,
    statesSeen: [],
    approximate: false,
    ...fields,
  };
  const endpoint = (addr: string, port: number) => (row.family === 6 ? `[${addr}]:${port}` : `${addr}:${port}`);
  return { local: endpoint(row.localAddr, row.localPort), remote: endpoint(row.remoteAddr, row.remotePort), ...row };
}

/**
 * Six sockets: firefox's busy HTTPS connection, curl over IPv6 loopback (a
 * pid not in sampleRows()), sshd's listener, a UDP socket of systemd, a
 * connection of bash that closed, and one whose owner is not known.
 */
export function sampleConnections(): ConnectionRow[] {
  const K = 1024;
  return [
    makeConnection({
      id: "101",
      bytesSent: 2 * K * K,
      bytesReceived: 50 * K * K,
      packetsSent: 1500,
      packetsReceived: 36000,
      sendRate: 20 * K,
      receiveRate: 1.5 * K * K,
      rttUs: 12_345,
      retransmits: 2,
    }),
    makeConnection({
      id: "102",
      family: 6,
      localAddr: "::1",
      localPort: 51000,
      remoteAddr: "::1",
      remotePort: 443,
      pid: 3000,
      comm: "curl",
      bytesSent: 700,
      bytesReceived: 300 * K,
      packetsSent: 12,
      packetsReceived: 210,
      sendRate: 100,
      receiveRate: 50 * K,
      rttUs: 80,
    }),
    makeConnection({
      id: "103",
      localAddr: "0.0.0.0",
      localPort: 22,
      remoteAddr: "0.0.0.0",
      remotePort: 0,
      remote: "*:*",
      state: "LISTEN",
      pid: 420,
      comm: "sshd",
      user: "root",
    }),
    makeConnection({
      id: "104",
      proto: "udp",
      localAddr: "10.0.0.2",
      localPort: 5353,
      remoteAddr: "0.0.0.0",
      remotePort: 0,
      remote: "*:*",
      state: "UNCONN",
      pid: 1,
      comm: "systemd",
      user: "root",
      bytesReceived: 4 * K,
      packetsReceived: 20,
      receiveRate: 200,
    }),
    makeConnection({
      id: "105",
      localPort: 40010,
      remoteAddr: "1.1.1.1",
      state: "TIME_WAIT",
      pid: 1000,
      comm: "bash",
      bytesSent: 9 * K,
      bytesReceived: 90 * K,
      approximate: true,
      closed: { timeMs: EVENT_TIME },
    }),
    makeConnection({
      id: "106",
      localPort: 41000,
      remoteAddr: "10.0.0.9",
      remotePort: 5432,
      pid: 0,
      comm: "",
      user: "",
      bytesSent: 5 * K,
      bytesReceived: 10 * K,
      approximate: true,
    }),
  ];
}

/** The store's totals for `connections`: open ones by state, summed rates. */
export function netStatsOf(connections: readonly ConnectionRow[]): NetStats {
  const open = connections.filter((row) => !row.closed);
  const byState: Record<string, number> = {};
  for (const row of open) byState[row.state] = (byState[row.state] ?? 0) + 1;
  return {
    connections: open.length,
    byState,
    sendRate: open.reduce((sum, row) => sum + row.sendRate, 0),
    receiveRate: open.reduce((sum, row) => sum + row.receiveRate, 0),
    dropped: 0,
  };
}

function cpu(name: string, user: number, system: number): CpuUsage {
  return { name, user, nice: 0, system, irq: 0, iowait: 0, steal: 0, busy: user + system };
}

export function makeSystem(cpuCount = 4): SystemSummary {
  const byState = Object.fromEntries(["R", "S", "D", "T", "t", "X", "Z", "P", "I"].map((s) => [s, 0])) as Record<
    TaskState,
    number
  >;
  byState.R = 2;
  byState.S = 100;
  const gib = 1024 ** 3;
  return {
    timeMs: 0,
    hostname: "testhost",
    kernel: "6.18.0",
    cpus: Array.from({ length: cpuCount }, (_, i) => cpu(`cpu${i}`, 20 + i, 5)),
    cpuTotal: cpu("cpu", 21.5, 5),
    memory: {
      totalBytes: 7.7 * gib,
      usedBytes: 1.2 * gib,
      buffersBytes: 0.1 * gib,
      cacheBytes: 2 * gib,
      availableBytes: 6 * gib,
      swapTotalBytes: 2 * gib,
      swapUsedBytes: 0,
    },
    load: [0.12, 0.34, 0.56],
    uptimeSeconds: 3 * 86_400 + 4 * 3600 + 5 * 60 + 6,
    tasks: { processes: 201, userThreads: 456, kernelThreads: 78, byState },
    gpus: [],
    frozenCgroups: 0,
  };
}

/** Two GPUs, as NVML would report them: a busy A100 and an idle one. */
export function sampleGpus(): GpuInfo[] {
  const gib = 1024 ** 3;
  const a100 = { name: "NVIDIA A100-SXM4-80GB", memoryTotalBytes: 80 * gib };
  return [
    { index: 0, ...a100, utilPercent: 37, memoryUsedBytes: 10 * gib, temperatureC: 61 },
    { index: 1, ...a100, utilPercent: 0, memoryUsedBytes: 0.5 * gib, temperatureC: 34 },
  ];
}

export type FreezeCall = "planFreeze" | "freeze" | "planThaw" | "thaw";

/** A TopSource over plain rows and events that records every call. */
export class FakeSource implements TopSource {
  rows: ProcessRow[];
  system: SystemSummary;
  events: ProcessEvent[] = [];
  eventStats: EventStats = { execsPerSec: 0, exitsPerSec: 0, forksPerSec: 0, dropped: 0 };
  connections: ConnectionRow[] = [];
  /** Overrides the totals computed from `connections` (dropped, unavailable, degraded). */
  netStats: Partial<NetStats> = {};
  warnings: string[] = [];
  refreshes = 0;
  readonly showThreadsCalls: boolean[] = [];
  readonly showOverheadCalls: boolean[] = [];
  /** What refresh() reports as bpftop's own cost while the readout is on. */
  overhead: SelfOverhead | undefined;
  readonly signalsSent: { pid: number; signal: NodeJS.Signals }[] = [];
  /** When set, sendSignal throws it. */
  signalError: Error | undefined;
  /** Every planFreeze, freeze, planThaw and thaw call, in order. */
  readonly freezeCalls: { call: FreezeCall; pid: number }[] = [];
  /** When set, the four freeze calls throw it (a refusal: the root cgroup, bpftop's own…). */
  freezeError: Error | undefined;

  constructor(rows: ProcessRow[], system: SystemSummary = makeSystem()) {
    this.rows = rows;
    this.system = system;
  }

  refresh(): TopSnapshot {
    this.refreshes++;
    return {
      rows: [...this.rows],
      system: this.system,
      info: { seq: this.refreshes, collectMs: 2.1, periodMs: 1000, warnings: this.warnings },
      // The same array each time, appended to in place, as the store's event log is.
      events: this.events,
      eventStats: this.eventStats,
      connections: [...this.connections],
      netStats: { ...netStatsOf(this.connections), ...this.netStats },
      overhead: this.showOverheadCalls.at(-1) ? this.overhead : undefined,
    };
  }

  setShowThreads(on: boolean): void {
    this.showThreadsCalls.push(on);
  }

  setShowOverhead(on: boolean): void {
    this.showOverheadCalls.push(on);
  }

  sendSignal(pid: number, signal: NodeJS.Signals): void {
    if (this.signalError) throw this.signalError;
    this.signalsSent.push({ pid, signal });
  }

  planFreeze(pid: number): FreezeTarget {
    return this.freezeCall("planFreeze", pid);
  }

  /** Marks every process of pid's cgroup frozen, as the next refresh would show. */
  freeze(pid: number): FreezeTarget {
    return this.setFrozen(this.freezeCall("freeze", pid), true);
  }

  planThaw(pid: number): FreezeTarget {
    return this.freezeCall("planThaw", pid);
  }

  thaw(pid: number): FreezeTarget {
    return this.setFrozen(this.freezeCall("thaw", pid), false);
  }

  /**
   * Records the call and plans it: pid's cgroup and every process in it; a
   * process in the root cgroup ("/") would move into a cgroup of its own.
   */
  private freezeCall(call: FreezeCall, pid: number): FreezeTarget {
    this.freezeCalls.push({ call, pid });
    if (this.freezeError) throw this.freezeError;
    const row = this.rows.find((r) => r.pid === pid);
    if (!row) throw new Error(`no process ${pid}`);
    const movesProcess = row.cgroup === "/";
    const members = movesProcess ? [row] : this.rows.filter((r) => r.cgroup === row.cgroup && !r.isThread);
    return {
      cgroup: row.cgroup,
      unit: row.unit,
      container: row.container,
      pids: members.map((r) => r.pid),
      movesProcess,
      frozen: row.frozen,
    };
  }

  private setFrozen(target: FreezeTarget, frozen: boolean): FreezeTarget {
    for (const row of this.rows) if (target.pids.includes(row.pid)) row.frozen = frozen;
    return target;
  }
}


export interface Mounted extends TestRendererSetup {
  source: FakeSource;
  top: TopController;
  /** Renders and returns the frame as text. */
  frame(): Promise<string>;
  /** Frame lines that contain `text`. */
  linesWith(text: string): Promise<string[]>;
  /** The PIDs of the table rows in the frame, top to bottom. */
  tablePids(): Promise<number[]>;
  /** Screen line (y) of the table header. */
  tableHeaderY(): Promise<number>;
  /** The events log's lines in the frame, top to bottom, without the trailing blanks. */
  eventLines(): Promise<string[]>;
  /** The PIDs of the events log's lines in the frame, top to bottom. */
  eventPids(): Promise<number[]>;
  /** The network table's lines in the frame, top to bottom, without the trailing blanks. */
  connectionLines(): Promise<string[]>;
  /** The text of the line drawn with the selection colour, if any. */
  highlightedLine(): Promise<string | undefined>;
  /** The foreground colour (as toInts()) of the first span whose text contains `text`. */
  colourOf(text: string): Promise<number[] | undefined>;
  /** A bare ESC; the input parser waits 20 ms to tell it from an escape sequence (stack-guide §1.4). */
  escape(): Promise<void>;
}

const TABLE_HEADER = /^\s+PID.USER/;
const EVENT_HEADER = /^TIME +EVENT +COMM/;
/** An events-log line: the clock, then the kind. */
const EVENT_LINE = /^\d\d:\d\d:\d\d\.\d{3} (EXEC|EXIT|FORK)/;
const NETWORK_HEADER = /^PROTO +LOCAL +REMOTE/;
const CONNECTION_LINE = /^(tcp|udp)6? /;

export async function mount(
  rows: ProcessRow[],
  options: Partial<TopOptions> = {},
  size = { width: 120, height: 30 },
  events: ProcessEvent[] = [],
  connections: ConnectionRow[] = [],
): Promise<Mounted> {
  const setup = await createTestRenderer(size);
  const source = new FakeSource(rows);
  source.events = events;
  source.connections = connections;
  const top = mountTop(setup.renderer, source, { delayMs: 1000, tree: false, ...options });
  const frame = async () => {
    await setup.renderOnce();
    return setup.captureCharFrame();
  };
  const lines = async () => (await frame()).split("\n");
  const linesWith = async (text: string) => (await lines()).filter((line) => line.includes(text));
  const tableHeaderY = async () => (await lines()).findIndex((line) => TABLE_HEADER.test(line));
  const tablePids = async () => {
    const all = await lines();
    const start = all.findIndex((line) => TABLE_HEADER.test(line)) + 1;
    const pids: number[] = [];
    for (const line of all.slice(start)) {
      const match = /^\s*(\d+) /.exec(line);
      if (!match) break;
      pids.push(Number(match[1]));
    }
    return pids;
  };
  /** The lines after the first matching `header`, while they match `row`. */
  const tableLines = async (header: RegExp, row: RegExp) => {
    const all = await lines();
    const start = all.findIndex((line) => header.test(line)) + 1;
    if (start === 0) return [];
    const body: string[] = [];
    for (const line of all.slice(start)) {
      if (!row.test(line)) break;
      body.push(line.trimEnd());
    }
    return body;
  };
  const eventLines = () => tableLines(EVENT_HEADER, EVENT_LINE);
  const connectionLines = () => tableLines(NETWORK_HEADER, CONNECTION_LINE);
  const eventPids = async () =>
    (await eventLines()).map((line) => Number(/^\S+ +\S+ +\S+ +(\d+)/.exec(line)![1]));
  const highlightedLine = async () => {
    await setup.renderOnce();
    const selection = theme.selectionBg.toInts().join();
    const texts = setup.captureSpans().lines.map((line) => ({
      text: line.spans.map((span) => span.text).join(""),
      highlighted: line.spans.some((span) => span.bg.toInts().join() === selection),
    }));
    // The sort column's header shares the selection colour (as in htop), so skip the header line.
    return texts.find((line) => line.highlighted && !TABLE_HEADER.test(line.text))?.text;
  };
  const colourOf = async (text: string) => {
    await setup.renderOnce();
    const spans = setup.captureSpans().lines.flatMap((line) => line.spans);
    return spans.find((span) => span.text.includes(text))?.fg.toInts();
  };
  const escape = async () => {
    setup.mockInput.pressEscape();
    await Bun.sleep(30);
  };
  return {
    ...setup,
    source,
    top,
    frame,
    linesWith,
    tablePids,
    tableHeaderY,
    eventLines,
    eventPids,
    connectionLines,
    highlightedLine,
    colourOf,
    escape,
  };
}

/**
 * A small process tree (systemd → sshd → bash → firefox, vim; kthreadd) whose
 * CPU% and MEM% orders differ from each other and from pid order. systemd is
 * in init.scope, sshd in ssh.service, the user's processes in
 * session-1.scope (makeRow's default), kthreadd in the root cgroup.
 */
export function sampleRows(): ProcessRow[] {
  const root = { user: "root", uid: 0 };
  const kernel = { ...root, kernelThread: true, rssBytes: 0, vsizeBytes: 0, memPercent: 0, cgroup: "/", unit: "" };
  const init = { ...root, cgroup: "/init.scope", unit: "init.scope" };
  const ssh = { ...root, cgroup: "/system.slice/ssh.service", unit: "ssh.service" };
  return [
    makeRow({ pid: 1, ppid: 0, comm: "systemd", cmdline: "/sbin/init", ...init, cpuPercent: 0.5, memPercent: 0.2 }),
    makeRow({ pid: 420, ppid: 1, comm: "sshd", cmdline: "sshd: /usr/sbin/sshd -D", ...ssh, cpuPercent: 1.5 }),
    makeRow({ pid: 1000, ppid: 420, comm: "bash", cmdline: "-bash", cpuPercent: 3, memPercent: 0.3 }),
    makeRow({
      pid: 1200,
      ppid: 1000,
      comm: "firefox",
      cmdline: "/usr/lib/firefox/firefox",
      cpuPercent: 42.3,
      memPercent: 12.5,
      threads: 3,
      state: "R",
    }),
    makeRow({ pid: 1300, ppid: 1000, comm: "vim", cmdline: "vim notes.txt", cpuPercent: 0, memPercent: 20.5 }),
    makeRow({ pid: 2, ppid: 0, comm: "kthreadd", cmdline: "[kthreadd]", ...kernel }),
  ];
}

/** Pids of sampleRows() in the default order (CPU% descending, ties by pid). */
export const SAMPLE_BY_CPU = [1200, 1000, 420, 1, 2, 1300];
