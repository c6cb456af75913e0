/**
 * The process list: the table of processes with htop's sort, tree, user and
 * thread settings, plus the exited rows (dimmed, with their exit status),
 * frozen rows (on blue) and, on request, the processes that ran between two
 * refreshes. Group-by mode shows one line per systemd unit or container
 * instead, each expandable to its processes. The optional column sets
 * (columns.ts) come and go with the data and the user's toggles.
 */
import type { Renderable, RenderContext } from "@opentui/core";
import { buildView, findMatch, type Owner, type OwnerGroup, type ViewRow } from "../store/query.ts";
import type { ProcessRow } from "../store/types.ts";
import { COLUMNS, DEFAULT_SORT, columnById, type Column } from "./columns.ts";
import type { ProcessStatus } from "./footer.ts";
import type { Pane } from "./pane.ts";
import { Sorting } from "./sort.ts";
import type { TopSnapshot } from "./source.ts";
import { DataTable, type RowStyle, type TableItem } from "./table.ts";
import { theme } from "./theme.ts";

/** What `g` cycles through: one line per process, per unit, per container. */
const GROUPINGS: readonly (Owner | undefined)[] = [undefined, "unit", "container"];

/** What `O` cycles through: no ownership columns, UNIT and CONTAINER, those and CGROUP. */
type Ownership = "none" | "owners" | "all";
const OWNERSHIPS: readonly Ownership[] = ["none", "owners", "all"];

function rowStyle(row: ProcessRow): RowStyle | undefined {
  if (row.exit !== undefined || row.shortLived === true) return { fg: theme.exited };
  return row.frozen ? { fg: theme.frozen, bg: theme.frozenBg } : undefined;
}

export interface ProcessPaneOptions {
  tree: boolean;
  user?: string;
  pids?: readonly number[];
  onSelectionChange(): void;
}

export class ProcessPane implements Pane {
  readonly table: DataTable<ProcessRow, Column>;
  readonly sorting: Sorting<ProcessRow, Column>;
  filter = "";

  private rows: readonly ProcessRow[] = [];
  private view: ViewRow[] = [];
  private tree: boolean;
  private selectedUser: string | undefined;
  private readonly pids: readonly number[] | undefined;
  private showThreads = false;
  private showKernelThreads = true;
  private showShortLived = false;
  /** Undefined until a process has network traffic or the user decides (`N`). */
  private showNetwork: boolean | undefined;
  /** Undefined until the user decides (`O`); meanwhile CONTAINER shows once a container is seen. */
  private ownership: Ownership | undefined;
  private containerSeen = false;
  private hasGpus = false;
  private grouping: Owner | undefined;
  /** Keys of the groups listed with their processes. */
  private readonly expanded = new Set<string>();

  constructor(ctx: RenderContext, options: ProcessPaneOptions) {
    this.tree = options.tree;
    this.selectedUser = options.user;
    this.pids = options.pids;
    this.table = new DataTable<ProcessRow, Column>(ctx, {
      width: "100%",
      flexGrow: 1,
      flexShrink: 1,
      columns: COLUMNS.filter((column) => this.shows(column)),
      keyOf: (row) => row.pid,
      rowStyle,
      onHeaderClick: (column) => this.sorting.click(column),
      onSelectionChange: options.onSelectionChange,
    });
    const sortColumn = columnById(DEFAULT_SORT);
    this.sorting = new Sorting(this.table, sortColumn, sortColumn.defaultDesc, () => this.rebuild());
  }

  get root(): Renderable {
    return this.table;
  }

  get user(): string | undefined {
    return this.selectedUser;
  }

  show(snapshot: TopSnapshot): void {
    this.rows = snapshot.rows;
    if (this.showNetwork === undefined && snapshot.rows.some((row) => row.netSendRate > 0 || row.netReceiveRate > 0)) {
      this.showNetwork = true;
    }
    this.containerSeen ||= snapshot.rows.some((row) => row.container !== undefined);
    this.hasGpus = snapshot.system.gpus.length > 0;
    this.updateColumns();
    this.rebuild();
  }

  setFilter(text: string): void {
    this.filter = text;
    this.rebuild();
  }

  search(text: string, next: boolean): boolean {
    const index = findMatch(this.view, text, this.table.selectedIndex + (next ? 1 : 0));
    if (index >= 0) this.table.moveTo(index);
    return index >= 0;
  }

  status(): ProcessStatus {
    const shown = this.grouping
      ? this.view.reduce((count, line) => count + (line.group?.processes.length ?? 0), 0)
      : this.view.reduce((count, line) => count + (line.row.isThread ? 0 : 1), 0);
    return {
      view: "processes",
      shown,
      total: this.rows.reduce((count, row) => count + (row.isThread ? 0 : 1), 0),
      filter: this.filter,
      user: this.selectedUser,
      pids: this.pids,
      threadsShown: this.showThreads,
      kernelThreadsShown: this.showKernelThreads,
      shortLivedShown: this.showShortLived,
      groupedBy: this.grouping,
    };
  }

  toggleTree(): void {
    this.tree = !this.tree;
    this.rebuild();
  }

  /** Shows only `user`'s processes; everyone's when undefined. */
  setUser(user: string | undefined): void {
    this.selectedUser = user;
    this.rebuild();
  }

  /** The owners of the rows on display, sorted. */
  users(): string[] {
    return [...new Set(this.rows.map((row) => row.user))].sort();
  }

  /** Flips the thread setting and returns it; the source adds or drops thread rows from its next refresh on. */
  toggleThreads(): boolean {
    this.showThreads = !this.showThreads;
    return this.showThreads;
  }

  toggleKernelThreads(): void {
    this.showKernelThreads = !this.showKernelThreads;
    this.rebuild();
  }

  toggleShortLived(): void {
    this.showShortLived = !this.showShortLived;
    this.rebuild();
  }

  /** Shows or hides TX/s and RX/s; from then on they no longer appear by themselves. */
  toggleNetworkColumns(): void {
    this.showNetwork = !this.showNetwork;
    this.updateColumns();
    this.rebuild();
  }

  /** UNIT and CONTAINER, then CGROUP too, then none; from then on CONTAINER no longer appears by itself. */
  cycleOwnershipColumns(): void {
    this.ownership = OWNERSHIPS[(OWNERSHIPS.indexOf(this.ownership ?? "none") + 1) % OWNERSHIPS.length];
    this.updateColumns();
    this.rebuild();
  }

  /** One line per process, then per unit, then per container (all collapsed), and back. */
  cycleGrouping(): void {
    this.grouping = GROUPINGS[(GROUPINGS.indexOf(this.grouping) + 1) % GROUPINGS.length];
    this.expanded.clear();
    this.rebuild();
  }

  /** Lists the selected group's processes under it, or hides them (Enter). */
  toggleGroup(): void {
    const group = this.selectedGroup();
    if (group) this.setExpanded(group, !this.expanded.has(group.key));
  }

  expandGroup(): void {
    const group = this.selectedGroup();
    if (group) this.setExpanded(group, true);
  }

  /** Collapses the group of the selected line, a group line or one of its processes, and selects the group line. */
  collapseGroup(): void {
    let index = this.table.selectedIndex;
    while (index > 0 && !this.view[index]?.group) index--;
    const group = this.view[index]?.group;
    if (!group) return;
    this.setExpanded(group, false);
    this.table.moveTo(index);
  }

  /** Selects the row of `pid`, expanding its group; false when it is not in the list (gone, or filtered out). */
  select(pid: number): boolean {
    const group = this.view.find((line) => line.group?.processes.some((row) => row.pid === pid))?.group;
    if (group) this.setExpanded(group, true);
    const index = this.view.findIndex((line) => !line.group && line.row.pid === pid);
    if (index >= 0) this.table.moveTo(index);
    return index >= 0;
  }

  /** The selected process or thread; undefined on a group line. */
  selectedRow(): ProcessRow | undefined {
    const line = this.view[this.table.selectedIndex];
    return line?.group ? undefined : line?.row;
  }

  /** The group of the selected group line; undefined on a process line. */
  selectedGroup(): OwnerGroup | undefined {
    return this.view[this.table.selectedIndex]?.group;
  }

  /** Every row that passes the filters, in display order (not only those on screen). */
  visibleRows(): readonly ViewRow[] {
    return this.view;
  }

  // --- internal ---

  private shows(column: Column): boolean {
    switch (column.set) {
      case undefined:
        return true;
      case "network":
        return this.showNetwork === true;
      case "gpu":
        return this.hasGpus;
      case "owner":
        if (this.ownership === undefined) return column.id === "container" && this.containerSeen;
        return this.ownership !== "none";
      case "cgroup":
        return this.ownership === "all";
    }
  }

  /** Shows the columns of the sets that are on; sorting by a column being hidden goes back to the default sort. */
  private updateColumns(): void {
    this.table.setColumns(COLUMNS.filter((column) => this.shows(column)));
    const sorted = this.sorting.column;
    if (sorted && !this.table.columns.includes(sorted)) {
      const column = columnById(DEFAULT_SORT);
      this.sorting.set(column, column.defaultDesc);
    }
  }

  private setExpanded(group: OwnerGroup, expanded: boolean): void {
    if (expanded) this.expanded.add(group.key);
    else this.expanded.delete(group.key);
    this.rebuild();
  }

  /** Re-applies filters, sort and tree to the rows on display. */
  private rebuild(): void {
    this.view = buildView(this.rows, {
      filter: this.filter,
      user: this.selectedUser,
      pids: this.pids,
      showKernelThreads: this.showKernelThreads,
      showShortLived: this.showShortLived,
      // The process list always has a sort column; the default one stands in for the type's "none".
      sort: { compare: (this.sorting.column ?? columnById(DEFAULT_SORT)).compare, desc: this.sorting.desc },
      tree: this.tree,
      grouping: this.grouping && { by: this.grouping, expanded: this.expanded },
    });
    // Only group lines need a table item of their own; process lines are one already.
    this.table.setRows(this.grouping ? this.view.map(tableItem) : this.view);
  }
}

/** A group line is a summary line, identified by its group's key (its total has no pid). */
function tableItem(line: ViewRow): TableItem<ProcessRow> {
  return line.group ? { row: line.row, prefix: line.prefix, summary: true, key: `group ${line.group.key}` } : line;
}
