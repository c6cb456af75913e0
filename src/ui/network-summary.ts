/**
 * The network view's two lines above its table: open sockets by state, then
 * the total rates and the processes that move the most bytes. They cover
 * every connection, whatever the view's filters.
 */
import { Renderable, type OptimizedBuffer } from "@opentui/core";
import { topTalkers } from "../store/query.ts";
import type { ConnectionRow, NetStats } from "../store/types.ts";
import { drawParts, type StatusPart } from "./footer.ts";
import { formatBytes, printable } from "./format.ts";
import { theme } from "./theme.ts";

export const SUMMARY_HEIGHT = 2;
/** Processes named after the rates. */
const TOP_TALKERS = 3;

export class NetworkSummary extends Renderable {
  private lines: StatusPart[][] = [];

  update(stats: NetStats, connections: readonly ConnectionRow[]): void {
    this.lines = summaryLines(stats, connections);
    this.requestRender();
  }

  protected override renderSelf(buffer: OptimizedBuffer): void {
    const { screenX: x, screenY: y, width, height } = this;
    if (width <= 0 || height <= 0) return;
    buffer.fillRect(x, y, width, height, theme.background);
    // One cell of margin on each side, as the header's meters have.
    this.lines.slice(0, height).forEach((parts, line) => drawParts(buffer, x + 1, y + line, width - 2, parts));
  }
}

/**
 * `Connections: 23  ESTABLISHED 12  LISTEN 5 …` (most common state first),
 * then `TX: 1.20M/s  RX: 300K/s  Top: firefox(1200) 1.20M/s …`. Nothing while
 * the network lens is off: the table says why.
 */
export function summaryLines(stats: NetStats, connections: readonly ConnectionRow[]): StatusPart[][] {
  if (stats.unavailable !== undefined) return [];
  const states = Object.entries(stats.byState).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const counts = [label("Connections: "), value(String(stats.connections))];
  for (const [state, count] of states) counts.push(label(`  ${state} `), value(String(count)));
  const rates = [label("TX: "), value(rate(stats.sendRate)), label("  RX: "), value(rate(stats.receiveRate))];
  const talkers = topTalkers(connections, TOP_TALKERS);
  if (talkers.length > 0) rates.push(label("  Top: "));
  talkers.forEach(({ pid, comm, rate: total }, i) => {
    rates.push({ text: `${i === 0 ? "" : "  "}${printable(comm)}(${pid}) `, fg: theme.text }, value(rate(total)));
  });
  return [counts, rates];
}

// --- internal ---

const label = (text: string): StatusPart => ({ text, fg: theme.meterLabel });
const value = (text: string): StatusPart => ({ text, fg: theme.meterValue, attributes: theme.bold });
const rate = (bytesPerSecond: number): string => `${formatBytes(bytesPerSecond)}/s`;
