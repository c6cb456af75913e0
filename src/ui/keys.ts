/**
 * The one key table: it drives key dispatch, the footer's function-key bar
 * and the help overlay. Each binding belongs to one mode; while a prompt or
 * dialog is open only its mode's bindings apply. A browse binding may also
 * belong to one view; without one it works in every view.
 */
import type { KeyEvent } from "@opentui/core";
import type { TopOptions } from "./source.ts";

/** What the screen is doing; decides which bindings apply. */
export type Mode = "browse" | "search" | "filter" | "help" | "picker" | "confirm";

/** What the screen shows below the header: the process table, the network view or the events log. */
export type View = NonNullable<TopOptions["view"]>;

/** The views in Tab order. */
export const VIEWS: readonly View[] = ["processes", "network", "events"];

export type Action =
  | "up"
  | "down"
  | "pageUp"
  | "pageDown"
  | "halfPageUp"
  | "halfPageDown"
  | "home"
  | "end"
  | "sortNext"
  | "sortPrev"
  | "sortPicker"
  | "invertSort"
  | "toggleTree"
  | "search"
  | "searchNext"
  | "filter"
  | "userPicker"
  | "toggleThreads"
  | "toggleKernelThreads"
  | "kill"
  | "toggleShortLived"
  | "toggleNetworkColumns"
  | "cycleOwnershipColumns"
  | "cycleGrouping"
  | "toggleGroup"
  | "expandGroup"
  | "collapseGroup"
  | "freezeOrThaw"
  | "thawNow"
  | "showConnections"
  | "showAllConnections"
  | "toggleExecs"
  | "toggleExits"
  | "toggleForks"
  | "showProcess"
  | "nextView"
  | "prevView"
  | "pause"
  | "toggleOverhead"
  | "help"
  | "quit"
  | "accept"
  | "cancel"
  | "erase"
  | "type";

/**
 * A key as the table spells it: an OpenTUI key name (`up`, `f6`, `return`),
 * a character (`<`, `/`, `k`), an upper-case letter for Shift+letter (`I`),
 * `C-x` for Ctrl+x, `S-tab` for Shift+a named key, or TEXT for any printable
 * character.
 */
export type KeySpec = string;
const TEXT: KeySpec = "text";

export interface KeyBinding {
  mode: Mode;
  /** The only view the binding works in; every view when absent. */
  view?: View;
  keys: readonly KeySpec[];
  action: Action;
  help: string;
  /** Label in the footer bar, shown after the binding's first key. */
  footer?: string;
}

const NAVIGATION: readonly Omit<KeyBinding, "mode">[] = [
  { keys: ["up"], action: "up", help: "Move up" },
  { keys: ["down"], action: "down", help: "Move down" },
  { keys: ["pageup"], action: "pageUp", help: "Page up" },
  { keys: ["pagedown"], action: "pageDown", help: "Page down" },
  { keys: ["home"], action: "home", help: "Go to the first row" },
  { keys: ["end"], action: "end", help: "Go to the last row; in the events log, follow new events" },
];

const inMode = (mode: Mode, bindings: readonly Omit<KeyBinding, "mode">[]): KeyBinding[] =>
  bindings.map((binding) => ({ mode, ...binding }));

const inView = (view: View, bindings: readonly Omit<KeyBinding, "mode" | "view">[]): Omit<KeyBinding, "mode">[] =>
  bindings.map((binding) => ({ view, ...binding }));

/** The views that sort (the process list and the network view) share these. */
const SORTING: readonly Omit<KeyBinding, "mode" | "view">[] = [
  { keys: ["f6"], action: "sortPicker", help: "Choose the sort column", footer: "SortBy" },
  { keys: [">", "."], action: "sortNext", help: "Sort by the next column" },
  { keys: ["<", ","], action: "sortPrev", help: "Sort by the previous column" },
  { keys: ["I"], action: "invertSort", help: "Invert the sort order" },
];

export const KEY_BINDINGS: readonly KeyBinding[] = [
  ...inMode("browse", [
    { keys: ["f1", "h", "?"], action: "help", help: "Show this help", footer: "Help" },
    ...NAVIGATION,
    { keys: ["C-u"], action: "halfPageUp", help: "Half a page up" },
    { keys: ["C-d"], action: "halfPageDown", help: "Half a page down" },
    {
      keys: ["f3", "/"],
      action: "search",
      help: "Search: type to jump to a matching row",
      footer: "Search",
    },
    {
      keys: ["f4", "\\"],
      action: "filter",
      help: "Filter: show only matching rows",
      footer: "Filter",
    },
    ...inView("processes", [
      { keys: ["f5", "t"], action: "toggleTree", help: "Tree view on/off", footer: "Tree" },
      ...SORTING,
      { keys: ["u"], action: "userPicker", help: "Show only one user's processes (as in htop; thaw is f or U)" },
      { keys: ["H"], action: "toggleThreads", help: "Show/hide user threads" },
      { keys: ["K"], action: "toggleKernelThreads", help: "Show/hide kernel threads" },
      { keys: ["e"], action: "toggleShortLived", help: "Show/hide processes that ran between two refreshes" },
      { keys: ["f9", "k"], action: "kill", help: "Send a signal to the selected process", footer: "Kill" },
      { keys: ["n"], action: "showConnections", help: "Show the selected process's connections in the network view" },
      {
        keys: ["N"],
        action: "toggleNetworkColumns",
        help: "Show/hide TX/s and RX/s (they appear once a process has network traffic)",
      },
      {
        keys: ["O"],
        action: "cycleOwnershipColumns",
        help: "Show UNIT and CONTAINER, then CGROUP too, then none (CONTAINER appears once a container is seen)",
      },
      { keys: ["g"], action: "cycleGrouping", help: "Group by: process, systemd unit, container" },
      {
        keys: ["return", "enter"],
        action: "toggleGroup",
        help: "Grouped: list or hide the selected group's processes",
      },
      { keys: ["right"], action: "expandGroup", help: "Grouped: list the selected group's processes" },
      { keys: ["left"], action: "collapseGroup", help: "Grouped: hide the processes of the selected line's group" },
      {
        keys: ["f"],
        action: "freezeOrThaw",
        help: "Freeze the selected process's cgroup, or thaw it if frozen; asks first, listing every PID",
      },
      { keys: ["U"], action: "thawNow", help: "Thaw the selected process's cgroup at once" },
    ]),
    ...inView("network", [
      ...SORTING,
      {
        keys: ["return", "enter"],
        action: "showProcess",
        help: "Go to the connection's process in the process list",
        footer: "Proc",
      },
      { keys: ["escape"], action: "showAllConnections", help: "Show every process's connections again (after n)" },
    ]),
    ...inView("events", [
      { keys: ["e"], action: "toggleExecs", help: "Show/hide exec events" },
      { keys: ["x"], action: "toggleExits", help: "Show/hide exit events" },
      { keys: ["f"], action: "toggleForks", help: "Show/hide fork events" },
      {
        keys: ["return", "enter"],
        action: "showProcess",
        help: "Go to the event's process, if it is still listed",
        footer: "Proc",
      },
    ]),
    { keys: ["p"], action: "pause", help: "Pause/resume the display (collection goes on)" },
    {
      keys: ["b"],
      action: "toggleOverhead",
      help: "Show/hide bpftop's own cost: its CPU, each BPF program's run time, buffer fill and losses",
    },
    { keys: ["f10", "q"], action: "quit", help: "Quit", footer: "Quit" },
    { keys: ["tab"], action: "nextView", help: "Next view: processes, network, events", footer: "View" },
    { keys: ["S-tab"], action: "prevView", help: "Previous view" },
  ]),
  ...inMode("search", [
    { keys: [TEXT], action: "type", help: "Type to jump to the next match" },
    { keys: ["f3"], action: "searchNext", help: "Next match", footer: "Next" },
    { keys: ["backspace"], action: "erase", help: "Delete the last character" },
    { keys: ["return", "enter"], action: "accept", help: "Done; keep the selection", footer: "Done" },
    { keys: ["escape"], action: "cancel", help: "Done; keep the selection", footer: "Cancel" },
    { keys: ["up"], action: "up", help: "Move up" },
    { keys: ["down"], action: "down", help: "Move down" },
  ]),
  ...inMode("filter", [
    { keys: [TEXT], action: "type", help: "Type to filter the list as you go" },
    { keys: ["backspace"], action: "erase", help: "Delete the last character" },
    { keys: ["return", "enter"], action: "accept", help: "Keep the filter", footer: "Done" },
    { keys: ["escape"], action: "cancel", help: "Clear the filter", footer: "Clear" },
    { keys: ["up"], action: "up", help: "Move up" },
    { keys: ["down"], action: "down", help: "Move down" },
  ]),
  ...inMode("picker", [
    ...NAVIGATION,
    { keys: ["return", "enter"], action: "accept", help: "Choose the highlighted entry", footer: "Select" },
    { keys: ["escape", "q"], action: "cancel", help: "Close without choosing", footer: "Cancel" },
  ]),
  ...inMode("confirm", [
    { keys: ["up"], action: "up", help: "Scroll the list of processes (freeze, thaw) up" },
    { keys: ["down"], action: "down", help: "Scroll it down" },
    { keys: ["pageup"], action: "pageUp", help: "Scroll it a page up" },
    { keys: ["pagedown"], action: "pageDown", help: "Scroll it a page down" },
    { keys: ["y"], action: "accept", help: "Yes: send the signal, freeze or thaw", footer: "Yes" },
    { keys: ["n", "escape"], action: "cancel", help: "No, do nothing", footer: "No" },
  ]),
  ...inMode("help", [
    ...NAVIGATION,
    { keys: ["escape", "q", "f1", "h", "?"], action: "cancel", help: "Close the help", footer: "Close" },
  ]),
];

/** True when `binding` applies in `mode` and `view`. */
export function bindingApplies(binding: KeyBinding, mode: Mode, view: View): boolean {
  return binding.mode === mode && (binding.view === undefined || binding.view === view);
}

/** The binding for `key` in `mode` and `view`, if any. */
export function findBinding(mode: Mode, view: View, key: KeyEvent): KeyBinding | undefined {
  return KEY_BINDINGS.find(
    (binding) => bindingApplies(binding, mode, view) && binding.keys.some((spec) => keyMatches(spec, key)),
  );
}

/** The character a key types, or undefined for a non-printing key. */
export function typedChar(key: KeyEvent): string | undefined {
  if (key.ctrl || key.meta) return undefined;
  const char = key.name === "space" ? " " : key.sequence;
  return char.length === 1 && char >= " " && char !== "\x7f" ? char : undefined;
}

/** How a key spec reads in the help and the footer: `F6`, `Ctrl-U`, `Enter`, `I`. */
export function keyLabel(spec: KeySpec): string {
  if (spec === TEXT) return "a-z…";
  if (spec.startsWith("C-")) return `Ctrl-${spec.slice(2).toUpperCase()}`;
  if (spec.startsWith("S-")) return `Shift-${keyLabel(spec.slice(2))}`;
  if (/^f\d+$/.test(spec)) return spec.toUpperCase();
  return KEY_LABELS[spec] ?? spec;
}

const KEY_LABELS: Record<string, string> = {
  up: "Up",
  down: "Down",
  left: "Left",
  right: "Right",
  pageup: "PgUp",
  pagedown: "PgDn",
  home: "Home",
  end: "End",
  return: "Enter",
  enter: "Enter",
  escape: "Esc",
  backspace: "Bksp",
  space: "Space",
  tab: "Tab",
};

// --- internal ---

function keyMatches(spec: KeySpec, key: KeyEvent): boolean {
  if (key.meta) return false;
  if (spec === TEXT) return typedChar(key) !== undefined;
  if (spec.startsWith("C-")) return key.ctrl && key.name === spec.slice(2);
  if (key.ctrl) return false;
  if (spec.startsWith("S-")) return key.shift && key.name === spec.slice(2);
  // A letter is case-sensitive: `k` kills, `K` toggles kernel threads.
  if (/^[a-zA-Z]$/.test(spec)) return key.name === spec.toLowerCase() && key.shift === (spec !== spec.toLowerCase());
  // A named key (`tab`, `up`) held with Shift is another key (`S-tab`); a symbol may need Shift to type.
  if (spec.length > 1) return key.name === spec && !key.shift;
  return key.name === spec;
}
