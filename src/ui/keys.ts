/**
 * The one key table: it drives key dispatch, the footer's function-key bar
 * and the help overlay. Each binding belongs to one mode; while a prompt or
 * dialog is open only its mode's bindings apply.
 */
import type { KeyEvent } from "@opentui/core";

/** What the screen is doing; decides which bindings apply. */
export type Mode = "browse" | "search" | "filter" | "help" | "picker" | "confirm";

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
  | "pause"
  | "help"
  | "quit"
  | "accept"
  | "cancel"
  | "erase"
  | "type";

/**
 * A key as the table spells it: an OpenTUI key name (`up`, `f6`, `return`),
 * a character (`<`, `/`, `k`), an upper-case letter for Shift+letter (`I`),
 * `C-x` for Ctrl+x, or TEXT for any printable character.
 */
export type KeySpec = string;
const TEXT: KeySpec = "text";

export interface KeyBinding {
  mode: Mode;
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
  { keys: ["end"], action: "end", help: "Go to the last row" },
];

const inMode = (mode: Mode, bindings: readonly Omit<KeyBinding, "mode">[]): KeyBinding[] =>
  bindings.map((binding) => ({ mode, ...binding }));

export const KEY_BINDINGS: readonly KeyBinding[] = [
  ...inMode("browse", [
    { keys: ["f1", "h", "?"], action: "help", help: "Show this help", footer: "Help" },
    ...NAVIGATION,
    { keys: ["C-u"], action: "halfPageUp", help: "Half a page up" },
    { keys: ["C-d"], action: "halfPageDown", help: "Half a page down" },
    { keys: ["f3", "/"], action: "search", help: "Search: type to jump to a matching command", footer: "Search" },
    { keys: ["f4", "\\"], action: "filter", help: "Filter: show only matching commands", footer: "Filter" },
    { keys: ["f5", "t"], action: "toggleTree", help: "Tree view on/off", footer: "Tree" },
    { keys: ["f6"], action: "sortPicker", help: "Choose the sort column", footer: "SortBy" },
    { keys: [">", "."], action: "sortNext", help: "Sort by the next column" },
    { keys: ["<", ","], action: "sortPrev", help: "Sort by the previous column" },
    { keys: ["I"], action: "invertSort", help: "Invert the sort order" },
    { keys: ["u"], action: "userPicker", help: "Show only one user's processes" },
    { keys: ["H"], action: "toggleThreads", help: "Show/hide user threads" },
    { keys: ["K"], action: "toggleKernelThreads", help: "Show/hide kernel threads" },
    { keys: ["f9", "k"], action: "kill", help: "Send a signal to the selected process", footer: "Kill" },
    { keys: ["p"], action: "pause", help: "Pause/resume updates" },
    { keys: ["f10", "q"], action: "quit", help: "Quit", footer: "Quit" },
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
    { keys: ["y"], action: "accept", help: "Yes, send the signal", footer: "Yes" },
    { keys: ["n", "escape"], action: "cancel", help: "No, do nothing", footer: "No" },
  ]),
  ...inMode("help", [
    ...NAVIGATION,
    { keys: ["escape", "q", "f1", "h", "?"], action: "cancel", help: "Close the help", footer: "Close" },
  ]),
];

/** The binding for `key` in `mode`, if any. */
export function findBinding(mode: Mode, key: KeyEvent): KeyBinding | undefined {
  return KEY_BINDINGS.find((binding) => binding.mode === mode && binding.keys.some((spec) => keyMatches(spec, key)));
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
  if (/^f\d+$/.test(spec)) return spec.toUpperCase();
  return KEY_LABELS[spec] ?? spec;
}

const KEY_LABELS: Record<string, string> = {
  up: "Up",
  down: "Down",
  pageup: "PgUp",
  pagedown: "PgDn",
  home: "Home",
  end: "End",
  return: "Enter",
  enter: "Enter",
  escape: "Esc",
  backspace: "Bksp",
  space: "Space",
};

// --- internal ---

function keyMatches(spec: KeySpec, key: KeyEvent): boolean {
  if (key.meta) return false;
  if (spec === TEXT) return typedChar(key) !== undefined;
  if (spec.startsWith("C-")) return key.ctrl && key.name === spec.slice(2);
  if (key.ctrl) return false;
  // A letter is case-sensitive: `k` kills, `K` toggles kernel threads.
  if (/^[a-zA-Z]$/.test(spec)) return key.name === spec.toLowerCase() && key.shift === (spec !== spec.toLowerCase());
  return key.name === spec;
}
