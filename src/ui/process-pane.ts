/**
 * The process list: the table of processes with htop's sort, tree, user and
 * thread settings, plus the exited rows (dimmed, with their exit status) and,
 * on request, the processes that ran between two refreshes.
 */
import type { RenderContext } from "@opentui/core";
import { buildView, findMatch, type ViewRow } from "../store/query.ts";
import type { ProcessRow } from "../store/types.ts";
import { COLUMNS, DEFAULT_SORT, columnById, type Column } from "./columns.ts";
import type { ProcessStatus } from "./footer.ts";
import type { Pane } from "./pane.ts";
import type { TopSnapshot } from "./source.ts";
import { DataTable } from "./table.ts";

export interface ProcessPaneOptions {
  tree: boolean;
  user?: string;
  pids?: readonly number[];
  onSelectionChange(): void;
}

export class ProcessPane implements Pane {
  readonly table: DataTable<ProcessRow, Column>;
  filter = "";

  private rows: readonly ProcessRow[] = [];
  private view: ViewRow[] = [];
  private sortColumn: Column = columnById(DEFAULT_SORT);
  private sortDesc = this.sortColumn.defaultDesc;
  private tree: boolean;
  private selectedUser: string | undefined;
  private readonly pids: readonly number[] | undefined;
  private showThreads = false;
  private showKernelThreads = true;
  private showShortLived = false;

  constructor(ctx: RenderContext, options: ProcessPaneOptions) {
    this.tree = options.tree;
    this.selectedUser = options.user;
    this.pids = options.pids;
    this.table = new DataTable<ProcessRow, Column>(ctx, {
      width: "100%",
      flexGrow: 1,
      flexShrink: 1,
      columns: COLUMNS,
      keyOf: (row) => row.pid,
      dimmed: (row) => row.exit !== undefined || row.shortLived === true,
      // htop: a click sorts by the column, a second click inverts.
      onHeaderClick: (column) => this.setSort(column, column === this.sortColumn ? !this.sortDesc : column.defaultDesc),
      onSelectionChange: options.onSelectionChange,
    });
    this.table.setSort(this.sortColumn, this.sortDesc);
  }

  get sort(): { column: Column; desc: boolean } {
    return { column: this.sortColumn, desc: this.sortDesc };
  }

  get user(): string | undefined {
    return this.selectedUser;
  }

  show(snapshot: TopSnapshot): void {
    this.rows = snapshot.rows;
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

  setSort(column: Column, desc: boolean): void {
    this.sortColumn = column;
    this.sortDesc = desc;
    this.table.setSort(column, desc);
    this.rebuild();
  }

  /** Sorts by the next (`step` 1) or previous (-1) column, in that column's default direction. */
  cycleSort(step: number): void {
    const index = COLUMNS.indexOf(this.sortColumn);
    const next = COLUMNS[(index + step + COLUMNS.length) % COLUMNS.length]!;
    this.setSort(next, next.defaultDesc);
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

  /** Re-applies filters, sort and tree to the rows on display. */
  private rebuild(): void {
    this.view = buildView(this.rows, {
      filter: this.filter,
      user: this.selectedUser,
      pids: this.pids,
      showKernelThreads: this.showKernelThreads,
      showShortLived: this.showShortLived,
      sort: { compare: this.sortColumn.compare, desc: this.sortDesc },
      tree: this.tree,
    });
    this.table.setRows(this.view);
  }
}
