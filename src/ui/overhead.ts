/**
 * The self-overhead readout (`b`): what bpftop itself costs, under the
 * meters. One line for the process (CPU, RSS, refresh time), then each BPF
 * program, busiest first (runs/s, mean run time, CPU), then each record
 * array and ring buffer with how full it got and what it lost.
 */
import { Renderable, type OptimizedBuffer } from "@opentui/core";
import type { BufferFill, ProgramOverhead, SelfOverhead } from "../store/types.ts";
import { formatMeterSize, formatMs, formatPercent, formatRate } from "./format.ts";
import { drawParts, labelPart, valuePart, type TextPart } from "./header.ts";
import { theme } from "./theme.ts";

/** Lines for the programs and for the buffers, at most; what does not fit is counted ("+N more"). */
const PROGRAM_LINES = 3;
const BUFFER_LINES = 2;
const GAP = "   ";

export type OverheadLine = TextPart[];

/** The readout's lines for a screen `width` cells wide. */
export function overheadLines(o: SelfOverhead | undefined, width: number): OverheadLine[] {
  if (!o) return [[labelPart("bpftop: "), { text: "measuring its own cost…", fg: theme.shadow }]];
  const programs = o.programs.length > 0 ? o.programs.map(programChunk) : [[{ text: o.programsUnavailable ?? "no BPF run times yet", fg: theme.shadow }]];
  return [
    processLine(o),
    ...flow(labelPart("BPF      "), programs, width, PROGRAM_LINES),
    ...flow(labelPart("Buffers  "), o.buffers.map(bufferChunk), width, BUFFER_LINES),
  ];
}

export class OverheadView extends Renderable {
  private lines: OverheadLine[] = [];

  /** Sets the text for a screen `screenWidth` wide (the view spans it); the caller sizes the renderable to the returned line count. */
  update(o: SelfOverhead | undefined, screenWidth: number): number {
    this.lines = overheadLines(o, Math.max(0, screenWidth - 2));
    this.requestRender();
    return this.lines.length;
  }

  protected override renderSelf(buffer: OptimizedBuffer): void {
    const { screenX: x, screenY: y, width, height } = this;
    if (width <= 0 || height <= 0) return;
    buffer.fillRect(x, y, width, height, theme.background);
    this.lines.slice(0, height).forEach((line, i) => drawParts(buffer, x + 1, y + i, width - 2, line));
  }
}

// --- internal ---

function processLine(o: SelfOverhead): OverheadLine {
  return [
    labelPart("bpftop  CPU "),
    valuePart(`${formatPercent(o.cpuPercent)}%`),
    labelPart(` (user ${formatPercent(o.userPercent)}, sys ${formatPercent(o.systemPercent)})  RSS `),
    valuePart(formatMeterSize(o.rssBytes)),
    labelPart("  refresh "),
    valuePart(formatMs(o.refreshMs)),
  ];
}

/** `dump_task 1.0/s × 4.02ms = 0.402%`; a program that did not run: its name, dimmed. */
function programChunk(p: ProgramOverhead): TextPart[] {
  if (p.runs === 0) return [{ text: p.name, fg: theme.shadow }];
  return [
    { text: p.name, fg: theme.text },
    { text: ` ${formatRate(p.runsPerSec)}/s × ${formatNs(p.avgNs)} = `, fg: theme.shadow },
    valuePart(`${p.cpuPercent < 10 ? p.cpuPercent.toFixed(3) : formatPercent(p.cpuPercent)}%`),
  ];
}

/** `task records 10080/16384 62%`, `event ring 1.2M/8.0M 15% lost 3` */
function bufferChunk(b: BufferFill): TextPart[] {
  const share = b.capacity > 0 ? (b.used / b.capacity) * 100 : 0;
  const amount = b.unit === "bytes" ? `${formatMeterSize(b.used)}/${formatMeterSize(b.capacity)}` : `${b.used}/${b.capacity}`;
  const parts: TextPart[] = [{ text: `${b.name} `, fg: theme.text }, valuePart(amount), { text: ` ${formatPercent(share)}%`, fg: theme.shadow }];
  if (b.unit === "bytes") parts[2]!.text += " peak";
  if (b.lost !== undefined) parts.push({ text: ` lost ${b.lost}`, fg: b.lost > 0 ? theme.dropped : theme.shadow, attributes: b.lost > 0 ? theme.bold : 0 });
  return parts;
}

/** A run time: `850ns`, `12.3µs`, `4.02ms`. */
export function formatNs(ns: number): string {
  if (ns < 1000) return `${Math.round(ns)}ns`;
  if (ns < 1e6) return `${(ns / 1000).toFixed(ns < 1e5 ? 1 : 0)}µs`;
  return `${(ns / 1e6).toFixed(2)}ms`;
}

/**
 * Lays `chunks` out after `label`, as many per line as fit in `width`, on at
 * most `maxLines` lines; what does not fit becomes "+N more".
 */
function flow(label: TextPart, chunks: TextPart[][], width: number, maxLines: number): OverheadLine[] {
  const lines: OverheadLine[] = [];
  const indent = (): OverheadLine => [{ text: " ".repeat(label.text.length), fg: theme.shadow }];
  let line: OverheadLine = [label];
  let used = label.text.length;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    const length = chunk.reduce((n, part) => n + part.text.length, 0);
    let gap = line.length > 1 ? GAP.length : 0;
    if (gap > 0 && used + gap + length > width) {
      if (lines.length + 1 === maxLines) {
        line.push({ text: `${GAP}+${chunks.length - i} more`, fg: theme.shadow });
        break;
      }
      lines.push(line);
      line = indent();
      used = label.text.length;
      gap = 0;
    }
    if (gap > 0) line.push({ text: GAP, fg: theme.shadow });
    line.push(...chunk);
    used += gap + length;
  }
  lines.push(line);
  return lines;
}
