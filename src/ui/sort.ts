/**
 * Sorting by column, shared by the process list and the network view (the
 * events log stays in time order): header clicks, `<`/`>`, `I` and the F6
 * picker all change one Sorting, which marks the header and has its pane
 * rebuild the rows.
 */
import type { DataTable, TableColumn } from "./table.ts";

/** A column rows can be sorted by. */
export interface SortColumn<R> extends TableColumn<R> {
  /** Stable: used in tests and, one day, in config. */
  id: string;
  /** Ascending order; the view applies the direction and breaks ties. */
  compare(a: R, b: R): number;
  /** Direction a first sort by this column uses (largest first for amounts, lowest PID first). */
  defaultDesc: boolean;
  help: string;
}

/** A sort column as the picker lists it. */
interface SortKey {
  id: string;
  header: string;
  help: string;
}

/** What the keys and the sort picker need of a view's sort, whatever its rows. */
export interface SortState {
  /** The columns that can be chosen: those shown. */
  readonly columns: readonly SortKey[];
  /** Undefined while the view is in its default order. */
  readonly column: SortKey | undefined;
  readonly desc: boolean;
  /** Sorts by `columns[index]`: a new column in its default direction, the current one keeps its direction. */
  pick(index: number): void;
  /** Sorts by the next (`step` 1) or previous (-1) column, in that column's default direction. */
  cycle(step: number): void;
  invert(): void;
}

export const byNumber =
  <R>(pick: (row: R) => number) =>
  (a: R, b: R): number =>
    pick(a) - pick(b);

export const byText =
  <R>(pick: (row: R) => string) =>
  (a: R, b: R): number => {
    const x = pick(a);
    const y = pick(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };

export class Sorting<R, C extends SortColumn<R>> implements SortState {
  private readonly table: DataTable<R, C>;
  private readonly onChange: () => void;
  private current: C | undefined;
  private direction: boolean;

  /**
   * Starts with `column` (none: the view's default order) in direction
   * `desc`; `onChange` re-sorts the pane's rows after every change.
   */
  constructor(table: DataTable<R, C>, column: C | undefined, desc: boolean, onChange: () => void) {
    this.table = table;
    this.onChange = onChange;
    this.current = column;
    this.direction = desc;
    table.setSort(column, desc);
  }

  get columns(): readonly C[] {
    return this.table.columns;
  }

  get column(): C | undefined {
    return this.current;
  }

  get desc(): boolean {
    return this.direction;
  }

  set(column: C | undefined, desc: boolean): void {
    this.current = column;
    this.direction = desc;
    this.table.setSort(column, desc);
    this.onChange();
  }

  pick(index: number): void {
    const column = this.columns[index];
    if (column) this.set(column, column === this.current ? this.direction : column.defaultDesc);
  }

  /** htop: a click sorts by the column, a second click inverts. */
  click(column: C): void {
    this.set(column, column === this.current ? !this.direction : column.defaultDesc);
  }

  cycle(step: number): void {
    const { columns } = this;
    // From the default order, > goes to the first column and < to the last.
    const at = this.current ? columns.indexOf(this.current) : step > 0 ? -1 : columns.length;
    const next = columns[(at + step + columns.length) % columns.length]!;
    this.set(next, next.defaultDesc);
  }

  invert(): void {
    this.set(this.current, !this.direction);
  }
}
