/**
 * Modal dialogs drawn over the table (stack-guide §1.7). They hold no key
 * handling of their own: the screen routes keys through the key table, and
 * movement reaches a dialog's list through the Navigable interface.
 */
import {
  BoxRenderable,
  Renderable,
  TextRenderable,
  type CliRenderer,
  type OptimizedBuffer,
  type RenderableOptions,
  type RenderContext,
} from "@opentui/core";
import { cellWidth, fit } from "./format.ts";
import type { Navigable } from "./table.ts";
import { theme, type CellStyle } from "./theme.ts";

export interface ListItem {
  text: string;
  style?: CellStyle;
}

/** An open dialog. `list` is what the movement keys act on, when it has one. */
export interface Modal {
  readonly list?: Navigable;
  destroy(): void;
}

export interface ListViewOptions extends RenderableOptions<ListView> {
  items: readonly ListItem[];
  /** The highlighted entry; omitted for a read-only list, where movement scrolls instead. */
  selected?: number;
}

/** A list that draws only the lines that fit, with an optional highlighted entry. */
export class ListView extends Renderable implements Navigable {
  private readonly items: readonly ListItem[];
  private readonly pickable: boolean;
  private selected: number;
  private scrollTop = 0;

  constructor(ctx: RenderContext, options: ListViewOptions) {
    super(ctx, options);
    this.items = options.items;
    this.pickable = options.selected !== undefined;
    this.selected = options.selected ?? 0;
  }

  get selectedIndex(): number {
    return this.selected;
  }

  get length(): number {
    return this.items.length;
  }

  get pageSize(): number {
    return Math.max(1, this.height);
  }

  moveBy(delta: number): void {
    this.moveTo((this.pickable ? this.selected : this.scrollTop) + delta);
  }

  moveTo(index: number): void {
    if (this.pickable) this.selected = Math.max(0, Math.min(index, this.items.length - 1));
    else this.scrollTop = Math.max(0, Math.min(index, this.items.length - this.pageSize));
    this.requestRender();
  }

  protected override renderSelf(buffer: OptimizedBuffer): void {
    const { screenX: x, screenY: y, width, height } = this;
    if (width <= 0 || height <= 0) return;
    if (this.pickable) {
      if (this.selected < this.scrollTop) this.scrollTop = this.selected;
      if (this.selected >= this.scrollTop + height) this.scrollTop = this.selected - height + 1;
    }
    const end = Math.min(this.items.length, this.scrollTop + height);
    for (let index = this.scrollTop; index < end; index++) {
      const item = this.items[index]!;
      const highlighted = this.pickable && index === this.selected;
      const fg = highlighted ? theme.selectionFg : (item.style?.fg ?? theme.dialogText);
      const bg = highlighted ? theme.selectionBg : theme.dialogBg;
      const line = fit(item.text, width, "left");
      buffer.drawText(line, x, y + index - this.scrollTop, fg, bg, item.style?.attributes ?? 0);
    }
  }
}

export interface ListDialogOptions {
  title: string;
  items: readonly ListItem[];
  /** Initially highlighted entry; omit for a read-only, scrolling text (the help). */
  selected?: number;
}

/** A titled list in the middle of the screen: the sort, user and signal pickers, and the help. */
export class ListDialog implements Modal {
  readonly list: ListView;
  private readonly frame: DialogFrame;

  constructor(renderer: CliRenderer, options: ListDialogOptions) {
    const widest = Math.max(cellWidth(options.title), ...options.items.map((item) => cellWidth(item.text)));
    this.frame = new DialogFrame(renderer, options.title, widest + 4, options.items.length + 2);
    this.list = new ListView(renderer, { items: options.items, selected: options.selected, flexGrow: 1 });
    this.frame.box.add(this.list);
  }

  get selectedIndex(): number {
    return this.list.selectedIndex;
  }

  destroy(): void {
    this.frame.destroy();
  }
}

export interface ConfirmOptions {
  title: string;
  /** The question, then what it acts on: one line each. */
  lines: readonly string[];
  /** A list below them (the processes a freeze stops), scrolled by the movement keys when it is long. */
  items?: readonly ListItem[];
}

/** Lines of a confirmation's list shown at once; the rest scroll. */
const CONFIRM_LIST_LINES = 10;
const SCROLL_HINT = "    Up/Down: more";

/** A yes/no question; the key table maps `y` to accept and `n`/Esc to cancel. */
export class ConfirmDialog implements Modal {
  readonly list: ListView;
  private readonly frame: DialogFrame;

  constructor(renderer: CliRenderer, options: ConfirmOptions) {
    const items = options.items ?? [];
    const listLines = Math.min(items.length, CONFIRM_LIST_LINES);
    const scrolls = items.length > listLines;
    const answers = `[y] Yes    [n] No${scrolls ? SCROLL_HINT : ""}`;
    const texts = [...options.lines, ...items.map((item) => item.text), answers, options.title];
    const width = Math.max(...texts.map(cellWidth)) + 4;
    // Borders, the lines, the list, a blank line and the answers.
    this.frame = new DialogFrame(renderer, options.title, width, options.lines.length + listLines + 4);
    for (const line of options.lines) {
      this.frame.box.add(new TextRenderable(renderer, { content: line, fg: theme.dialogText, flexShrink: 0 }));
    }
    // The list gives up its lines first when the screen is too short for the dialog.
    this.list = new ListView(renderer, { items, flexGrow: 1, flexShrink: 1 });
    this.frame.box.add(this.list);
    this.frame.box.add(new TextRenderable(renderer, { content: "", flexShrink: 0 }));
    const buttons = new BoxRenderable(renderer, { flexDirection: "row", height: 1, flexShrink: 0 });
    buttons.add(new TextRenderable(renderer, { content: "[y] Yes", fg: theme.yes, attributes: theme.bold }));
    buttons.add(new TextRenderable(renderer, { content: "    " }));
    buttons.add(new TextRenderable(renderer, { content: "[n] No", fg: theme.no, attributes: theme.bold }));
    if (scrolls) buttons.add(new TextRenderable(renderer, { content: SCROLL_HINT, fg: theme.shadow }));
    this.frame.box.add(buttons);
  }

  destroy(): void {
    this.frame.destroy();
  }
}

// --- internal ---

/**
 * A bordered box centred on the screen. A full-screen, transparent flex
 * container does the centring, so the dialog stays centred on resize, and
 * max sizes keep it on screen when the terminal shrinks.
 */
class DialogFrame {
  readonly box: BoxRenderable;
  private readonly overlay: BoxRenderable;
  private readonly renderer: CliRenderer;

  constructor(renderer: CliRenderer, title: string, width: number, height: number) {
    this.renderer = renderer;
    this.overlay = new BoxRenderable(renderer, {
      position: "absolute",
      left: 0,
      top: 0,
      width: "100%",
      height: "100%",
      zIndex: 100,
      justifyContent: "center",
      alignItems: "center",
    });
    this.box = new BoxRenderable(renderer, {
      width,
      height,
      maxWidth: "100%",
      maxHeight: "100%",
      border: true,
      borderStyle: "single",
      borderColor: theme.dialogBorder,
      title,
      titleAlignment: "center",
      backgroundColor: theme.dialogBg,
      flexDirection: "column",
      paddingX: 1,
    });
    this.overlay.add(this.box);
    renderer.root.add(this.overlay);
  }

  destroy(): void {
    this.renderer.root.remove(this.overlay);
    this.overlay.destroyRecursively();
  }
}
