/**
 * Pure view-model logic for the process table (which rows are shown, in what
 * order, with what tree prefix, and in group-by mode under which unit or
 * container), the events log (which events are shown) and the network view
 * (which connections, in what order, and its summary). No UI imports;
 * unit-tested on plain rows, events and connections.
 *
 * Thread rows (isThread) always follow their process row directly, in flat
 * and tree mode alike; filters decide per process, not per thread.
 */
import type { ConnectionRow, ProcessEvent, ProcessEventKind, ProcessRow } from "./types.ts";

export interface RowSort {
  /** Ascending order of the sort key. */
  compare(a: ProcessRow, b: ProcessRow): number;
  desc: boolean;
}

export interface ViewQuery {
  /** Case-insensitive substring of comm or cmdline; "" shows everything. */
  filter: string;
  /** Only processes owned by this user name. */
  user?: string;
  /** Only these processes (by tgid), with their threads. */
  pids?: readonly number[];
  showKernelThreads: boolean;
  /** Show the processes that ran between two refreshes (shortLived rows). */
  showShortLived: boolean;
  sort: RowSort;
  tree: boolean;
  /** Group-by mode: one line per unit or container; absent, one line per process. */
  grouping?: Grouping;
}

/** What group-by mode gathers processes by. */
export type Owner = "unit" | "container";

export interface Grouping {
  by: Owner;
  /** Keys of the groups whose processes are listed under their group line. */
  expanded: ReadonlySet<string>;
}

/** The processes of one unit or container, or of none. */
export interface OwnerGroup {
  /** The unit name or the container id; "" for the processes that have none. */
  key: string;
  /** The unit, the container's name, or "(none)". */
  name: string;
  /** Its process rows (a thread row stands for its process when that is not listed). */
  processes: ProcessRow[];
  /**
   * A row the process columns can draw and sort: the sums over the processes
   * (CPU%, MEM%, RES, CPU time, threads, GPU, network), frozen when all of
   * them are, the name and process count as its command; zero or empty elsewhere.
   */
  total: ProcessRow;
}

export interface ViewRow {
  row: ProcessRow;
  /**
   * Drawing to print before the command: the tree (`│  ├─ `), a group's
   * expander (`+` collapsed, `-` expanded); "" for roots and in flat mode.
   */
  prefix: string;
  /** Nesting depth in tree mode (0 for roots), below the group line in group-by mode; 0 in flat mode. */
  depth: number;
  /** Set on group-by mode's group lines, whose `row` is the group's total. */
  group?: OwnerGroup;
}

const TREE_BRANCH = "├─ ";
const TREE_LAST = "└─ ";
const TREE_PIPE = "│  ";
const TREE_SPACE = "   ";
const GROUP_COLLAPSED = "+";
const GROUP_EXPANDED = "-";
const NO_OWNER = "(none)";

/** The sort as a comparator: the key in the chosen direction, ties by ascending pid (as htop). */
export function rowOrder(sort: RowSort): (a: ProcessRow, b: ProcessRow) => number {
  const sign = sort.desc ? -1 : 1;
  return (a, b) => sign * sort.compare(a, b) || a.pid - b.pid;
}

/** A process row with the thread rows that belong to it. */
interface Group {
  head: ProcessRow;
  threads: ProcessRow[];
}

export function buildView(rows: readonly ProcessRow[], query: ViewQuery): ViewRow[] {
  const order = rowOrder(query.sort);
  if (!query.tree && !query.grouping && !rows.some((row) => row.isThread)) return flatProcesses(rows, query, order);
  const groups = selectGroups(groupThreads(rows), query);
  groups.sort((a, b) => order(a.head, b.head));
  for (const group of groups) group.threads.sort(order);
  if (query.grouping) return flattenOwners(groups, query, query.grouping);
  return query.tree ? flattenTree(groups) : flattenList(groups);
}

/**
 * Gathers `processes` by their unit or container, keeping their order; the
 * groups come in the order of their first process.
 */
export function groupByOwner(processes: readonly ProcessRow[], by: Owner): OwnerGroup[] {
  const members = new Map<string, ProcessRow[]>();
  for (const row of processes) {
    const key = ownerKey(row, by);
    const list = members.get(key);
    if (list) list.push(row);
    else members.set(key, [row]);
  }
  return [...members].map(([key, list]) => {
    const name = (by === "unit" ? key : list[0]!.container?.name) || NO_OWNER;
    return { key, name, processes: list, total: groupTotal(name, list) };
  });
}

/**
 * Index of the first row at or after `from` (wrapping around) whose comm or
 * cmdline contains `text`, case-insensitively; -1 when none does.
 */
export function findMatch(view: readonly ViewRow[], text: string, from: number): number {
  return findFrom(view, text, from, (item, needle) => rowMatches(item.row, needle));
}

export interface EventQuery {
  /** Case-insensitive substring of comm, filename or pid; "" shows everything. */
  filter: string;
  /** The kinds of event shown. */
  kinds: ReadonlySet<ProcessEventKind>;
}

/** The events that pass the query, in log (time) order. */
export function selectEvents(events: readonly ProcessEvent[], query: EventQuery): ProcessEvent[] {
  const needle = query.filter.toLowerCase();
  return events.filter((event) => query.kinds.has(event.kind) && (needle === "" || eventMatches(event, needle)));
}

/**
 * Index of the first event at or after `from` (wrapping around) whose comm,
 * filename or pid contains `text`, case-insensitively; -1 when none does.
 */
export function findEventMatch(events: readonly ProcessEvent[], text: string, from: number): number {
  return findFrom(events, text, from, eventMatches);
}

/** How many of `events` (oldest first, as the store keeps them) come after the event numbered `seq`. */
export function countAfter(events: readonly ProcessEvent[], seq: number): number {
  let count = 0;
  for (let i = events.length - 1; i >= 0 && events[i]!.seq > seq; i--) count++;
  return count;
}

export interface ConnectionSort {
  /** Ascending order of the chosen column; none: the default order (total rate, then total bytes). */
  compare?(a: ConnectionRow, b: ConnectionRow): number;
  desc: boolean;
}

export interface ConnectionQuery {
  /** Case-insensitive substring of local, remote, state, comm or pid; "" shows everything. */
  filter: string;
  /** Port, pid and protocol filters (bpftop net --port/--pid/--proto). */
  where: ConnectionFilter;
  /** Only this process's connections (chosen in the process list). */
  pid?: number;
  sort: ConnectionSort;
}

/** The state a connection shows: CLOSED once closed, whatever state it closed from. */
export function connectionState(row: ConnectionRow): string {
  return row.closed ? "CLOSED" : row.state;
}

/**
 * The sort as a comparator: the column (by default total rate, then total
 * bytes) in the chosen direction; ties by total rate and total bytes,
 * largest first, then by id so the order is stable.
 */
export function connectionOrder(sort: ConnectionSort): (a: ConnectionRow, b: ConnectionRow) => number {
  const sign = sort.desc ? -1 : 1;
  const primary = sort.compare ?? byTraffic;
  return (a, b) => sign * primary(a, b) || byTraffic(b, a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The connections that pass the query, sorted. */
export function selectConnections(rows: readonly ConnectionRow[], query: ConnectionQuery): ConnectionRow[] {
  const needle = query.filter.toLowerCase();
  return rows
    .filter(
      (row) =>
        connectionMatches(row, query.where) &&
        (query.pid === undefined || row.pid === query.pid) &&
        (needle === "" || connectionMatchesText(row, needle)),
    )
    .sort(connectionOrder(query.sort));
}

/**
 * Index of the first connection at or after `from` (wrapping around) whose
 * local or remote endpoint, state, comm or pid contains `text`,
 * case-insensitively; -1 when none does.
 */
export function findConnectionMatch(rows: readonly ConnectionRow[], text: string, from: number): number {
  return findFrom(rows, text, from, connectionMatchesText);
}

/** A process and its sockets' total rate (sent + received), bytes/s. */
export interface Talker {
  pid: number;
  comm: string;
  rate: number;
}

/** The `count` processes whose open connections move the most bytes per second, busiest first; idle ones left out. */
export function topTalkers(rows: readonly ConnectionRow[], count: number): Talker[] {
  const byPid = new Map<number, Talker>();
  for (const row of rows) {
    const rate = row.sendRate + row.receiveRate;
    if (row.closed || row.pid === 0 || rate === 0) continue;
    const talker = byPid.get(row.pid);
    if (talker) talker.rate += rate;
    else byPid.set(row.pid, { pid: row.pid, comm: row.comm, rate });
  }
  return [...byPid.values()].sort((a, b) => b.rate - a.rate || a.pid - b.pid).slice(0, count);
}

// --- internal ---

/** Ascending by total rate, then by total bytes. */
const byTraffic = (a: ConnectionRow, b: ConnectionRow): number =>
  a.sendRate + a.receiveRate - (b.sendRate + b.receiveRate) ||
  a.bytesSent + a.bytesReceived - (b.bytesSent + b.bytesReceived);

/** True when an endpoint, the state, comm or a known pid contains `needle`, which must already be lower case. */
function connectionMatchesText(row: ConnectionRow, needle: string): boolean {
  return (
    row.local.toLowerCase().includes(needle) ||
    row.remote.toLowerCase().includes(needle) ||
    connectionState(row).toLowerCase().includes(needle) ||
    row.comm.toLowerCase().includes(needle) ||
    (row.pid !== 0 && String(row.pid).includes(needle))
  );
}

/** Index of the first item at or after `from`, wrapping, that `matches` the lower-cased `text`; -1 if none. */
function findFrom<T>(
  items: readonly T[],
  text: string,
  from: number,
  matches: (item: T, needle: string) => boolean,
): number {
  const needle = text.toLowerCase();
  const n = items.length;
  if (n === 0 || needle === "") return -1;
  const start = ((from % n) + n) % n;
  for (let i = 0; i < n; i++) {
    const index = (start + i) % n;
    if (matches(items[index]!, needle)) return index;
  }
  return -1;
}

/** True when comm, filename or pid contains `needle`, which must already be lower case. */
function eventMatches(event: ProcessEvent, needle: string): boolean {
  return (
    event.comm.toLowerCase().includes(needle) ||
    (event.filename?.toLowerCase().includes(needle) ?? false) ||
    String(event.pid).includes(needle)
  );
}

/** True when comm or cmdline contains `needle`, which must already be lower case. */
function rowMatches(row: ProcessRow, needle: string): boolean {
  return row.comm.toLowerCase().includes(needle) || row.cmdline.toLowerCase().includes(needle);
}

/** Attaches each thread row to its process row; a thread whose process is absent stands alone. */
function groupThreads(rows: readonly ProcessRow[]): Group[] {
  const groups = new Map<number, Group>();
  for (const row of rows) if (!row.isThread) groups.set(row.pid, { head: row, threads: [] });
  const loose: Group[] = [];
  for (const row of rows) {
    if (!row.isThread) continue;
    const group = groups.get(row.tgid);
    if (group) group.threads.push(row);
    else loose.push({ head: row, threads: [] });
  }
  return [...groups.values(), ...loose];
}

/**
 * The common case, a flat list without thread rows: filter and sort the rows
 * themselves, with no per-process group. (At 10,000 processes the groups
 * were half the view's cost and most of its garbage.)
 */
function flatProcesses(rows: readonly ProcessRow[], query: ViewQuery, order: (a: ProcessRow, b: ProcessRow) => number): ViewRow[] {
  const shown = shownProcess(query);
  const needle = query.filter.toLowerCase();
  const selected = rows.filter((row) => shown(row) && (needle === "" || rowMatches(row, needle)));
  selected.sort(order);
  return selected.map(flatLine);
}

/**
 * A row's line in a flat list never changes, and rows live across refreshes
 * (the store updates them in place): one line object per row, not one per
 * row per refresh.
 */
const flatLines = new WeakMap<ProcessRow, ViewRow>();

function flatLine(row: ProcessRow): ViewRow {
  let line = flatLines.get(row);
  if (!line) flatLines.set(row, (line = Object.freeze({ row, prefix: "", depth: 0 })));
  return line;
}

/** The query's tests on a process row itself, before the text filter (which threads can also pass). */
function shownProcess(query: ViewQuery): (row: ProcessRow) => boolean {
  const pids = query.pids ? new Set(query.pids) : undefined;
  return (row) =>
    (query.showKernelThreads || !row.kernelThread) &&
    (query.showShortLived || !row.shortLived) &&
    (query.user === undefined || row.user === query.user) &&
    (!pids || pids.has(row.tgid));
}

function selectGroups(groups: Group[], query: ViewQuery): Group[] {
  const shown = shownProcess(query);
  const needle = query.filter.toLowerCase();
  const selected: Group[] = [];
  for (const group of groups) {
    const { head } = group;
    if (!shown(head)) continue;
    if (needle === "" || rowMatches(head, needle)) {
      selected.push(group);
      continue;
    }
    // The process itself does not match: keep it for the threads that do.
    const threads = group.threads.filter((thread) => rowMatches(thread, needle));
    if (threads.length > 0) selected.push({ head, threads });
  }
  return selected;
}

/** The unit name or container id of `row`; "" when it has none. */
function ownerKey(row: ProcessRow, by: Owner): string {
  return by === "unit" ? row.unit : (row.container?.id ?? "");
}

function groupTotal(name: string, processes: readonly ProcessRow[]): ProcessRow {
  const sum = (pick: (row: ProcessRow) => number) => processes.reduce((total, row) => total + pick(row), 0);
  const count = processes.length;
  return {
    pid: 0,
    tgid: 0,
    ppid: 0,
    uid: 0,
    euid: 0,
    user: "",
    comm: name,
    cmdline: `${name} (${count} ${count === 1 ? "process" : "processes"})`,
    state: "S",
    priority: 0,
    nice: 0,
    threads: sum((row) => row.threads),
    cpuPercent: sum((row) => row.cpuPercent),
    cpuTimeNs: sum((row) => row.cpuTimeNs),
    rssBytes: sum((row) => row.rssBytes),
    vsizeBytes: 0,
    memPercent: sum((row) => row.memPercent),
    startTimeMs: 0,
    cgroupId: 0,
    kernelThread: false,
    isThread: false,
    cgroup: "",
    unit: "",
    frozen: processes.every((row) => row.frozen),
    gpuMemoryBytes: sum((row) => row.gpuMemoryBytes),
    gpuPercent: sum((row) => row.gpuPercent),
    netSendRate: sum((row) => row.netSendRate),
    netReceiveRate: sum((row) => row.netReceiveRate),
  };
}

/**
 * Group-by mode: a line per unit or container, sorted by its total (ties
 * by name), each expanded one followed by its processes, drawn as one more
 * tree level (in tree mode, with their own tree inside).
 */
function flattenOwners(groups: readonly Group[], query: ViewQuery, grouping: Grouping): ViewRow[] {
  const order = rowOrder(query.sort);
  const byName = (a: OwnerGroup, b: OwnerGroup) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const heads = groups.map((group) => group.head);
  const owners = groupByOwner(heads, grouping.by).sort((a, b) => order(a.total, b.total) || byName(a, b));
  const byHead = new Map(groups.map((group) => [group.head, group]));
  const out: ViewRow[] = [];
  for (const owner of owners) {
    const expanded = grouping.expanded.has(owner.key);
    out.push({ row: owner.total, prefix: expanded ? GROUP_EXPANDED : GROUP_COLLAPSED, depth: 0, group: owner });
    if (!expanded) continue;
    const members = owner.processes.map((row) => byHead.get(row)!);
    out.push(...underGroupLine(query.tree ? flattenTree(members) : flattenList(members)));
  }
  return out;
}

/** A group's lines one tree level below its group line: its top lines branch from it. */
function underGroupLine(lines: readonly ViewRow[]): ViewRow[] {
  const lastTop = lines.findLastIndex((line) => line.depth === 0);
  return lines.map((line, i) => {
    // Every line after the last top line is in that line's subtree.
    const last = i >= lastTop;
    const prefix = line.depth === 0 ? (last ? TREE_LAST : TREE_BRANCH) : (last ? TREE_SPACE : TREE_PIPE) + line.prefix;
    return { ...line, prefix, depth: line.depth + 1 };
  });
}

function flattenList(groups: readonly Group[]): ViewRow[] {
  const out: ViewRow[] = [];
  for (const { head, threads } of groups) {
    out.push(flatLine(head));
    for (const thread of threads) out.push(flatLine(thread));
  }
  return out;
}

/**
 * Parent/child by ppid. `groups` is sorted, so each children list is too.
 * A process whose parent is not shown becomes a root. Processes in a ppid
 * loop have no root above them; they are walked last, each loop entered at
 * its first member in sort order, and `visited` stops the walk going round.
 */
function flattenTree(groups: readonly Group[]): ViewRow[] {
  const byPid = new Map<number, Group>();
  for (const group of groups) byPid.set(group.head.pid, group);
  const children = new Map<number, Group[]>();
  const roots: Group[] = [];
  for (const group of groups) {
    const { pid, ppid } = group.head;
    if (ppid !== pid && byPid.has(ppid)) {
      const siblings = children.get(ppid);
      if (siblings) siblings.push(group);
      else children.set(ppid, [group]);
    } else {
      roots.push(group);
    }
  }

  const out: ViewRow[] = [];
  const visited = new Set<number>();
  for (const group of [...roots, ...groups]) {
    if (!visited.has(group.head.pid)) walkTree(group, children, visited, out);
  }
  return out;
}

interface TreeVisit {
  row: ProcessRow;
  /** Undefined for a thread row, which has no children. */
  group?: Group;
  depth: number;
  /** Drawing inherited from the ancestors (one 3-cell piece per level below the root). */
  guide: string;
  isLast: boolean;
}

/** Depth-first walk with an explicit stack, so a deep chain cannot overflow the call stack. */
function walkTree(root: Group, children: Map<number, Group[]>, visited: Set<number>, out: ViewRow[]): void {
  const stack: TreeVisit[] = [{ row: root.head, group: root, depth: 0, guide: "", isLast: true }];
  while (stack.length > 0) {
    const { row, group, depth, guide, isLast } = stack.pop()!;
    out.push({ row, depth, prefix: depth === 0 ? "" : guide + (isLast ? TREE_LAST : TREE_BRANCH) });
    if (!group) continue;
    visited.add(row.pid);

    const childGuide = depth === 0 ? "" : guide + (isLast ? TREE_SPACE : TREE_PIPE);
    // Threads first, so they sit directly under their process.
    const kids: TreeVisit[] = group.threads.map((thread) => ({
      row: thread,
      depth: depth + 1,
      guide: childGuide,
      isLast: false,
    }));
    for (const child of children.get(row.pid) ?? []) {
      if (visited.has(child.head.pid)) continue;
      visited.add(child.head.pid);
      kids.push({ row: child.head, group: child, depth: depth + 1, guide: childGuide, isLast: false });
    }
    if (kids.length > 0) kids[kids.length - 1]!.isLast = true;
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}

/** `bpftop net` filters: a port (local or remote), owning pids, a protocol. Empty = everything. */
export interface ConnectionFilter {
  ports?: readonly number[];
  pids?: readonly number[];
  proto?: "tcp" | "udp";
}

export function connectionMatches(row: ConnectionRow, f: ConnectionFilter): boolean {
  if (f.proto && row.proto !== f.proto) return false;
  if (f.ports?.length && !f.ports.includes(row.localPort) && !f.ports.includes(row.remotePort)) return false;
  if (f.pids?.length && !f.pids.includes(row.pid)) return false;
  return true;
}
