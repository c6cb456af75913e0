/**
 * Every events-log column, defined once: the table header, cell text and
 * colour, and the help overlay come from this list. The log stays in time
 * order, so these columns do not sort. Ids are stable; headers may change.
 */
import type { ProcessEvent, ProcessEventKind } from "../store/types.ts";
import { exitReason, formatClock, formatDuration, formatSize, printable } from "./format.ts";
import type { TableColumn } from "./table.ts";
import { theme, type CellStyle } from "./theme.ts";

export type EventColumnId =
  | "time"
  | "event"
  | "comm"
  | "pid"
  | "ppid"
  | "user"
  | "detail"
  | "duration"
  | "cpu"
  | "peakRss";

export interface EventColumn extends TableColumn<ProcessEvent> {
  id: EventColumnId;
  help: string;
}

const EVENT_KIND_STYLES: Readonly<Record<ProcessEventKind, CellStyle>> = {
  exec: { fg: theme.eventExec, attributes: theme.bold },
  exit: { fg: theme.eventExit, attributes: theme.bold },
  fork: { fg: theme.eventFork, attributes: theme.bold },
};

/** A value only exit events carry; blank for the others. */
const onExit =
  (pick: (event: ProcessEvent) => number | undefined, format: (value: number) => string) =>
  (event: ProcessEvent): string => {
    const value = pick(event);
    return value === undefined ? "" : format(value);
  };

export const EVENT_COLUMNS: readonly EventColumn[] = [
  {
    id: "time",
    header: "TIME",
    width: 12,
    align: "left",
    format: (event) => formatClock(event.timeMs),
    help: "When it happened, local time with milliseconds",
  },
  {
    id: "event",
    header: "EVENT",
    width: 5,
    align: "left",
    format: (event) => event.kind.toUpperCase(),
    help: "EXEC (a new program), EXIT, or FORK (a new process)",
    style: (event) => EVENT_KIND_STYLES[event.kind],
  },
  {
    id: "comm",
    header: "COMM",
    width: 15,
    align: "left",
    format: (event) => printable(event.comm),
    help: "Kernel task name at the time of the event",
  },
  {
    id: "pid",
    header: "PID",
    width: 7,
    align: "right",
    format: (event) => String(event.pid),
    help: "Process id (the new child's for a fork)",
  },
  {
    id: "ppid",
    header: "PPID",
    width: 7,
    align: "right",
    format: (event) => String(event.ppid),
    help: "Parent process id",
  },
  {
    id: "user",
    header: "USER",
    width: 9,
    align: "left",
    format: (event) => event.user || String(event.uid),
    help: "Name of the process's owner",
  },
  {
    id: "detail",
    header: "FILENAME / EXIT",
    width: 16,
    align: "left",
    grow: true,
    format: (event) => {
      if (event.exit) return `[${exitReason(event.exit)}]`;
      return printable(event.filename ?? "");
    },
    help: "exec: the program run; exit: [code], or [signal] when killed, (core) if it dumped core",
    style: (event) =>
      event.exit && (event.exit.signal !== undefined || event.exit.code !== 0) ? { fg: theme.exitFailed } : undefined,
  },
  {
    id: "duration",
    header: "DURATION",
    width: 8,
    align: "right",
    format: onExit((event) => event.durationMs, formatDuration),
    help: "exit: how long the process lived",
  },
  {
    id: "cpu",
    header: "CPU",
    width: 7,
    align: "right",
    format: onExit((event) => event.cpuTimeNs, (ns) => formatDuration(ns / 1e6)),
    help: "exit: CPU time its threads used",
  },
  {
    id: "peakRss",
    header: "PEAK RSS",
    width: 8,
    align: "right",
    format: onExit((event) => event.peakRssBytes, formatSize),
    help: "exit: the most resident memory it had",
  },
];
