/**
 * The network view: a summary of every socket (by state, total rates, the
 * busiest processes) above a table of one row per TCP/UDP socket, sorted
 * by total rate until the user picks a column. Closed connections stay a
 * few refreshes, dimmed. The command line's port, pid and protocol filters
 * always apply; `n` in the process list narrows the view to one process
 * until Esc.
 */
import { BoxRenderable, type RenderContext } from "@opentui/core";
import type { ConnectionFilter } from "../store/query.ts";
import { findConnectionMatch, selectConnections } from "../store/query.ts";
import type { ConnectionRow, NetStats } from "../store/types.ts";
import type { NetworkStatus } from "./footer.ts";
import { NETWORK_COLUMNS, type NetworkColumn } from "./network-columns.ts";
import { NetworkSummary, SUMMARY_HEIGHT } from "./network-summary.ts";
import type { Pane } from "./pane.ts";
import { Sorting } from "./sort.ts";
import type { TopSnapshot } from "./source.ts";
import { DataTable } from "./table.ts";
import { theme } from "./theme.ts";

export interface NetworkPaneOptions {
  where: ConnectionFilter;
  onSelectionChange(): void;
}

export class NetworkPane implements Pane {
  readonly root: BoxRenderable;
  readonly table: DataTable<ConnectionRow, NetworkColumn>;
  /** No column at first: the default order is total rate, then total bytes, largest first. */
  readonly sorting: Sorting<ConnectionRow, NetworkColumn>;
  filter = "";

  private readonly summary: NetworkSummary;
  private readonly where: ConnectionFilter;
  private process: { pid: number; comm: string } | undefined;
  private connections: readonly ConnectionRow[] = [];
  private stats: NetStats = { connections: 0, byState: {}, sendRate: 0, receiveRate: 0, dropped: 0 };
  private shown: ConnectionRow[] = [];

  constructor(ctx: RenderContext, options: NetworkPaneOptions) {
    this.where = options.where;
    this.root = new BoxRenderable(ctx, { width: "100%", flexGrow: 1, flexShrink: 1, flexDirection: "column" });
    this.summary = new NetworkSummary(ctx, { width: "100%", height: SUMMARY_HEIGHT, flexShrink: 0 });
    this.table = new DataTable<ConnectionRow, NetworkColumn>(ctx, {
      width: "100%",
      flexGrow: 1,
      flexShrink: 1,
      columns: NETWORK_COLUMNS,
      keyOf: (row) => row.id,
      rowStyle: (row) => (row.closed ? { fg: theme.exited } : undefined),
      onHeaderClick: (column) => this.sorting.click(column),
      onSelectionChange: options.onSelectionChange,
    });
    this.sorting = new Sorting(this.table, undefined, true, () => this.rebuild());
    this.root.add(this.summary);
    this.root.add(this.table);
  }

  show(snapshot: TopSnapshot): void {
    this.connections = snapshot.connections;
    this.stats = snapshot.netStats;
    const { unavailable } = snapshot.netStats;
    this.table.setEmptyText(unavailable === undefined ? "" : `Network view unavailable: ${unavailable}`);
    this.summary.update(this.stats, this.connections);
    this.rebuild();
  }

  setFilter(text: string): void {
    this.filter = text;
    this.rebuild();
  }

  search(text: string, next: boolean): boolean {
    const index = findConnectionMatch(this.shown, text, this.table.selectedIndex + (next ? 1 : 0));
    if (index >= 0) this.table.moveTo(index);
    return index >= 0;
  }

  status(): NetworkStatus {
    return {
      view: "network",
      shown: this.shown.length,
      total: this.connections.length,
      filter: this.filter,
      where: this.where,
      process: this.process,
      stats: this.stats,
    };
  }

  /** Shows only `process`'s connections; everyone's when undefined. */
  setProcess(process: { pid: number; comm: string } | undefined): void {
    this.process = process;
    this.rebuild();
  }

  selectedConnection(): ConnectionRow | undefined {
    return this.table.selectedRow();
  }

  /** Every connection that passes the filters, in display order (not only those on screen). */
  visibleConnections(): readonly ConnectionRow[] {
    return this.shown;
  }

  // --- internal ---

  private rebuild(): void {
    this.shown = selectConnections(this.connections, {
      filter: this.filter,
      where: this.where,
      pid: this.process?.pid,
      sort: { compare: this.sorting.column?.compare, desc: this.sorting.desc },
    });
    this.table.setRows(this.shown.map((row) => ({ row })));
  }
}
