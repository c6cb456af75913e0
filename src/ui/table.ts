/**
 * The table behind every view (the process list, the network view and the
 * events log): one renderable that draws the header line and only the rows
 * that fit (stack-guide §1.3), so thousands of rows cost no more than a
 * screenful. It owns the selection and the scroll position; the selection
 * follows a row's key across updates, not its index. What it shows is given
 * by a list of column definitions.
 */
import {
  Renderable,
  type MouseEvent,
  type OptimizedBuffer,
  type RGBA,
  type RenderableOptions,
  type RenderContext,
} from "@opentui/core";
import { fit } from "./format.ts";
import { theme, type CellStyle } from "./theme.ts";

/** Rows one wheel notch scrolls. */
const WHEEL_ROWS = 3;
const ARROW_DESC = "▽";
const ARROW_ASC = "△";

/** Movement shared by the tables and the dialog lists, so one set of key actions drives them all. */
export interface Navigable {
  /** Entries that can be moved through. */
  readonly length: number;
  /** Entries that fit on screen at once. */
  readonly pageSize: number;
  moveBy(delta: number): void;
  moveTo(index: number): void;
}

/** How one column of a table is drawn. */
export interface TableColumn<R> {
  header: string;
  /** Cells the column takes (plus one separating space); for the growing column, the fewest it takes. */
  width: number;
  align: "left" | "right";
  /** Takes the width the other columns leave. Without a growing column, the last column does. */
  grow?: boolean;
  /** The cell's text; `cells` is the room the table gives it (more than `width` for the growing column). */
  format(row: R, cells?: number): string;
  /** Colour by value; the row's default colour when absent or undefined. */
  style?(row: R): CellStyle | undefined;
  /** The value adds up over rows (CPU%, RES): drawn on summary lines too. */
  summed?: boolean;
}

/** One line of the table. */
export interface TableItem<R> {
  readonly row: R;
  /** Drawn dimmed at the start of the growing column (the process tree). */
  readonly prefix?: string;
  /** A line of totals (a group in group-by mode): only the summed columns and the growing one are drawn. */
  readonly summary?: boolean;
  /** What identifies the line when its row's key cannot (a summary line); keyOf(row) when absent. */
  readonly key?: RowKey;
}

/** One colour for a whole row, over its columns' own: exited processes dimmed, frozen ones on blue. */
export interface RowStyle {
  fg: RGBA;
  bg?: RGBA;
}

/** What identifies a row across updates: a pid, an event number, a socket cookie. */
export type RowKey = number | string;

export interface DataTableOptions<R, C extends TableColumn<R>> extends RenderableOptions<DataTable<R, C>> {
  columns: readonly C[];
  /** What identifies a row across setRows calls; the selection stays on it. */
  keyOf(row: R): RowKey;
  /** The colour of a row drawn wholly in one colour; undefined for a row in its columns' colours. */
  rowStyle?(row: R): RowStyle | undefined;
  /** While the last row is selected, rows added at the end take the selection with them (`tail -f`). */
  followTail?: boolean;
  onHeaderClick?(column: C): void;
  /** The selection was moved (by a key or the mouse). */
  onSelectionChange?(): void;
}

export class DataTable<R, C extends TableColumn<R>> extends Renderable implements Navigable {
  private shownColumns: readonly C[];
  private readonly keyOf: (row: R) => RowKey;
  private readonly rowStyle: (row: R) => RowStyle | undefined;
  private readonly followTail: boolean;
  private readonly onHeaderClick: ((column: C) => void) | undefined;
  private readonly onSelectionChange: () => void;
  private rows: readonly TableItem<R>[] = [];
  private selected = 0;
  private scrollTop = 0;
  private sortColumn: C | undefined;
  private sortDesc = false;
  private emptyText = "";

  constructor(ctx: RenderContext, options: DataTableOptions<R, C>) {
    super(ctx, options);
    this.shownColumns = options.columns;
    this.keyOf = options.keyOf;
    this.rowStyle = options.rowStyle ?? (() => undefined);
    this.followTail = options.followTail ?? false;
    this.onHeaderClick = options.onHeaderClick;
    this.onSelectionChange = options.onSelectionChange ?? (() => {});
  }

  /**
   * Replaces the rows. The selection stays on the same key when it is still
   * there, or on the last row when it is following the tail.
   */
  setRows(rows: readonly TableItem<R>[]): void {
    const following = this.following;
    const selected = this.rows[this.selected];
    const selectedKey = selected && this.itemKey(selected);
    this.rows = rows;
    const index = selectedKey === undefined ? -1 : rows.findIndex((item) => this.itemKey(item) === selectedKey);
    if (following) this.selected = this.clampIndex(rows.length - 1);
    else this.selected = index >= 0 ? index : this.clampIndex(this.selected);
    this.scrollTop = this.clampScroll(this.scrollTop);
    this.requestRender();
  }

  /** The columns shown, left to right. */
  get columns(): readonly C[] {
    return this.shownColumns;
  }

  setColumns(columns: readonly C[]): void {
    this.shownColumns = columns;
    this.requestRender();
  }

  /** Marks the sort column in the header; none when the view is in its default order. */
  setSort(column: C | undefined, desc: boolean): void {
    this.sortColumn = column;
    this.sortDesc = desc;
    this.requestRender();
  }

  /** Drawn in place of the rows while there are none (why the table is empty). */
  setEmptyText(text: string): void {
    this.emptyText = text;
    this.requestRender();
  }

  selectedRow(): R | undefined {
    return this.rows[this.selected]?.row;
  }

  get selectedIndex(): number {
    return this.selected;
  }

  /** True while new rows will move the selection along: `followTail` is set and the last row is selected. */
  get following(): boolean {
    return this.followTail && this.selected >= this.rows.length - 1;
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
    this.onSelectionChange();
  }

  /** Scrolls the view and the selection together, as htop's mouse wheel does. */
  scrollBy(delta: number): void {
    this.scrollTop = this.clampScroll(this.scrollTop + delta);
    this.selected = this.clampIndex(this.selected + delta);
    this.scrollToSelection();
    this.requestRender();
    this.onSelectionChange();
  }

  protected override renderSelf(buffer: OptimizedBuffer): void {
    const { screenX: x, screenY: y, width, height } = this;
    if (width <= 0 || height <= 0) return;
    // The height may have changed since the last move (resize), so re-check here.
    this.scrollToSelection();
    buffer.fillRect(x, y, width, height, theme.background);
    const layout = cellLayout(this.columns, width);
    this.drawHeader(buffer, layout, x, y, width);
    if (this.rows.length === 0 && height > 1) {
      buffer.drawText(fit(this.emptyText, width - 2, "left"), x + 1, y + 1, theme.warning);
    }
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
        if (column) this.onHeaderClick?.(column);
      } else if (this.scrollTop + line - 1 < this.rows.length) {
        this.moveTo(this.scrollTop + line - 1);
      }
      event.stopPropagation();
    }
  }

  // --- internal ---

  private drawHeader(buffer: OptimizedBuffer, layout: readonly Cell<C>[], x: number, y: number, width: number): void {
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
    layout: readonly Cell<C>[],
    item: TableItem<R>,
    selected: boolean,
    x: number,
    y: number,
    width: number,
  ): void {
    const rowStyle = this.rowStyle(item.row);
    const bg = selected ? theme.selectionBg : (rowStyle?.bg ?? theme.background);
    if (bg !== theme.background) buffer.fillRect(x, y, width, 1, bg);
    for (const { column, offset, cells, grows } of layout) {
      if (item.summary && !column.summed && !grows) continue;
      const style: CellStyle | undefined = rowStyle ? { fg: rowStyle.fg } : column.style?.(item.row);
      const fg = selected ? theme.selectionFg : (style?.fg ?? theme.text);
      let cellX = x + offset;
      let cellWidth = cells;
      if (grows && item.prefix) {
        const prefix = fit(item.prefix, cellWidth, "left").trimEnd();
        buffer.drawText(prefix, cellX, y, selected ? fg : theme.shadow, bg);
        cellX += prefix.length + 1;
        cellWidth -= prefix.length + 1;
      }
      if (cellWidth <= 0) continue;
      const text = fit(column.format(item.row, cellWidth), cellWidth, column.align);
      buffer.drawText(text, cellX, y, fg, bg, style?.attributes ?? 0);
    }
  }

  private itemKey(item: TableItem<R>): RowKey {
    return item.key ?? this.keyOf(item.row);
  }

  private columnAt(localX: number): C | undefined {
    const layout = cellLayout(this.columns, this.width);
    return layout.find(({ offset, cells }) => localX >= offset && localX <= offset + cells)?.column;
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
interface Cell<C> {
  column: C;
  offset: number;
  cells: number;
  /** The column that takes the width the others leave. */
  grows: boolean;
}

/**
 * Where each column sits: fixed widths plus one separating space, and the
 * growing column (else the last) takes what the others leave. Columns past
 * the right edge are cut.
 */
function cellLayout<C extends TableColumn<unknown>>(columns: readonly C[], width: number): Cell<C>[] {
  const marked = columns.findIndex((column) => column.grow);
  const growing = marked >= 0 ? marked : columns.length - 1;
  const others = columns.reduce((sum, column, i) => (i === growing ? sum : sum + column.width + 1), 0);
  const layout: Cell<C>[] = [];
  let offset = 0;
  for (let i = 0; i < columns.length && offset < width; i++) {
    const column = columns[i]!;
    const wanted = i === growing ? Math.max(column.width, width - others) : column.width;
    layout.push({ column, offset, cells: Math.min(wanted, width - offset), grows: i === growing });
    offset += wanted + 1;
  }
  return layout;
}
