/**
 * Every process-table column, defined once: the table header, cell text and
 * colour, sort order, sort picker and help overlay are all generated from
 * this list (htop's Process_fields). Ids are stable; headers may change.
 */
import type { ExitStatus, ProcessRow } from "../store/types.ts";
import {
  exitReason,
  formatBytes,
  formatCpuTime,
  formatDuration,
  formatPercent,
  formatSize,
  printable,
  truncateStart,
} from "./format.ts";
import { byNumber, byText, type SortColumn } from "./sort.ts";
import { theme, type CellStyle } from "./theme.ts";

export type ColumnId =
  | "pid"
  | "user"
  | "pri"
  | "ni"
  | "virt"
  | "res"
  | "state"
  | "cpu"
  | "mem"
  | "time"
  | "threads"
  | "netSend"
  | "netReceive"
  | "gpuPercent"
  | "gpuMemory"
  | "unit"
  | "container"
  | "cgroup"
  | "command";

/**
 * Columns shown only at times: "network" (TX/s, RX/s) once a process has
 * network traffic, or with `N`; "gpu" while the system has a GPU; "owner"
 * (UNIT, CONTAINER) and then "cgroup" (CGROUP) as `O` cycles, CONTAINER
 * by itself once a process runs in a container.
 */
export type ColumnSet = "network" | "gpu" | "owner" | "cgroup";

/** A process-table column; the last one (Command) takes the rest of the row. Ties sort by pid. */
export interface Column extends SortColumn<ProcessRow> {
  id: ColumnId;
  /** The set the column is shown with; always shown when absent. */
  set?: ColumnSet;
}

export const dimWhenZero = (value: number): CellStyle | undefined => (value === 0 ? { fg: theme.shadow } : undefined);

/** htop colours the unit of large sizes: megabytes cyan, gigabytes and above green. */
export function sizeStyle(bytes: number): CellStyle | undefined {
  if (bytes === 0) return { fg: theme.shadow };
  if (bytes >= 1024 ** 3) return { fg: theme.gigabytes };
  if (bytes >= 1024 ** 2) return { fg: theme.megabytes };
  return undefined;
}

/** `exit 3`, `killed: SIGKILL`; a process that ran between two refreshes adds how long it lived. */
function exitNote(row: ProcessRow, exit: ExitStatus): string {
  const reason = exitReason(exit);
  const note = exit.signal === undefined ? `exit ${reason}` : `killed: ${reason}`;
  return row.shortLived ? `${note}, ran ${formatDuration(exit.timeMs - row.startTimeMs)}` : note;
}

function stateStyle(row: ProcessRow): CellStyle | undefined {
  switch (row.state) {
    case "R":
      return { fg: theme.stateRunning, attributes: theme.bold };
    case "D":
      return { fg: theme.stateDisk, attributes: theme.bold };
    case "Z":
    case "T":
    case "t":
      return { fg: theme.stateStopped, attributes: theme.bold };
    case "S":
    case "I":
      return { fg: theme.shadow };
    default:
      return undefined;
  }
}

export const COLUMNS: readonly Column[] = [
  {
    id: "pid",
    header: "PID",
    width: 7,
    align: "right",
    format: (row) => String(row.pid),
    compare: byNumber((row) => row.pid),
    defaultDesc: false,
    help: "Process id (thread id for a thread row)",
  },
  {
    id: "user",
    header: "USER",
    width: 9,
    align: "left",
    format: (row) => row.user || String(row.uid),
    compare: byText((row) => row.user || String(row.uid)),
    defaultDesc: false,
    help: "Name of the process's owner (real user id)",
  },
  {
    id: "pri",
    header: "PRI",
    width: 3,
    align: "right",
    format: (row) => (row.priority <= -100 ? "RT" : String(row.priority)),
    compare: byNumber((row) => row.priority),
    defaultDesc: false,
    help: "Kernel scheduling priority; RT for real-time",
  },
  {
    id: "ni",
    header: "NI",
    width: 3,
    align: "right",
    format: (row) => String(row.nice),
    compare: byNumber((row) => row.nice),
    defaultDesc: false,
    help: "Nice value, -20 (favoured) to 19 (background)",
    style: (row) => (row.nice < 0 ? { fg: theme.stateDisk } : row.nice > 0 ? { fg: theme.cpuNice } : undefined),
  },
  {
    id: "virt",
    header: "VIRT",
    width: 5,
    align: "right",
    format: (row) => formatSize(row.vsizeBytes),
    compare: byNumber((row) => row.vsizeBytes),
    defaultDesc: true,
    help: "Virtual memory size",
    style: (row) => sizeStyle(row.vsizeBytes),
  },
  {
    id: "res",
    header: "RES",
    width: 5,
    align: "right",
    summed: true,
    format: (row) => formatSize(row.rssBytes),
    compare: byNumber((row) => row.rssBytes),
    defaultDesc: true,
    help: "Resident memory: physical memory in use",
    style: (row) => sizeStyle(row.rssBytes),
  },
  {
    id: "state",
    header: "S",
    width: 1,
    align: "left",
    format: (row) => row.state,
    compare: byText((row) => row.state),
    defaultDesc: false,
    help: "State: R running, S sleeping, D disk wait, Z zombie, T stopped, I idle",
    style: stateStyle,
  },
  {
    id: "cpu",
    header: "CPU%",
    width: 5,
    align: "right",
    summed: true,
    format: (row) => formatPercent(row.cpuPercent),
    compare: byNumber((row) => row.cpuPercent),
    defaultDesc: true,
    help: "CPU use since the last refresh; 100 is one full core",
    style: (row) => dimWhenZero(row.cpuPercent),
  },
  {
    id: "mem",
    header: "MEM%",
    width: 5,
    align: "right",
    summed: true,
    format: (row) => formatPercent(row.memPercent),
    compare: byNumber((row) => row.memPercent),
    defaultDesc: true,
    help: "Resident memory as a percentage of physical memory",
    style: (row) => dimWhenZero(row.memPercent),
  },
  {
    id: "time",
    header: "TIME+",
    width: 8,
    align: "right",
    summed: true,
    format: (row) => formatCpuTime(row.cpuTimeNs),
    compare: byNumber((row) => row.cpuTimeNs),
    defaultDesc: true,
    help: "Total CPU time used (user + system), m:ss.cc or with h/d/y units",
  },
  {
    id: "threads",
    header: "THR",
    width: 4,
    align: "right",
    summed: true,
    format: (row) => String(row.threads),
    compare: byNumber((row) => row.threads),
    defaultDesc: true,
    help: "Number of threads in the process",
  },
  {
    id: "netSend",
    header: "TX/s",
    width: 5,
    align: "right",
    set: "network",
    summed: true,
    format: (row) => formatBytes(row.netSendRate),
    compare: byNumber((row) => row.netSendRate),
    defaultDesc: true,
    help: "Bytes per second the process's sockets sent (shown once a process has network traffic; N)",
    style: (row) => dimWhenZero(row.netSendRate),
  },
  {
    id: "netReceive",
    header: "RX/s",
    width: 5,
    align: "right",
    set: "network",
    summed: true,
    format: (row) => formatBytes(row.netReceiveRate),
    compare: byNumber((row) => row.netReceiveRate),
    defaultDesc: true,
    help: "Bytes per second the process's sockets received (shown with TX/s)",
    style: (row) => dimWhenZero(row.netReceiveRate),
  },
  {
    id: "gpuPercent",
    header: "GPU%",
    width: 5,
    align: "right",
    set: "gpu",
    summed: true,
    format: (row) => formatPercent(row.gpuPercent),
    compare: byNumber((row) => row.gpuPercent),
    defaultDesc: true,
    help: "GPU use by the process over the last refresh, summed over GPUs (NVIDIA; shown while a GPU is found)",
    style: (row) => dimWhenZero(row.gpuPercent),
  },
  {
    id: "gpuMemory",
    header: "GPU MEM",
    width: 7,
    align: "right",
    set: "gpu",
    summed: true,
    format: (row) => formatSize(row.gpuMemoryBytes),
    compare: byNumber((row) => row.gpuMemoryBytes),
    defaultDesc: true,
    help: "GPU memory the process holds, summed over GPUs (shown with GPU%)",
    style: (row) => sizeStyle(row.gpuMemoryBytes),
  },
  {
    id: "unit",
    header: "UNIT",
    width: 18,
    align: "left",
    set: "owner",
    format: (row) => printable(row.unit) || "-",
    compare: byText((row) => row.unit),
    defaultDesc: false,
    help: "The systemd unit (.service, .scope, .slice; user units too) that owns the process (O shows it)",
  },
  {
    id: "container",
    header: "CONTAINER",
    width: 12,
    align: "left",
    set: "owner",
    format: (row) => (row.container ? printable(row.container.name) : "-"),
    compare: byText((row) => row.container?.name ?? ""),
    defaultDesc: false,
    help: "Docker, Podman or containerd/Kubernetes container, by name or short id (shown once a process runs in one)",
  },
  {
    id: "cgroup",
    header: "CGROUP",
    width: 28,
    align: "left",
    set: "cgroup",
    format: (row, cells = 28) => truncateStart(printable(row.cgroup), cells) || "-",
    compare: byText((row) => row.cgroup),
    defaultDesc: false,
    help: "cgroup v2 path of the process; a long path keeps its end (O twice shows it)",
  },
  {
    id: "command",
    header: "Command",
    width: 7,
    align: "left",
    format: (row) => {
      const command = printable(row.cmdline || row.comm);
      return row.exit ? `${command} [${exitNote(row, row.exit)}]` : command;
    },
    compare: byText((row) => row.cmdline || row.comm),
    defaultDesc: false,
    help: "Command line; [name] for a kernel thread; [exit 3] or [killed: SIGKILL] once it has exited",
    style: (row) => (row.isThread ? { fg: theme.threadCommand } : undefined),
  },
];

export const DEFAULT_SORT: ColumnId = "cpu";

export function columnById(id: ColumnId): Column {
  const column = COLUMNS.find((c) => c.id === id);
  if (!column) throw new Error(`unknown column ${id}`);
  return column;
}
