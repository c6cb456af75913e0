/**
 * The top screen: header meters, process table and footer, wired to a
 * TopSource. `mountTop` builds it on any renderer (tests use the test
 * renderer); `runTop` owns the real terminal, the refresh timer and every
 * way of leaving.
 *
 * All keys arrive in one global handler and go through the key table for the
 * current mode, so an open prompt or dialog gets every key and nothing
 * reaches the table underneath.
 */
import { BoxRenderable, createCliRenderer, type CliRenderer, type KeyEvent } from "@opentui/core";
import { constants } from "node:os";
import { buildView, findMatch, type ViewRow } from "../store/query.ts";
import type { ProcessRow } from "../store/types.ts";
import { COLUMNS, DEFAULT_SORT, columnById, type Column, type ColumnId } from "./columns.ts";
import { ConfirmDialog, ListDialog, type Modal } from "./dialogs.ts";
import { FOOTER_HEIGHT, FooterView, type Prompt } from "./footer.ts";
import { HeaderView, headerLayout } from "./header.ts";
import { openHelp } from "./help.ts";
import { findBinding, typedChar, type Action, type Mode } from "./keys.ts";
import type { TopOptions, TopSnapshot, TopSource } from "./source.ts";
import { ProcessTable, type Navigable } from "./table.ts";

/** The signals the kill dialog offers, SIGTERM (the default) first. */
const SIGNALS: readonly NodeJS.Signals[] = [
  "SIGTERM",
  "SIGKILL",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGSTOP",
  "SIGCONT",
  "SIGUSR1",
  "SIGUSR2",
];

/** How long a status message (signal sent or failed) stays. */
const MESSAGE_MS = 5000;

export interface TopController {
  readonly mode: Mode;
  readonly paused: boolean;
  readonly sort: { column: ColumnId; desc: boolean };
  /** Pulls one snapshot from the source and redraws; does nothing while paused. Throws what the source throws. */
  refresh(): void;
  /** Removes every renderable, handler and listener the screen added; the renderer stays. */
  destroy(): void;
  selectedRow(): ProcessRow | undefined;
  /** Every row that passes the filters, in display order (not only those on screen). */
  visibleRows(): readonly ViewRow[];
}

export interface TopHooks {
  /** Called for q/F10; by default destroys the renderer. */
  onQuit?: () => void;
}

/** Builds the screen on `renderer` and shows a first snapshot (so this calls source.refresh() once). */
export function mountTop(
  renderer: CliRenderer,
  source: TopSource,
  options: TopOptions,
  hooks: TopHooks = {},
): TopController {
  return new TopScreen(renderer, source, options, hooks.onQuit ?? (() => renderer.destroy()));
}

/**
 * Runs bpftop on the terminal until the user quits, a signal arrives or
 * something fails. The terminal is always restored before `onExit` is called
 * (from OpenTUI's onDestroy, stack-guide §1.6): with 0 for q/F10/Ctrl-C/
 * SIGTERM/SIGHUP, with 1 after a failure, whose message goes to stderr.
 */
export async function runTop(source: TopSource, options: TopOptions, onExit: (code: number) => void): Promise<void> {
  let failure: { error: unknown } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fail = (error: unknown): void => {
    failure ??= { error };
    if (!renderer.isDestroyed) renderer.destroy();
  };
  const renderer = await createCliRenderer({
    exitOnCtrlC: true,
    openConsoleOnError: false,
    useMouse: options.mouse ?? true,
    // Clicks and the wheel only: hover tracking would wake us on every mouse move.
    enableMouseMovement: false,
    onDestroy: () => {
      clearTimeout(timer);
      process.off("uncaughtException", fail);
      process.off("unhandledRejection", fail);
      if (failure) process.stderr.write(`${describeFailure(failure.error)}\n`);
      onExit(failure ? 1 : 0);
    },
  });
  // OpenTUI catches uncaught errors itself and keeps running (stack-guide §0.3); we end instead.
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);

  let screen: TopController;
  try {
    screen = mountTop(renderer, source, options);
  } catch (error) {
    fail(error);
    return;
  }
  // A chain of timeouts, not an interval: a slow refresh can never overlap the next.
  const tick = (): void => {
    const started = performance.now();
    try {
      screen.refresh();
    } catch (error) {
      fail(error);
      return;
    }
    timer = setTimeout(tick, Math.max(0, options.delayMs - (performance.now() - started)));
  };
  timer = setTimeout(tick, options.delayMs);
}

// --- internal ---

function describeFailure(error: unknown): string {
  if (process.env.BPFTOP_DEBUG && error instanceof Error && error.stack) return `bpftop: ${error.stack}`;
  const message = error instanceof Error ? error.message : String(error);
  return `bpftop: ${message.replace(/\s*\n\s*/g, " ")}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An open dialog and what choosing in it does. */
interface OpenModal {
  dialog: Modal;
  onAccept(): void;
}

class TopScreen implements TopController {
  mode: Mode = "browse";
  paused = false;

  private readonly renderer: CliRenderer;
  private readonly source: TopSource;
  private readonly quit: () => void;
  private readonly container: BoxRenderable;
  private readonly header: HeaderView;
  private readonly table: ProcessTable;
  private readonly footer: FooterView;

  private snapshot: TopSnapshot | undefined;
  private view: ViewRow[] = [];
  private shownProcesses = 0;
  private totalProcesses = 0;
  private sortColumn: Column = columnById(DEFAULT_SORT);
  private sortDesc = this.sortColumn.defaultDesc;
  private tree: boolean;
  private filterText = "";
  private searchText = "";
  private searchFailed = false;
  private user: string | undefined;
  private readonly pids: readonly number[] | undefined;
  private showThreads = false;
  private showKernelThreads = true;
  private message: { text: string; isError: boolean; expiresAt: number } | undefined;
  private modal: OpenModal | undefined;

  constructor(renderer: CliRenderer, source: TopSource, options: TopOptions, quit: () => void) {
    this.renderer = renderer;
    this.source = source;
    this.quit = quit;
    this.tree = options.tree;
    this.user = options.user;
    this.pids = options.pids;

    this.container = new BoxRenderable(renderer, { width: "100%", height: "100%", flexDirection: "column" });
    this.header = new HeaderView(renderer, { width: "100%", height: 0, flexShrink: 0 });
    this.table = new ProcessTable(renderer, {
      width: "100%",
      flexGrow: 1,
      flexShrink: 1,
      onHeaderClick: (column) => this.onHeaderClick(column),
    });
    this.footer = new FooterView(renderer, { width: "100%", height: FOOTER_HEIGHT, flexShrink: 0 });
    this.container.add(this.header);
    this.container.add(this.table);
    this.container.add(this.footer);
    renderer.root.add(this.container);
    this.table.setSort(this.sortColumn, this.sortDesc);

    renderer.keyInput.on("keypress", this.onKey);
    renderer.on("resize", this.onResize);
    this.refresh();
  }

  get sort(): { column: ColumnId; desc: boolean } {
    return { column: this.sortColumn.id, desc: this.sortDesc };
  }

  refresh(): void {
    if (this.paused) return;
    this.snapshot = this.source.refresh();
    this.rebuild();
  }

  destroy(): void {
    this.renderer.keyInput.off("keypress", this.onKey);
    this.renderer.off("resize", this.onResize);
    this.modal?.dialog.destroy();
    this.modal = undefined;
    this.renderer.root.remove(this.container);
    this.container.destroyRecursively();
  }

  selectedRow(): ProcessRow | undefined {
    return this.table.selectedRow()?.row;
  }

  visibleRows(): readonly ViewRow[] {
    return this.view;
  }

  private readonly onKey = (key: KeyEvent): void => {
    const binding = findBinding(this.mode, key);
    if (binding || this.mode !== "browse") {
      key.preventDefault();
      key.stopPropagation();
    }
    if (binding) this.perform(binding.action, key);
  };

  private readonly onResize = (): void => {
    this.layoutHeader();
  };

  private perform(action: Action, key: KeyEvent): void {
    const list = this.activeList();
    switch (action) {
      case "up":
        return list.moveBy(-1);
      case "down":
        return list.moveBy(1);
      case "pageUp":
        return list.moveBy(-list.pageSize);
      case "pageDown":
        return list.moveBy(list.pageSize);
      case "halfPageUp":
        return list.moveBy(-Math.ceil(list.pageSize / 2));
      case "halfPageDown":
        return list.moveBy(Math.ceil(list.pageSize / 2));
      case "home":
        return list.moveTo(0);
      case "end":
        return list.moveTo(list.length - 1);
      case "sortNext":
        return this.cycleSort(1);
      case "sortPrev":
        return this.cycleSort(-1);
      case "sortPicker":
        return this.openSortPicker();
      case "invertSort":
        return this.setSort(this.sortColumn, !this.sortDesc);
      case "toggleTree":
        this.tree = !this.tree;
        return this.rebuild();
      case "search":
        this.searchText = "";
        this.searchFailed = false;
        return this.setMode("search");
      case "searchNext":
        return this.search(this.table.selectedIndex + 1);
      case "filter":
        return this.setMode("filter");
      case "userPicker":
        return this.openUserPicker();
      case "toggleThreads":
        // The source adds or drops thread rows from its next refresh on.
        this.showThreads = !this.showThreads;
        this.source.setShowThreads(this.showThreads);
        return this.updateFooter();
      case "toggleKernelThreads":
        this.showKernelThreads = !this.showKernelThreads;
        return this.rebuild();
      case "kill":
        return this.openSignalPicker();
      case "pause":
        this.paused = !this.paused;
        return this.updateFooter();
      case "help":
        return this.openModal("help", openHelp(this.renderer), () => {});
      case "quit":
        return this.quit();
      case "accept":
        return this.accept();
      case "cancel":
        return this.cancel();
      case "erase":
        return this.editPrompt((text) => text.slice(0, -1));
      case "type": {
        const char = typedChar(key);
        if (char !== undefined) this.editPrompt((text) => text + char);
        return;
      }
    }
  }

  /** What the movement keys act on: the open dialog's list, else the table. */
  private activeList(): Navigable {
    return this.modal?.dialog.list ?? this.table;
  }

  private accept(): void {
    if (this.mode === "search" || this.mode === "filter") return this.setMode("browse");
    const modal = this.modal;
    this.closeModal();
    modal?.onAccept();
  }

  private cancel(): void {
    if (this.mode === "search") return this.setMode("browse");
    if (this.mode === "filter") {
      this.filterText = "";
      this.setMode("browse");
      return this.rebuild();
    }
    this.closeModal();
  }

  private editPrompt(edit: (text: string) => string): void {
    if (this.mode === "search") {
      this.searchText = edit(this.searchText);
      // Incremental: the current row stays selected while it still matches.
      this.search(this.table.selectedIndex);
    } else if (this.mode === "filter") {
      this.filterText = edit(this.filterText);
      this.rebuild();
    }
  }

  /** Selects the first match at or after `from`, wrapping; flags the prompt when nothing matches. */
  private search(from: number): void {
    const index = findMatch(this.view, this.searchText, from);
    if (index >= 0) this.table.moveTo(index);
    this.searchFailed = this.searchText !== "" && index < 0;
    this.updateFooter();
  }

  private setSort(column: Column, desc: boolean): void {
    this.sortColumn = column;
    this.sortDesc = desc;
    this.table.setSort(column, desc);
    this.rebuild();
  }

  private cycleSort(step: number): void {
    const index = COLUMNS.indexOf(this.sortColumn);
    const next = COLUMNS[(index + step + COLUMNS.length) % COLUMNS.length]!;
    this.setSort(next, next.defaultDesc);
  }

  /** htop: a click sorts by the column, a second click inverts. */
  private onHeaderClick(column: Column): void {
    if (column === this.sortColumn) this.setSort(column, !this.sortDesc);
    else this.setSort(column, column.defaultDesc);
  }

  private openSortPicker(): void {
    const dialog = new ListDialog(this.renderer, {
      title: " Sort by ",
      items: COLUMNS.map((column) => ({ text: `${column.header.padEnd(8)} ${column.help}` })),
      selected: COLUMNS.indexOf(this.sortColumn),
    });
    this.openModal("picker", dialog, () => {
      const column = COLUMNS[dialog.selectedIndex]!;
      this.setSort(column, column === this.sortColumn ? this.sortDesc : column.defaultDesc);
    });
  }

  private openUserPicker(): void {
    const users = [...new Set(this.snapshot?.rows.map((row) => row.user) ?? [])].sort();
    const dialog = new ListDialog(this.renderer, {
      title: " Show processes of ",
      items: [{ text: "All users" }, ...users.map((user) => ({ text: user }))],
      selected: this.user === undefined ? 0 : users.indexOf(this.user) + 1,
    });
    this.openModal("picker", dialog, () => {
      this.user = dialog.selectedIndex === 0 ? undefined : users[dialog.selectedIndex - 1];
      this.rebuild();
    });
  }

  /** Signal list, then a confirmation naming the process; the target is fixed when k is pressed. */
  private openSignalPicker(): void {
    const target = this.selectedRow();
    if (!target) return this.say("No process selected", true);
    const dialog = new ListDialog(this.renderer, {
      title: ` Send signal to ${target.pid} `,
      items: SIGNALS.map((signal) => ({ text: `${String(constants.signals[signal]).padStart(2)} ${signal}` })),
      selected: 0,
    });
    this.openModal("picker", dialog, () => {
      const signal = SIGNALS[dialog.selectedIndex]!;
      const question = `Send ${signal} to ${target.pid} (${target.comm})?`;
      this.openModal("confirm", new ConfirmDialog(this.renderer, " Confirm ", question), () =>
        this.sendSignal(target.pid, signal),
      );
    });
  }

  private sendSignal(pid: number, signal: NodeJS.Signals): void {
    try {
      this.source.sendSignal(pid, signal);
      this.say(`Sent ${signal} to ${pid}`, false);
    } catch (error) {
      // The source's message names the signal and pid (TopSource.sendSignal).
      this.say(`Signal not sent: ${errorMessage(error)}`, true);
    }
  }

  private openModal(mode: Mode, dialog: Modal, onAccept: () => void): void {
    this.modal = { dialog, onAccept };
    this.setMode(mode);
  }

  private closeModal(): void {
    this.modal?.dialog.destroy();
    this.modal = undefined;
    this.setMode("browse");
  }

  private setMode(mode: Mode): void {
    this.mode = mode;
    this.updateFooter();
  }

  private say(text: string, isError: boolean): void {
    this.message = { text, isError, expiresAt: Date.now() + MESSAGE_MS };
    this.updateFooter();
  }

  /** Re-applies filters, sort and tree to the latest snapshot (also while paused). */
  private rebuild(): void {
    const rows = this.snapshot?.rows ?? [];
    this.view = buildView(rows, {
      filter: this.filterText,
      user: this.user,
      pids: this.pids,
      showKernelThreads: this.showKernelThreads,
      sort: { compare: this.sortColumn.compare, desc: this.sortDesc },
      tree: this.tree,
    });
    this.shownProcesses = this.view.filter((view) => !view.row.isThread).length;
    this.totalProcesses = rows.filter((row) => !row.isThread).length;
    this.table.setRows(this.view);
    this.layoutHeader();
    this.updateFooter();
  }

  /** The header's height depends on the CPU count and the screen size. */
  private layoutHeader(): void {
    if (!this.snapshot) return;
    const { system } = this.snapshot;
    const layout = headerLayout(system.cpus.length, this.renderer.width, this.renderer.height);
    this.header.height = layout.height;
    this.header.update(system, layout);
  }

  private updateFooter(): void {
    if (this.message && Date.now() >= this.message.expiresAt) this.message = undefined;
    this.footer.update({
      mode: this.mode,
      prompt: this.prompt(),
      status: {
        collectMs: this.snapshot?.info.collectMs,
        shownProcesses: this.shownProcesses,
        totalProcesses: this.totalProcesses,
        filter: this.filterText,
        user: this.user,
        pids: this.pids,
        threadsShown: this.showThreads,
        kernelThreadsShown: this.showKernelThreads,
        paused: this.paused,
        message: this.message,
        warnings: this.snapshot?.info.warnings ?? [],
      },
    });
  }

  private prompt(): Prompt | undefined {
    if (this.mode === "search") return { label: "Search", text: this.searchText, failed: this.searchFailed };
    if (this.mode === "filter") return { label: "Filter", text: this.filterText, failed: this.shownProcesses === 0 };
    return undefined;
  }
}
