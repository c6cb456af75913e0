/**
 * The top screen: header meters, then the process list, the network view or
 * the events log, then the footer, wired to a TopSource. `mountTop` builds
 * it on any renderer (tests use the test renderer); `runTop` owns the real
 * terminal, the refresh timer and every way of leaving.
 *
 * All keys arrive in one global handler and go through the key table for the
 * current mode and view, so an open prompt or dialog gets every key and
 * nothing reaches the table underneath.
 */
import { BoxRenderable, createCliRenderer, type CliRenderer, type KeyEvent } from "@opentui/core";
import { constants } from "node:os";
import type { ViewRow } from "../store/query.ts";
import type { ConnectionRow, FreezeTarget, ProcessEvent, ProcessRow } from "../store/types.ts";
import { ConfirmDialog, ListDialog, type Modal } from "./dialogs.ts";
import { EventPane } from "./event-pane.ts";
import { FOOTER_HEIGHT, FooterView, type Prompt } from "./footer.ts";
import { freezeDialog, freezeDone, type FreezeAction } from "./freeze.ts";
import { HeaderView, headerLayout } from "./header.ts";
import { OverheadView } from "./overhead.ts";
import { openHelp } from "./help.ts";
import { findBinding, typedChar, VIEWS, type Action, type Mode, type View } from "./keys.ts";
import { NetworkPane } from "./network-pane.ts";
import type { Pane } from "./pane.ts";
import { ProcessPane } from "./process-pane.ts";
import type { TopOptions, TopSnapshot, TopSource } from "./source.ts";
import type { Navigable } from "./table.ts";

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
  readonly view: View;
  readonly paused: boolean;
  /** The current view's sort: its column's id, none in the view's default order (and in the events log). */
  readonly sort: { column: string | undefined; desc: boolean };
  /**
   * Pulls one snapshot from the source and redraws. While paused the display
   * stays as it was and only the status line moves on (new events are
   * counted), so collection never falls behind. Throws what the source throws.
   */
  refresh(): void;
  /** Removes every renderable, handler and listener the screen added; the renderer stays. */
  destroy(): void;
  /** The process list's selection (whichever view is shown). */
  selectedRow(): ProcessRow | undefined;
  /** Every row that passes the filters, in display order (not only those on screen). */
  visibleRows(): readonly ViewRow[];
  /** The events log's selection (whichever view is shown). */
  selectedEvent(): ProcessEvent | undefined;
  /** Every event that passes the log's filters, oldest first. */
  visibleEvents(): readonly ProcessEvent[];
  /** The network view's selection (whichever view is shown). */
  selectedConnection(): ConnectionRow | undefined;
  /** Every connection that passes the network view's filters, in display order. */
  visibleConnections(): readonly ConnectionRow[];
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
  view: View = "processes";
  paused = false;

  private readonly renderer: CliRenderer;
  private readonly source: TopSource;
  private readonly quit: () => void;
  private readonly container: BoxRenderable;
  private readonly header: HeaderView;
  /** The self-overhead readout (`b`); its visibility is the toggle's state. */
  private readonly overhead: OverheadView;
  private readonly processes: ProcessPane;
  private readonly network: NetworkPane;
  private readonly events: EventPane;
  private readonly panes: Readonly<Record<View, Pane>>;
  private readonly footer: FooterView;

  /** The newest snapshot, and the one on display: older while paused. */
  private latest: TopSnapshot;
  private shown: TopSnapshot;
  private searchText = "";
  private searchFailed = false;
  private message: { text: string; isError: boolean; expiresAt: number } | undefined;
  private modal: OpenModal | undefined;

  constructor(renderer: CliRenderer, source: TopSource, options: TopOptions, quit: () => void) {
    this.renderer = renderer;
    this.source = source;
    this.quit = quit;

    const onSelectionChange = (): void => this.updateFooter();
    this.container = new BoxRenderable(renderer, { width: "100%", height: "100%", flexDirection: "column" });
    this.header = new HeaderView(renderer, { width: "100%", height: 0, flexShrink: 0 });
    this.overhead = new OverheadView(renderer, { width: "100%", height: 0, flexShrink: 0, visible: false });
    this.processes = new ProcessPane(renderer, {
      tree: options.tree,
      user: options.user,
      pids: options.pids,
      onSelectionChange,
    });
    this.network = new NetworkPane(renderer, { where: options.net ?? {}, onSelectionChange });
    this.events = new EventPane(renderer, { onSelectionChange });
    this.panes = { processes: this.processes, network: this.network, events: this.events };
    this.footer = new FooterView(renderer, { width: "100%", height: FOOTER_HEIGHT, flexShrink: 0 });
    this.container.add(this.header);
    this.container.add(this.overhead);
    for (const view of VIEWS) this.container.add(this.panes[view].root);
    this.container.add(this.footer);

    if (options.overhead) this.setOverheadShown(true);
    this.latest = this.shown = source.refresh();
    this.setView(options.view ?? "processes");
    this.display(this.latest);
    renderer.root.add(this.container);
    renderer.keyInput.on("keypress", this.onKey);
    renderer.on("resize", this.onResize);
  }

  get sort(): { column: string | undefined; desc: boolean } {
    const sorting = this.pane.sorting;
    return { column: sorting?.column?.id, desc: sorting?.desc ?? false };
  }

  refresh(): void {
    this.latest = this.source.refresh();
    if (this.paused) this.updateFooter();
    else this.display(this.latest);
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
    return this.processes.selectedRow();
  }

  visibleRows(): readonly ViewRow[] {
    return this.processes.visibleRows();
  }

  selectedEvent(): ProcessEvent | undefined {
    return this.events.selectedEvent();
  }

  visibleEvents(): readonly ProcessEvent[] {
    return this.events.visibleEvents();
  }

  selectedConnection(): ConnectionRow | undefined {
    return this.network.selectedConnection();
  }

  visibleConnections(): readonly ConnectionRow[] {
    return this.network.visibleConnections();
  }

  private get pane(): Pane {
    return this.panes[this.view];
  }

  private readonly onKey = (key: KeyEvent): void => {
    const binding = findBinding(this.mode, this.view, key);
    if (binding || this.mode !== "browse") {
      key.preventDefault();
      key.stopPropagation();
    }
    if (!binding) return;
    this.perform(binding.action, key);
    this.updateFooter();
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
        return this.pane.sorting?.cycle(1);
      case "sortPrev":
        return this.pane.sorting?.cycle(-1);
      case "sortPicker":
        return this.openSortPicker();
      case "invertSort":
        return this.pane.sorting?.invert();
      case "toggleTree":
        return this.processes.toggleTree();
      case "search":
        this.searchText = "";
        this.searchFailed = false;
        this.mode = "search";
        return;
      case "searchNext":
        return this.search(true);
      case "filter":
        this.mode = "filter";
        return;
      case "userPicker":
        return this.openUserPicker();
      case "toggleThreads":
        return this.source.setShowThreads(this.processes.toggleThreads());
      case "toggleKernelThreads":
        return this.processes.toggleKernelThreads();
      case "toggleShortLived":
        return this.processes.toggleShortLived();
      case "toggleNetworkColumns":
        return this.processes.toggleNetworkColumns();
      case "cycleOwnershipColumns":
        return this.processes.cycleOwnershipColumns();
      case "cycleGrouping":
        return this.processes.cycleGrouping();
      case "toggleGroup":
        return this.processes.toggleGroup();
      case "expandGroup":
        return this.processes.expandGroup();
      case "collapseGroup":
        return this.processes.collapseGroup();
      case "freezeOrThaw":
        return this.openFreezeDialog();
      case "thawNow":
        return this.thawNow();
      case "showConnections":
        return this.showConnections();
      case "showAllConnections":
        return this.network.setProcess(undefined);
      case "kill":
        return this.openSignalPicker();
      case "toggleExecs":
        return this.events.toggleKind("exec");
      case "toggleExits":
        return this.events.toggleKind("exit");
      case "toggleForks":
        return this.events.toggleKind("fork");
      case "showProcess":
        return this.showProcess();
      case "nextView":
        return this.setView(VIEWS[(VIEWS.indexOf(this.view) + 1) % VIEWS.length]!);
      case "prevView":
        return this.setView(VIEWS[(VIEWS.indexOf(this.view) + VIEWS.length - 1) % VIEWS.length]!);
      case "toggleOverhead":
        this.setOverheadShown(!this.overhead.visible);
        return this.layoutHeader();
      case "pause":
        this.paused = !this.paused;
        // The stores update rows in place between refreshes: freeze a copy of what is on screen.
        this.display(this.paused ? frozenCopy(this.shown) : this.latest);
        return;
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

  /** What the movement keys act on: the open dialog's list, else the current view's table. */
  private activeList(): Navigable {
    return this.modal?.dialog.list ?? this.pane.table;
  }

  private setView(view: View): void {
    this.view = view;
    for (const name of VIEWS) this.panes[name].root.visible = name === view;
  }

  private accept(): void {
    if (this.mode === "search" || this.mode === "filter") {
      this.mode = "browse";
      return;
    }
    const modal = this.modal;
    this.closeModal();
    modal?.onAccept();
  }

  private cancel(): void {
    if (this.mode === "filter") this.pane.setFilter("");
    if (this.mode === "search" || this.mode === "filter") {
      this.mode = "browse";
      return;
    }
    this.closeModal();
  }

  private editPrompt(edit: (text: string) => string): void {
    if (this.mode === "search") {
      this.searchText = edit(this.searchText);
      // Incremental: the current row stays selected while it still matches.
      this.search(false);
    } else if (this.mode === "filter") {
      this.pane.setFilter(edit(this.pane.filter));
    }
  }

  /** Selects the next match in the current view; flags the prompt when nothing matches. */
  private search(next: boolean): void {
    const found = this.pane.search(this.searchText, next);
    this.searchFailed = this.searchText !== "" && !found;
  }

  /** From the selected event or connection to its process in the process list. */
  private showProcess(): void {
    const owner = this.view === "events" ? this.events.selectedEvent() : this.network.selectedConnection();
    if (!owner) return;
    if (owner.pid === 0) return this.say("The connection's process is not known yet", true);
    if (!this.processes.select(owner.pid)) return this.say(`Process ${owner.pid} is not in the process list`, true);
    this.setView("processes");
  }

  /** From the selected process (a thread's process) to its connections in the network view. */
  private showConnections(): void {
    const row = this.processes.selectedRow();
    if (!row) return this.say("No process selected", true);
    this.network.setProcess({ pid: row.tgid, comm: row.comm });
    this.setView("network");
  }

  private openSortPicker(): void {
    const sorting = this.pane.sorting;
    if (!sorting) return;
    const { columns, column: current } = sorting;
    const dialog = new ListDialog(this.renderer, {
      title: " Sort by ",
      items: columns.map((column) => ({ text: `${column.header.padEnd(8)} ${column.help}` })),
      // In the default order, no column is current: start at the top.
      selected: current ? columns.indexOf(current) : 0,
    });
    this.openModal("picker", dialog, () => sorting.pick(dialog.selectedIndex));
  }

  private openUserPicker(): void {
    const users = this.processes.users();
    const current = this.processes.user;
    const dialog = new ListDialog(this.renderer, {
      title: " Show processes of ",
      items: [{ text: "All users" }, ...users.map((user) => ({ text: user }))],
      selected: current === undefined ? 0 : users.indexOf(current) + 1,
    });
    this.openModal("picker", dialog, () => {
      this.processes.setUser(dialog.selectedIndex === 0 ? undefined : users[dialog.selectedIndex - 1]);
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
      this.openModal("confirm", new ConfirmDialog(this.renderer, { title: " Confirm ", lines: [question] }), () =>
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

  /**
   * f: asks the source what freezing the selected process's cgroup (thawing,
   * when it is frozen) would touch, and asks the user with that; a refusal
   * goes to the status line. The target is fixed when f is pressed.
   */
  private openFreezeDialog(): void {
    const target = this.freezable();
    if (!target) return;
    const action: FreezeAction = target.frozen ? "thaw" : "freeze";
    const pid = target.tgid;
    let plan: FreezeTarget;
    try {
      plan = action === "thaw" ? this.source.planThaw(pid) : this.source.planFreeze(pid);
    } catch (error) {
      return this.say(`Cannot ${action} ${pid}: ${errorMessage(error)}`, true);
    }
    const dialog = freezeDialog(this.renderer, action, pid, plan, this.shown.rows);
    this.openModal("confirm", dialog, () => this.freezeOrThaw(action, pid));
  }

  /** U: thaws the selected process's cgroup without asking. */
  private thawNow(): void {
    const target = this.freezable();
    if (target) this.freezeOrThaw("thaw", target.tgid);
  }

  /** The selected process, when freezing works here; otherwise says why not. */
  private freezable(): ProcessRow | undefined {
    const unavailable = this.latest.system.freezeUnavailable;
    if (unavailable !== undefined) {
      this.say(`Freeze and thaw unavailable: ${unavailable}`, true);
      return undefined;
    }
    const row = this.selectedRow();
    if (!row) this.say("No process selected", true);
    return row;
  }

  private freezeOrThaw(action: FreezeAction, pid: number): void {
    try {
      const done = action === "thaw" ? this.source.thaw(pid) : this.source.freeze(pid);
      this.say(freezeDone(action, done), false);
    } catch (error) {
      this.say(`Cannot ${action} ${pid}: ${errorMessage(error)}`, true);
    }
  }

  private openModal(mode: Mode, dialog: Modal, onAccept: () => void): void {
    this.modal = { dialog, onAccept };
    this.mode = mode;
  }

  private closeModal(): void {
    this.modal?.dialog.destroy();
    this.modal = undefined;
    this.mode = "browse";
  }

  private say(text: string, isError: boolean): void {
    this.message = { text, isError, expiresAt: Date.now() + MESSAGE_MS };
  }

  /** Puts `snapshot` on display in every view and the header. */
  private display(snapshot: TopSnapshot): void {
    this.shown = snapshot;
    for (const view of VIEWS) this.panes[view].show(snapshot);
    this.layoutHeader();
    this.updateFooter();
  }

  /** The header's height depends on the CPU count and the screen size; the readout's on its text. */
  private layoutHeader(): void {
    const { system, eventStats } = this.shown;
    const layout = headerLayout(system.cpus.length, system.gpus.length, this.renderer.width, this.renderer.height);
    this.header.height = layout.height;
    this.header.update({ system, events: eventStats }, layout);
    // From the newest refresh, not the paused one on display: it is bpftop's cost now.
    this.overhead.height = this.overhead.visible ? this.overhead.update(this.latest.overhead, this.renderer.width) : 0;
  }

  /** The kernel counts BPF run times only while the readout is shown (it costs each program run two clock reads). */
  private setOverheadShown(on: boolean): void {
    this.overhead.visible = on;
    this.source.setShowOverhead(on);
  }

  private updateFooter(): void {
    if (this.message && Date.now() >= this.message.expiresAt) this.message = undefined;
    this.footer.update({
      mode: this.mode,
      view: this.view,
      prompt: this.prompt(),
      status: {
        collectMs: this.latest.info.collectMs,
        paused: this.paused,
        message: this.message,
        warnings: this.latest.info.warnings,
        view: this.pane.status(this.latest),
      },
    });
  }

  private prompt(): Prompt | undefined {
    if (this.mode === "search") return { label: "Search", text: this.searchText, failed: this.searchFailed };
    if (this.mode === "filter") {
      return { label: "Filter", text: this.pane.filter, failed: this.pane.table.length === 0 };
    }
    return undefined;
  }
}

/** A snapshot whose rows no later refresh can change (the stores reuse row objects). */
function frozenCopy(s: TopSnapshot): TopSnapshot {
  return {
    ...s,
    rows: s.rows.map((r) => ({ ...r })),
    connections: s.connections.map((c) => ({ ...c })),
    events: [...s.events],
  };
}
