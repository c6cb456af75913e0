/**
 * The help overlay's text, generated from the key table and the column list
 * so it can never fall out of date with what the keys and columns do.
 */
import type { CliRenderer } from "@opentui/core";
import { COLUMNS } from "./columns.ts";
import { ListDialog, type ListItem } from "./dialogs.ts";
import { EVENT_COLUMNS } from "./event-columns.ts";
import { KEY_BINDINGS, keyLabel, type Mode, type View } from "./keys.ts";
import { NETWORK_COLUMNS } from "./network-columns.ts";
import { theme } from "./theme.ts";

/** Key sections: a mode, and for browse keys the view they belong to (none: every view). */
const SECTIONS: readonly { mode: Mode; view?: View; title: string }[] = [
  { mode: "browse", title: "All views (Tab: processes → network → events; Shift-Tab goes back)" },
  { mode: "browse", view: "processes", title: "Process list (search and filter match the command)" },
  {
    mode: "browse",
    view: "network",
    title: "Network view (search and filter match addresses, state, command and pid)",
  },
  {
    mode: "browse",
    view: "events",
    title: "Events log (search and filter match command, file and pid; follows the newest event)",
  },
  { mode: "search", title: "While searching" },
  { mode: "filter", title: "While filtering" },
  { mode: "picker", title: "In a list (sort column, user, signal)" },
  { mode: "confirm", title: "Confirmation" },
  { mode: "help", title: "This help" },
];

const KEY_COLUMN = 18;
const HEADER_COLUMN = 9;

export function helpItems(): ListItem[] {
  const heading = (text: string): ListItem => ({ text, style: { fg: theme.meterLabel, attributes: theme.bold } });
  const items: ListItem[] = [];
  for (const { mode, view, title } of SECTIONS) {
    items.push(heading(title));
    for (const binding of KEY_BINDINGS.filter((b) => b.mode === mode && b.view === view)) {
      // `return` and `enter` both read Enter.
      const keys = [...new Set(binding.keys.map(keyLabel))].join(" ");
      items.push({ text: `  ${keys.padEnd(KEY_COLUMN)} ${binding.help}` });
    }
    items.push({ text: "" });
  }
  items.push(heading("Events log columns"));
  for (const column of EVENT_COLUMNS) items.push({ text: `  ${column.header.padEnd(KEY_COLUMN)} ${column.help}` });
  items.push({ text: "" });
  items.push(heading("Network columns (sorted by total rate, then bytes, until a header is clicked)"));
  for (const column of NETWORK_COLUMNS) {
    items.push({ text: `  ${column.header.padEnd(HEADER_COLUMN)} ${column.help}` });
  }
  items.push({ text: "" });
  items.push(heading("Process columns (click a header to sort by it, click again to invert)"));
  for (const column of COLUMNS) items.push({ text: `  ${column.header.padEnd(HEADER_COLUMN)} ${column.help}` });
  items.push({ text: "" });
  items.push(heading("Process row colours"));
  items.push({ text: "  exited, or ran between two refreshes", style: { fg: theme.exited } });
  items.push({ text: "  frozen: its cgroup is frozen (f thaws it)", style: { fg: theme.frozen } });
  items.push({ text: "" });
  items.push(heading("CPU bar colours"));
  items.push({ text: "  low priority (nice)", style: { fg: theme.cpuNice } });
  items.push({ text: "  user", style: { fg: theme.cpuUser } });
  items.push({ text: "  kernel (system)", style: { fg: theme.cpuSystem } });
  items.push({ text: "  interrupts", style: { fg: theme.cpuIrq } });
  items.push({ text: "  steal (virtualisation)", style: { fg: theme.cpuSteal } });
  items.push({ text: "" });
  items.push(heading("Memory bar colours"));
  items.push({ text: "  used", style: { fg: theme.memUsed } });
  items.push({ text: "  buffers", style: { fg: theme.memBuffers } });
  items.push({ text: "  cache", style: { fg: theme.memCache } });
  return items;
}

export function openHelp(renderer: CliRenderer): ListDialog {
  return new ListDialog(renderer, { title: " bpftop help ", items: helpItems() });
}
