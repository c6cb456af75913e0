/**
 * The two bottom lines: a status line (refresh time, the view's counts,
 * filters and losses, PAUSED, messages, warnings) and htop's function-key
 * bar, which turns into the prompt while searching or filtering. The keys
 * shown come from the key table for the current mode and view.
 */
import { Renderable, type OptimizedBuffer, type RGBA } from "@opentui/core";
import type { ConnectionFilter, Owner } from "../store/query.ts";
import type { EventStats, NetStats, ProcessEventKind } from "../store/types.ts";
import { cellWidth, formatMs, formatRate, truncate } from "./format.ts";
import { bindingApplies, KEY_BINDINGS, keyLabel, type Mode, type View } from "./keys.ts";
import { theme } from "./theme.ts";

export const FOOTER_HEIGHT = 2;
/** Width of a key's label in the bar, like htop's "Help  ". */
const FKEY_LABEL_WIDTH = 6;
const SEPARATOR = "  ";

export interface StatusPart {
  text: string;
  fg: RGBA;
  bg?: RGBA;
  attributes?: number;
}

export interface Prompt {
  label: string;
  text: string;
  /** Nothing matches: the prompt turns red, as in htop. */
  failed: boolean;
}

/** What the status line reports about the process table. */
export interface ProcessStatus {
  view: "processes";
  /** Process rows shown and collected (thread rows not counted). */
  shown: number;
  total: number;
  filter: string;
  user?: string;
  pids?: readonly number[];
  threadsShown: boolean;
  kernelThreadsShown: boolean;
  shortLivedShown: boolean;
  /** Group-by mode's grouping; absent, one line per process. */
  groupedBy?: Owner;
}

/** What the status line reports about the events log. */
export interface EventStatus {
  view: "events";
  /** Events shown and kept in the log. */
  shown: number;
  total: number;
  filter: string;
  hiddenKinds: readonly ProcessEventKind[];
  stats: EventStats;
  /** The log moves along with new events. */
  following: boolean;
  /** Events that arrived since the display was paused. */
  newSincePause: number;
}

/** What the status line reports about the network view. */
export interface NetworkStatus {
  view: "network";
  /** Connections shown and collected (closed ones included). */
  shown: number;
  total: number;
  filter: string;
  /** Filters from the command line. */
  where: ConnectionFilter;
  /** The process chosen with `n` in the process list. */
  process?: { pid: number; comm: string };
  stats: NetStats;
}

export type ViewStatus = ProcessStatus | EventStatus | NetworkStatus;

/** What the status line reports. */
export interface Status {
  /** Time the last refresh took. */
  collectMs: number;
  paused: boolean;
  message?: { text: string; isError: boolean };
  warnings: readonly string[];
  view: ViewStatus;
}

export interface FooterState {
  mode: Mode;
  view: View;
  status: Status;
  prompt?: Prompt;
}

export function statusParts(status: Status): StatusPart[] {
  const parts: StatusPart[] = [];
  if (status.paused) parts.push({ text: " PAUSED ", fg: theme.paused, bg: theme.pausedBg, attributes: theme.bold });
  if (status.message) {
    const fg = status.message.isError ? theme.error : theme.text;
    parts.push({ text: status.message.text, fg, attributes: status.message.isError ? theme.bold : 0 });
  }
  parts.push(plain(`refresh ${formatMs(status.collectMs)}`));
  parts.push(...viewParts(status.view));
  for (const warning of status.warnings) parts.push({ text: warning, fg: theme.warning });
  return parts;
}

export class FooterView extends Renderable {
  private state: FooterState | undefined;

  update(state: FooterState): void {
    this.state = state;
    this.requestRender();
  }

  protected override renderSelf(buffer: OptimizedBuffer): void {
    const { screenX: x, screenY: y, width, height } = this;
    if (width <= 0 || height <= 0) return;
    buffer.fillRect(x, y, width, height, theme.background);
    const { state } = this;
    if (!state) return;
    if (height >= 2) drawParts(buffer, x, y, width, joinStatus(statusParts(state.status)));
    drawParts(buffer, x, y + height - 1, width, keyBar(state));
  }
}

/** Draws `parts` one after another from (x, y), cut at `width` cells. */
export function drawParts(
  buffer: OptimizedBuffer,
  x: number,
  y: number,
  width: number,
  parts: readonly StatusPart[],
): void {
  let offset = 0;
  for (const part of parts) {
    if (offset >= width) return;
    const text = truncate(part.text, width - offset);
    buffer.drawText(text, x + offset, y, part.fg, part.bg, part.attributes ?? 0);
    offset += cellWidth(text);
  }
}

// --- internal ---

const LISTED_PIDS = 5;

function abbreviateList(values: readonly number[]): string {
  const listed = values.slice(0, LISTED_PIDS).join(",");
  return values.length > LISTED_PIDS ? `${listed},…` : listed;
}

const plain = (text: string): StatusPart => ({ text, fg: theme.status });

function viewParts(status: ViewStatus): StatusPart[] {
  switch (status.view) {
    case "processes":
      return processParts(status);
    case "events":
      return eventParts(status);
    case "network":
      return networkParts(status);
  }
}

function processParts(status: ProcessStatus): StatusPart[] {
  const parts = [plain(`${status.shown}/${status.total} processes`)];
  if (status.groupedBy) parts.push(plain(`grouped by ${status.groupedBy}`));
  if (status.filter) parts.push(plain(`filter "${status.filter}"`));
  if (status.user !== undefined) parts.push(plain(`user ${status.user}`));
  if (status.pids) parts.push(plain(`pids ${abbreviateList(status.pids)}`));
  if (status.threadsShown) parts.push(plain("threads shown"));
  if (!status.kernelThreadsShown) parts.push(plain("kernel threads hidden"));
  if (status.shortLivedShown) parts.push(plain("short-lived shown"));
  return parts;
}

/** Counts and rates, then losses in red: events are never lost silently. */
function eventParts(status: EventStatus): StatusPart[] {
  const { stats } = status;
  const parts: StatusPart[] = [];
  if (status.newSincePause > 0) parts.push({ text: `+${status.newSincePause} new`, fg: theme.text });
  const counts = `${status.shown}/${status.total} events`;
  if (stats.unavailable !== undefined) parts.push(plain(counts), { text: "events unavailable", fg: theme.warning });
  else parts.push(plain(`${counts}, ${formatRate(stats.execsPerSec)} exec/s, ${formatRate(stats.exitsPerSec)} exit/s`));
  if (stats.dropped > 0) parts.push({ text: `DROPPED: ${stats.dropped}`, fg: theme.dropped, attributes: theme.bold });
  if (status.filter) parts.push(plain(`filter "${status.filter}"`));
  for (const kind of status.hiddenKinds) parts.push(plain(`${kind} hidden`));
  parts.push(plain(status.following ? "following" : "End: follow"));
  return parts;
}

/** Counts and filters, then what limits the view: off, degraded, or close records lost (in red). */
function networkParts(status: NetworkStatus): StatusPart[] {
  const { stats, where, process } = status;
  const parts = [plain(`${status.shown}/${status.total} connections`)];
  if (stats.unavailable !== undefined) parts.push({ text: "network unavailable", fg: theme.warning });
  if (status.filter) parts.push(plain(`filter "${status.filter}"`));
  if (process) parts.push({ text: `process ${process.comm}(${process.pid}), Esc: all`, fg: theme.text });
  if (where.proto) parts.push(plain(`${where.proto} only`));
  if (where.ports?.length) parts.push(plain(`ports ${abbreviateList(where.ports)}`));
  if (where.pids?.length) parts.push(plain(`pids ${abbreviateList(where.pids)}`));
  if (stats.degraded !== undefined) parts.push({ text: `degraded: ${stats.degraded}`, fg: theme.warning });
  if (stats.dropped > 0) {
    parts.push({ text: `DROPPED: ${stats.dropped} closes`, fg: theme.dropped, attributes: theme.bold });
  }
  return parts;
}

function keyBar(state: FooterState): StatusPart[] {
  const parts: StatusPart[] = [];
  for (const binding of KEY_BINDINGS) {
    if (!bindingApplies(binding, state.mode, state.view) || !binding.footer) continue;
    parts.push({ text: keyLabel(binding.keys[0]!), fg: theme.fkeyKey });
    parts.push({ text: binding.footer.padEnd(FKEY_LABEL_WIDTH), fg: theme.fkeyLabelFg, bg: theme.fkeyLabelBg });
  }
  const { prompt } = state;
  if (prompt) {
    parts.push({ text: ` ${prompt.label}: `, fg: theme.fkeyKey, attributes: theme.bold });
    parts.push({ text: prompt.text, fg: prompt.failed ? theme.promptFailed : theme.fkeyKey, attributes: theme.bold });
    parts.push({ text: "_", fg: theme.shadow });
  }
  return parts;
}

function joinStatus(parts: readonly StatusPart[]): StatusPart[] {
  return parts.flatMap((part, i) => (i === 0 ? [part] : [{ text: SEPARATOR, fg: theme.status }, part]));
}
