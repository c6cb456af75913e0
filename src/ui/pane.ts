/**
 * What the screen needs from each view below the header (the process list,
 * the network view, the events log): a table with its own filter, search
 * and status line, and for the views that sort, their sort. The screen
 * routes the keys the views share (movement, search, filter, sort) to the
 * current pane; each pane's own keys call its own methods.
 */
import type { Renderable } from "@opentui/core";
import type { ViewStatus } from "./footer.ts";
import type { SortState } from "./sort.ts";
import type { TopSnapshot } from "./source.ts";
import type { Navigable } from "./table.ts";

export interface Pane {
  /** What the pane puts below the header; the screen shows only the current view's. */
  readonly root: Renderable;
  /** The pane's table, which the movement keys move through. */
  readonly table: Navigable;
  /** Absent for a view in a fixed order (the events log). */
  readonly sorting?: SortState;
  readonly filter: string;
  setFilter(text: string): void;
  /** Shows `snapshot`: each refresh, or the latest one when the display resumes after a pause. */
  show(snapshot: TopSnapshot): void;
  /**
   * Selects the first row matching `text` (case-insensitive), starting at the
   * selected row, or at the one after it with `next`, and wrapping. False
   * when nothing matches; the selection then stays.
   */
  search(text: string, next: boolean): boolean;
  /** The view's part of the status line. `latest` is newer than the snapshot shown while paused. */
  status(latest: TopSnapshot): ViewStatus;
}
