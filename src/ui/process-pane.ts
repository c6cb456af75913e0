/**
 * The process list: the table of processes with htop's sort, tree, user and
 * thread settings, plus the exited rows (dimmed, with their exit status) and,
 * on request, the processes that ran between two refreshes. The network
 * columns (TX/s, RX/s) stay hidden until a process has network traffic.
 */
import type { Renderable, RenderContext } from "@opentui/core";
import { buildView, findMatch, type ViewRow } from "../store/query.ts";
import type { ProcessRow } from "../store/types.ts";
import { COLUMNS, DEFAULT_SORT, columnById, type Column } from "./columns.ts";
import type { ProcessStatus } from "./footer.ts";
import type { Pane } from "./pane.ts";
import { Sorting } from "./sort.ts";
import type { TopSnapshot } from "./source.ts";
import { DataTable } from "./table.ts";

const WITHOUT_NETWORK = COLUMNS.filter((column) => !column.network);

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

  constructor(ctx: RenderContext, options: ProcessPaneOptions) {
    this.tree = options.tree;
    this.selectedUser = options.user;
    this.pids = options.pids;
    this.table = new DataTable<ProcessRow, Column>(ctx, {
      width: "100%",
      flexGrow: 1,
      flexShrink: 1,
      columns: WITHOUT_NETWORK,
      keyOf: (row) => row.pid,
      dimmed: (row) => row.exit !== undefined || row.shortLived === true,
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
      this.setNetworkColumns(true);
    }
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
    return {
      view: "processes",
      shown: this.view.filter((view) => !view.row.isThread).length,
      total: this.rows.filter((row) => !row.isThread).length,
      filter: this.filter,
      user: this.selectedUser,
      pids: this.pids,
      threadsShown: this.showThreads,
      kernelThreadsShown: this.showKernelThreads,
      shortLivedShown: this.showShortLived,
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
    this.setNetworkColumns(!this.showNetwork);
    this.rebuild();
  }

  /** Selects the row of `pid`; false when it is not in the list (gone, or filtered out). */
  select(pid: number): boolean {
    const index = this.view.findIndex((view) => view.row.pid === pid);
    if (index >= 0) this.table.moveTo(index);
    return index >= 0;
  }

  selectedRow(): ProcessRow | undefined {
    return this.table.selectedRow();
  }

  /** Every row that passes the filters, in display order (not only those on screen). */
  visibleRows(): readonly ViewRow[] {
    return this.view;
  }

  // --- internal ---

  /** Sorting by a column being hidden goes back to the default sort. */
  private setNetworkColumns(shown: boolean): void {
    this.showNetwork = shown;
    this.table.setColumns(shown ? COLUMNS : WITHOUT_NETWORK);
    const sorted = this.sorting.column;
    if (sorted && !this.table.columns.includes(sorted)) {
      const column = columnById(DEFAULT_SORT);
      this.sorting.set(column, column.defaultDesc);
    }
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
    });
    this.table.setRows(this.view);
  }
}
