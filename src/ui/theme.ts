/**
 * Colours of the TUI, named by what they mean. Plain text uses the
 * terminal's own default colours (as htop does); everything else is htop's
 * default scheme.
 */
import { RGBA, TextAttributes } from "@opentui/core";

export interface CellStyle {
  fg: RGBA;
  attributes?: number;
}

const hex = (value: string): RGBA => RGBA.fromHex(value);

const GREEN = hex("#5fd700");
const BLUE = hex("#5f87ff");
const RED = hex("#ff5f5f");
const YELLOW = hex("#d7af00");
const CYAN = hex("#00afd7");
const MAGENTA = hex("#d75fd7");
const BLACK = hex("#000000");
const GREY = hex("#6c6c6c");
const ICE = hex("#87d7ff");

export const theme = {
  text: RGBA.defaultForeground(),
  background: RGBA.defaultBackground(),
  /** Zero values, sleeping states: present but unimportant. */
  shadow: GREY,
  bold: TextAttributes.BOLD,

  meterLabel: CYAN,
  meterBracket: RGBA.defaultForeground(),
  meterValue: RGBA.defaultForeground(),
  cpuNice: BLUE,
  cpuUser: GREEN,
  cpuSystem: RED,
  cpuIrq: YELLOW,
  cpuSteal: CYAN,
  memUsed: GREEN,
  memBuffers: BLUE,
  memCache: YELLOW,
  swapUsed: RED,
  gpuUsed: GREEN,

  tableHeaderFg: BLACK,
  tableHeaderBg: GREEN,
  sortHeaderBg: CYAN,
  selectionFg: BLACK,
  selectionBg: CYAN,
  threadCommand: GREEN,
  stateRunning: GREEN,
  stateDisk: RED,
  stateStopped: MAGENTA,
  megabytes: CYAN,
  gigabytes: GREEN,
  /** Processes that have exited, and those that ran between two refreshes. */
  exited: GREY,
  /** Processes in a frozen cgroup: the whole row, and the header's count of frozen cgroups. */
  frozen: ICE,
  frozenBg: hex("#005f87"),

  eventExec: GREEN,
  eventExit: YELLOW,
  eventFork: BLUE,
  /** An exit with a non-zero code or by a signal. */
  exitFailed: RED,
  /** Events or close records lost because the kernel could not queue them. */
  dropped: RED,

  /** An established TCP connection or a connected UDP socket. */
  connectionOpen: GREEN,
  /** Retransmitted TCP segments: loss or congestion on the path. */
  retransmits: YELLOW,

  fkeyKey: RGBA.defaultForeground(),
  fkeyLabelFg: BLACK,
  fkeyLabelBg: CYAN,
  status: GREY,
  paused: BLACK,
  pausedBg: YELLOW,
  warning: YELLOW,
  error: RED,
  promptFailed: RED,

  dialogBg: hex("#1c1c1c"),
  dialogBorder: CYAN,
  dialogText: hex("#d0d0d0"),
  yes: GREEN,
  no: RED,
} as const;
