/**
 * The meters above the table, laid out like htop's default header: CPU bars
 * split over a left and a right pane, then Mem/Swp/Uptime on the left and
 * Tasks/event rates/Load average on the right, then one meter per GPU (the
 * first half on the left). One pane when the screen is narrow.
 */
import { Renderable, type OptimizedBuffer, type RGBA } from "@opentui/core";
import type { CpuUsage, EventStats, SystemSummary } from "../store/types.ts";
import { formatMeterSize, formatPercent, formatRate, formatUptime, truncate } from "./format.ts";
import { theme } from "./theme.ts";

/** Below this width the meters stack in one pane. */
const TWO_PANE_MIN_WIDTH = 60;
/** More CPU lines than this and CPUs are packed side by side within a pane. */
const MAX_CPU_LINES = 8;
/** Narrowest CPU meter worth packing side by side. */
const MIN_METER_WIDTH = 18;
const PANE_GAP = 2;

export interface HeaderLayout {
  panes: 1 | 2;
  /** CPU meters side by side within one pane. */
  cpusPerPaneLine: number;
  /** Lines of CPU meters; 1 when only the aggregate meter fits. */
  cpuLines: number;
  /** One aggregate meter instead of one per CPU (many CPUs on a short screen). */
  aggregateCpu: boolean;
  height: number;
}

/**
 * Chooses the meter arrangement for `cpuCount` CPUs and `gpuCount` GPUs on a
 * `width` × `screenHeight` screen. The header takes at most half the screen:
 * past that, the CPUs collapse into one aggregate meter, and on a very short
 * screen the lowest meters are cut off.
 */
export function headerLayout(cpuCount: number, gpuCount: number, width: number, screenHeight: number): HeaderLayout {
  const panes = width >= TWO_PANE_MIN_WIDTH ? 2 : 1;
  const infoLines = Math.max(...meterColumns(panes, gpuCount).map((meters) => meters.length));
  const paneWidth = paneWidths(width, panes)[0]!;
  let perLine = 1;
  while (
    Math.ceil(cpuCount / (panes * perLine)) > MAX_CPU_LINES &&
    Math.floor(paneWidth / (perLine * 2)) >= MIN_METER_WIDTH
  ) {
    perLine *= 2;
  }
  const cpuLines = Math.max(1, Math.ceil(cpuCount / (panes * perLine)));
  const budget = Math.floor(screenHeight / 2);
  // +1: a blank line between the meters and the table.
  const height = cpuLines + infoLines + 1;
  if (height <= budget || cpuLines === 1) {
    return { panes, cpusPerPaneLine: perLine, cpuLines, aggregateCpu: false, height: Math.min(height, budget) };
  }
  return { panes, cpusPerPaneLine: 1, cpuLines: 1, aggregateCpu: true, height: Math.min(1 + infoLines + 1, budget) };
}

/** What the header shows. */
export interface HeaderData {
  system: SystemSummary;
  events: EventStats;
}

export interface TextPart {
  text: string;
  fg: RGBA;
  attributes?: number;
}

interface BarSegment {
  /** Share of the bar, 0 to 1. */
  fraction: number;
  color: RGBA;
}

export class HeaderView extends Renderable {
  private data: HeaderData | undefined;
  private layout: HeaderLayout | undefined;

  /** Sets the data and the arrangement; the caller sizes the renderable to `layout.height`. */
  update(data: HeaderData, layout: HeaderLayout): void {
    this.data = data;
    this.layout = layout;
    this.requestRender();
  }

  protected override renderSelf(buffer: OptimizedBuffer): void {
    const { screenX: x, screenY: y, width, height, data, layout } = this;
    if (width <= 0 || height <= 0) return;
    buffer.fillRect(x, y, width, height, theme.background);
    if (!data || !layout) return;

    const widths = paneWidths(width, layout.panes);
    const paneX = [x + 1, x + 1 + widths[0]! + PANE_GAP];
    const { system } = data;
    const cpus = layout.aggregateCpu ? [{ ...system.cpuTotal, name: "CPU" }] : system.cpus;
    this.drawCpus(buffer, cpus, layout, paneX, widths, y);

    const top = y + layout.cpuLines;
    meterColumns(layout.panes, system.gpus.length).forEach((meters, pane) => {
      meters.forEach((draw, line) => {
        if (top + line < y + height) draw(buffer, paneX[pane]!, top + line, widths[pane]!, data);
      });
    });
  }

  // --- internal ---

  /** CPUs fill columns top to bottom: the left pane first, then the right (htop's Left/RightCPUs). */
  private drawCpus(
    buffer: OptimizedBuffer,
    cpus: readonly CpuUsage[],
    layout: HeaderLayout,
    paneX: number[],
    widths: number[],
    y: number,
  ): void {
    const labelWidth = Math.max(...cpus.map((cpu) => cpuLabel(cpu).length));
    cpus.forEach((cpu, i) => {
      const column = Math.floor(i / layout.cpuLines);
      const line = i % layout.cpuLines;
      const pane = Math.floor(column / layout.cpusPerPaneLine);
      if (pane >= layout.panes) return;
      const meterWidth = Math.floor((widths[pane]! - (layout.cpusPerPaneLine - 1)) / layout.cpusPerPaneLine);
      const meterX = paneX[pane]! + (column % layout.cpusPerPaneLine) * (meterWidth + 1);
      const label = cpuLabel(cpu).padStart(labelWidth);
      drawBar(buffer, meterX, y + line, meterWidth, label, cpuSegments(cpu), `${formatPercent(cpu.busy)}%`);
    });
  }
}

type MeterDraw = (buffer: OptimizedBuffer, x: number, y: number, width: number, data: HeaderData) => void;

const textMeter =
  (parts: (data: HeaderData) => TextPart[]): MeterDraw =>
  (buffer, x, y, width, data) =>
    drawParts(buffer, x, y, width, parts(data));

/**
 * The meters below the CPUs: htop's default columns, except that Uptime
 * moves left to make room for the event rates under Tasks.
 */
const LEFT_METERS: readonly MeterDraw[] = [drawMemory, drawSwap, textMeter(uptimeParts)];
const RIGHT_METERS: readonly MeterDraw[] = [textMeter(taskParts), textMeter(eventParts), textMeter(loadParts)];

/** The meters of each pane, GPUs last, the first half of them on the left; one pane stacks both columns. */
function meterColumns(panes: 1 | 2, gpuCount: number): (readonly MeterDraw[])[] {
  const gpus = Array.from({ length: gpuCount }, (_, i) => gpuMeter(i));
  if (panes === 1) return [[...LEFT_METERS, ...RIGHT_METERS, ...gpus]];
  const half = Math.ceil(gpuCount / 2);
  return [
    [...LEFT_METERS, ...gpus.slice(0, half)],
    [...RIGHT_METERS, ...gpus.slice(half)],
  ];
}

function paneWidths(width: number, panes: 1 | 2): number[] {
  // One cell of margin on each side of the screen.
  const inner = Math.max(0, width - 2);
  if (panes === 1) return [inner, 0];
  const left = Math.floor((inner - PANE_GAP) / 2);
  return [left, inner - PANE_GAP - left];
}

/** "cpu3" → "3"; the aggregate meter keeps its name. */
function cpuLabel(cpu: CpuUsage): string {
  return cpu.name.replace(/^cpu(?=\d)/, "");
}

/** htop's bar order and colours: nice, user, system, irq, steal. */
function cpuSegments(cpu: CpuUsage): BarSegment[] {
  return [
    { fraction: cpu.nice / 100, color: theme.cpuNice },
    { fraction: cpu.user / 100, color: theme.cpuUser },
    { fraction: cpu.system / 100, color: theme.cpuSystem },
    { fraction: cpu.irq / 100, color: theme.cpuIrq },
    { fraction: cpu.steal / 100, color: theme.cpuSteal },
  ];
}

function drawMemory(buffer: OptimizedBuffer, x: number, y: number, width: number, { system }: HeaderData): void {
  const { totalBytes, usedBytes, buffersBytes, cacheBytes } = system.memory;
  const share = (bytes: number) => (totalBytes > 0 ? bytes / totalBytes : 0);
  const segments = [
    { fraction: share(usedBytes), color: theme.memUsed },
    { fraction: share(buffersBytes), color: theme.memBuffers },
    { fraction: share(cacheBytes), color: theme.memCache },
  ];
  drawBar(buffer, x, y, width, "Mem", segments, `${formatMeterSize(usedBytes)}/${formatMeterSize(totalBytes)}`);
}

function drawSwap(buffer: OptimizedBuffer, x: number, y: number, width: number, { system }: HeaderData): void {
  const { swapTotalBytes, swapUsedBytes } = system.memory;
  const fraction = swapTotalBytes > 0 ? swapUsedBytes / swapTotalBytes : 0;
  const text = `${formatMeterSize(swapUsedBytes)}/${formatMeterSize(swapTotalBytes)}`;
  drawBar(buffer, x, y, width, "Swp", [{ fraction, color: theme.swapUsed }], text);
}

/** `GPU0[|||||     37.0%] 10.0G/80.0G 61°C`: the `i`th GPU's use in the bar, its memory and temperature after it. */
function gpuMeter(i: number): MeterDraw {
  return (buffer, x, y, width, { system }) => {
    const gpu = system.gpus[i]!;
    const memory = `${formatMeterSize(gpu.memoryUsedBytes)}/${formatMeterSize(gpu.memoryTotalBytes)}`;
    const after = ` ${memory} ${gpu.temperatureC}°C`;
    const barWidth = Math.max(0, width - after.length);
    const segments = [{ fraction: gpu.utilPercent / 100, color: theme.gpuUsed }];
    drawBar(buffer, x, y, barWidth, `GPU${gpu.index}`, segments, `${formatPercent(gpu.utilPercent)}%`);
    drawParts(buffer, x + barWidth, y, width - barWidth, [valuePart(after)]);
  };
}

/**
 * `label[||||||||      text]`: segments fill the bar left to right, the text
 * sits right-aligned inside it, and each cell keeps the colour of the segment
 * beneath it (htop's BarMeterMode_draw).
 */
function drawBar(
  buffer: OptimizedBuffer,
  x: number,
  y: number,
  width: number,
  label: string,
  segments: readonly BarSegment[],
  text: string,
): void {
  const barWidth = width - label.length - 2;
  if (barWidth < 1) return;
  buffer.drawText(label, x, y, theme.meterLabel, undefined, theme.bold);
  buffer.drawText("[", x + label.length, y, theme.meterBracket, undefined, theme.bold);
  const ends: number[] = [];
  let accumulated = 0;
  for (const segment of segments) {
    accumulated += Math.max(0, segment.fraction);
    ends.push(Math.min(barWidth, Math.round(accumulated * barWidth)));
  }
  const filled = ends.at(-1) ?? 0;
  const shown = truncate(text, barWidth);
  const bar = "|".repeat(filled).padEnd(barWidth).slice(0, barWidth - shown.length) + shown;
  // Draw one run per segment, then the unfilled rest in the shadow colour.
  let start = 0;
  segments.forEach((segment, i) => {
    const end = ends[i]!;
    if (end > start) buffer.drawText(bar.slice(start, end), x + label.length + 1 + start, y, segment.color);
    start = Math.max(start, end);
  });
  if (start < barWidth) buffer.drawText(bar.slice(start), x + label.length + 1 + start, y, theme.shadow);
  buffer.drawText("]", x + width - 1, y, theme.meterBracket, undefined, theme.bold);
}

export function drawParts(buffer: OptimizedBuffer, x: number, y: number, width: number, parts: readonly TextPart[]): void {
  let offset = 0;
  for (const part of parts) {
    if (offset >= width) return;
    const text = truncate(part.text, width - offset);
    buffer.drawText(text, x + offset, y, part.fg, undefined, part.attributes ?? 0);
    offset += text.length;
  }
}

export const labelPart = (text: string): TextPart => ({ text, fg: theme.meterLabel });
export const valuePart = (text: string): TextPart => ({ text, fg: theme.meterValue, attributes: theme.bold });

/**
 * htop's Tasks meter: processes (kernel threads apart), user threads, kernel
 * threads, running tasks; then the frozen cgroups, when there are any.
 */
function taskParts({ system: { tasks, frozenCgroups } }: HeaderData): TextPart[] {
  const parts = [
    labelPart("Tasks: "),
    valuePart(String(tasks.processes - tasks.kernelThreads)),
    labelPart(", "),
    valuePart(String(tasks.userThreads)),
    labelPart(" thr, "),
    valuePart(String(tasks.kernelThreads)),
    labelPart(" kthr; "),
    valuePart(String(tasks.byState.R)),
    labelPart(" running"),
  ];
  if (frozenCgroups > 0) {
    parts.push(
      { text: "  Frozen: ", fg: theme.frozen },
      { text: String(frozenCgroups), fg: theme.frozen, attributes: theme.bold },
    );
  }
  return parts;
}

/** Process churn from the exec and exit events; losses in red, never hidden. */
function eventParts({ events }: HeaderData): TextPart[] {
  if (events.unavailable !== undefined) return [labelPart("Exec/s: "), { text: "n/a", fg: theme.shadow }];
  const parts = [
    labelPart("Exec/s: "),
    valuePart(formatRate(events.execsPerSec)),
    labelPart("  Exit/s: "),
    valuePart(formatRate(events.exitsPerSec)),
  ];
  if (events.dropped > 0) {
    parts.push({ text: `  dropped ${events.dropped}`, fg: theme.dropped, attributes: theme.bold });
  }
  return parts;
}

function loadParts({ system: { load } }: HeaderData): TextPart[] {
  return [
    labelPart("Load average: "),
    valuePart(load[0].toFixed(2)),
    { text: ` ${load[1].toFixed(2)}`, fg: theme.meterLabel, attributes: theme.bold },
    { text: ` ${load[2].toFixed(2)}`, fg: theme.meterLabel },
  ];
}

function uptimeParts({ system: { uptimeSeconds } }: HeaderData): TextPart[] {
  return [labelPart("Uptime: "), valuePart(formatUptime(uptimeSeconds))];
}
