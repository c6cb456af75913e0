/**
 * The process table: one renderable that draws the header line and only the
 * rows that fit (stack-guide §1.3), so thousands of rows cost no more than a
 * screenful. It owns the selection and the scroll position; the selection
 * follows a pid across refreshes, not an index.
 */
import {
  Renderable,
  type MouseEvent,
  type OptimizedBuffer,
  type RenderableOptions,
  type RenderContext,
} from "@opentui/core";
import type { ViewRow } from "../store/query.ts";
import { COLUMNS, type Column } from "./columns.ts";
import { fit } from "./format.ts";
import { theme } from "./theme.ts";

/** Rows one wheel notch scrolls. */
const WHEEL_ROWS = 3;
const ARROW_DESC = "▽";
const ARROW_ASC = "△";

/** Movement shared by the table and the dialog lists, so one set of key actions drives both. */
export interface Navigable {
  /** Entries that can be moved through. */
  readonly length: number;
  /** Entries that fit on screen at once. */
  readonly pageSize: number;
  moveBy(delta: number): void;
  moveTo(index: number): void;
}

export interface ProcessTableOptions extends RenderableOptions<ProcessTable> {
  /** A click on a column header. */
  onHeaderClick(column: Column): void;
}

export class ProcessTable extends Renderable implements Navigable {
  private rows: readonly ViewRow[] = [];
  private selected = 0;
  private scrollTop = 0;
  private sortColumn: Column = COLUMNS[0]!;
  private sortDesc = false;
  private readonly onHeaderClick: (column: Column) => void;

  constructor(ctx: RenderContext, options: ProcessTableOptions) {
    super(ctx, options);
    this.onHeaderClick = options.onHeaderClick;
  }

  /** Replaces the rows, keeping the selection on the same pid when it is still shown. */
  setRows(rows: readonly ViewRow[]): void {
    const selectedPid = this.rows[this.selected]?.row.pid;
    this.rows = rows;
    const index = selectedPid === undefined ? -1 : rows.findIndex((view) => view.row.pid === selectedPid);
    this.selected = index >= 0 ? index : this.clampIndex(this.selected);
    this.scrollTop = this.clampScroll(this.scrollTop);
    this.requestRender();
  }

  setSort(column: Column, desc: boolean): void {
    this.sortColumn = column;
    this.sortDesc = desc;
    this.requestRender();
  }

  selectedRow(): ViewRow | undefined {
    return this.rows[this.selected];
  }

  get selectedIndex(): number {
    return this.selected;
  }

  get length(): number {
    return this.rows.length;
  }

  get pageSize(): number {
    return Math.max(1, this.height - 1);
  }

  moveBy(delta: number): void {
    this.moveTo(this.selected + delta);
  }

  moveTo(index: number): void {
    this.selected = this.clampIndex(index);
    this.scrollToSelection();
    this.requestRender();
  }

  /** Scrolls the view and the selection together, as htop's mouse wheel does. */
  scrollBy(delta: number): void {
    this.scrollTop = this.clampScroll(this.scrollTop + delta);
    this.selected = this.clampIndex(this.selected + delta);
    this.scrollToSelection();
    this.requestRender();
  }

  protected override renderSelf(buffer: OptimizedBuffer): void {
    const { screenX: x, screenY: y, width, height } = this;
    if (width <= 0 || height <= 0) return;
    // The height may have changed since the last move (resize), so re-check here.
    this.scrollToSelection();
    buffer.fillRect(x, y, width, height, theme.background);
    const layout = cellLayout(width);
    this.drawHeader(buffer, layout, x, y, width);
    const end = Math.min(this.rows.length, this.scrollTop + height - 1);
    for (let index = this.scrollTop; index < end; index++) {
      const lineY = y + 1 + index - this.scrollTop;
      this.drawRow(buffer, layout, this.rows[index]!, index === this.selected, x, lineY, width);
    }
  }

  protected override onMouseEvent(event: MouseEvent): void {
    if (event.type === "scroll") {
      const direction = event.scroll?.direction;
      if (direction === "down") this.scrollBy(WHEEL_ROWS);
      else if (direction === "up") this.scrollBy(-WHEEL_ROWS);
      event.stopPropagation();
    } else if (event.type === "down" && event.button === 0) {
      const line = event.y - this.screenY;
      if (line === 0) {
        const column = this.columnAt(event.x - this.screenX);
        if (column) this.onHeaderClick(column);
      } else if (this.scrollTop + line - 1 < this.rows.length) {
        this.moveTo(this.scrollTop + line - 1);
      }
      event.stopPropagation();
    }
  }

  // --- internal ---

  private drawHeader(buffer: OptimizedBuffer, layout: readonly Cell[], x: number, y: number, width: number): void {
    buffer.fillRect(x, y, width, 1, theme.tableHeaderBg);
    for (const { column, offset, cells } of layout) {
      const sorted = column === this.sortColumn;
      const bg = sorted ? theme.sortHeaderBg : theme.tableHeaderBg;
      const arrow = sorted ? (this.sortDesc ? ARROW_DESC : ARROW_ASC) : "";
      // A right-aligned header keeps its right edge under the values; the arrow takes the separator cell.
      const label =
        column.align === "right"
          ? fit(column.header, cells, "right") + arrow
          : fit(column.header + arrow, cells, "left");
      const text = fit(label, Math.min(cells + 1, width - offset), "left");
      buffer.drawText(text, x + offset, y, theme.tableHeaderFg, bg, theme.bold);
    }
  }

  private drawRow(
    buffer: OptimizedBuffer,
    layout: readonly Cell[],
    view: ViewRow,
    selected: boolean,
    x: number,
    y: number,
    width: number,
  ): void {
    const bg = selected ? theme.selectionBg : theme.background;
    if (selected) buffer.fillRect(x, y, width, 1, bg);
    for (const { column, offset, cells } of layout) {
      const style = column.style?.(view.row);
      const fg = selected ? theme.selectionFg : (style?.fg ?? theme.text);
      let cellX = x + offset;
      let cellWidth = cells;
      if (column.id === "command" && view.prefix !== "") {
        const prefix = fit(view.prefix, cellWidth, "left").trimEnd();
        buffer.drawText(prefix, cellX, y, selected ? fg : theme.shadow, bg);
        cellX += prefix.length + 1;
        cellWidth -= prefix.length + 1;
      }
      if (cellWidth <= 0) continue;
      const text = fit(column.format(view.row), cellWidth, column.align);
      buffer.drawText(text, cellX, y, fg, bg, style?.attributes ?? 0);
    }
  }

  private columnAt(localX: number): Column | undefined {
    return cellLayout(this.width).find(({ offset, cells }) => localX >= offset && localX <= offset + cells)?.column;
  }

  private scrollToSelection(): void {
    const body = Math.max(1, this.height - 1);
    if (this.selected < this.scrollTop) this.scrollTop = this.selected;
    else if (this.selected >= this.scrollTop + body) this.scrollTop = this.selected - body + 1;
    this.scrollTop = this.clampScroll(this.scrollTop);
  }

  private clampIndex(index: number): number {
    return Math.max(0, Math.min(index, this.rows.length - 1));
  }

  private clampScroll(top: number): number {
    return Math.max(0, Math.min(top, this.rows.length - Math.max(1, this.height - 1)));
  }
}

/** A column's place in a row of a given width. */
interface Cell {
  column: Column;
  offset: number;
  cells: number;
}

/** Where each column sits: fixed widths plus one separating space; the last column takes the rest. */
function cellLayout(width: number): Cell[] {
  const layout: Cell[] = [];
  let offset = 0;
  for (let i = 0; i < COLUMNS.length && offset < width; i++) {
    const column = COLUMNS[i]!;
    const remaining = width - offset;
    const cells = i === COLUMNS.length - 1 ? remaining : Math.min(column.width, remaining);
    layout.push({ column, offset, cells });
    offset += cells + 1;
  }
  return layout;
}
