/**
 * The events log: recent exec, exit and fork events in time order, newest
 * at the bottom. Like `tail -f`, it follows new events while the last one is
 * selected; moving up stops that and End resumes it.
 */
import type { Renderable, RenderContext } from "@opentui/core";
import { countAfter, findEventMatch, selectEvents } from "../store/query.ts";
import type { EventStats, ProcessEvent, ProcessEventKind } from "../store/types.ts";
import { EVENT_COLUMNS, type EventColumn } from "./event-columns.ts";
import type { EventStatus } from "./footer.ts";
import type { Pane } from "./pane.ts";
import type { TopSnapshot } from "./source.ts";
import { DataTable } from "./table.ts";

/** Every kind, in the order the status line lists hidden ones. */
const KINDS: readonly ProcessEventKind[] = ["exec", "exit", "fork"];
/** Shown at first: a fork mostly precedes an exec, so forks are noise until asked for (as in `bpftop trace`). */
const FIRST_KINDS: readonly ProcessEventKind[] = ["exec", "exit"];

export interface EventPaneOptions {
  onSelectionChange(): void;
}

export class EventPane implements Pane {
  readonly table: DataTable<ProcessEvent, EventColumn>;
  filter = "";

  private readonly kinds = new Set<ProcessEventKind>(FIRST_KINDS);
  private log: readonly ProcessEvent[] = [];
  /** The newest event on display; later ones arrived while paused. */
  private lastSeq = 0;
  private stats: EventStats = { execsPerSec: 0, exitsPerSec: 0, forksPerSec: 0, dropped: 0 };
  private shown: ProcessEvent[] = [];

  constructor(ctx: RenderContext, options: EventPaneOptions) {
    this.table = new DataTable<ProcessEvent, EventColumn>(ctx, {
      width: "100%",
      flexGrow: 1,
      flexShrink: 1,
      columns: EVENT_COLUMNS,
      keyOf: (event) => event.seq,
      followTail: true,
      onSelectionChange: options.onSelectionChange,
    });
  }

  get root(): Renderable {
    return this.table;
  }

  show(snapshot: TopSnapshot): void {
    // A copy: the store may append to its array in place, and a paused log must not grow.
    this.log = [...snapshot.events];
    this.lastSeq = snapshot.events.at(-1)?.seq ?? 0;
    this.stats = snapshot.eventStats;
    const { unavailable } = snapshot.eventStats;
    this.table.setEmptyText(unavailable === undefined ? "" : `Process events unavailable: ${unavailable}`);
    this.rebuild();
  }

  setFilter(text: string): void {
    this.filter = text;
    this.rebuild();
  }

  search(text: string, next: boolean): boolean {
    const index = findEventMatch(this.shown, text, this.table.selectedIndex + (next ? 1 : 0));
    if (index >= 0) this.table.moveTo(index);
    return index >= 0;
  }

  status(latest: TopSnapshot): EventStatus {
    return {
      view: "events",
      shown: this.shown.length,
      total: this.log.length,
      filter: this.filter,
      hiddenKinds: KINDS.filter((kind) => !this.kinds.has(kind)),
      stats: this.stats,
      following: this.table.following,
      newSincePause: countAfter(latest.events, this.lastSeq),
    };
  }

  /** Shows or hides one kind of event. */
  toggleKind(kind: ProcessEventKind): void {
    if (!this.kinds.delete(kind)) this.kinds.add(kind);
    this.rebuild();
  }

  selectedEvent(): ProcessEvent | undefined {
    return this.table.selectedRow();
  }

  /** Every event that passes the filters, oldest first (not only those on screen). */
  visibleEvents(): readonly ProcessEvent[] {
    return this.shown;
  }

  // --- internal ---

  private rebuild(): void {
    this.shown = selectEvents(this.log, { filter: this.filter, kinds: this.kinds });
    this.table.setRows(this.shown.map((row) => ({ row })));
  }
}
