import { afterEach, expect, test } from "bun:test";
import { mount, sampleRows, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

test("k, Enter, y sends SIGTERM to the selected pid", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressArrow("down");
  expect(m.top.selectedRow()?.pid).toBe(1000);
  m.mockInput.pressKey("k");
  expect(m.top.mode).toBe("picker");
  const picker = await m.frame();
  expect(picker).toContain("Send signal to 1000");
  expect(picker).toMatch(/│ 15 SIGTERM +│/);
  expect(picker).toMatch(/│  9 SIGKILL +│/);
  m.mockInput.pressEnter();
  expect(m.top.mode).toBe("confirm");
  expect(await m.linesWith("Send SIGTERM to 1000 (bash)?")).toHaveLength(1);
  expect(m.source.signalsSent).toEqual([]);
  m.mockInput.pressKey("y");
  expect(m.source.signalsSent).toEqual([{ pid: 1000, signal: "SIGTERM" }]);
  expect(m.top.mode).toBe("browse");
  expect(await m.linesWith("Sent SIGTERM to 1000")).toHaveLength(1);
});

test("the signal list is navigable: F9, Down, Enter, y sends SIGKILL", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("F9");
  m.mockInput.pressArrow("down");
  // The table underneath does not move while the dialog is open.
  expect(m.top.selectedRow()?.pid).toBe(1200);
  m.mockInput.pressEnter();
  m.mockInput.pressKey("y");
  expect(m.source.signalsSent).toEqual([{ pid: 1200, signal: "SIGKILL" }]);
});

test("n and Esc cancel without sending", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("k");
  m.mockInput.pressEnter();
  m.mockInput.pressKey("n");
  expect(m.top.mode).toBe("browse");
  expect(await m.linesWith("Send SIGTERM")).toHaveLength(0);
  m.mockInput.pressKey("k");
  m.mockInput.pressEnter();
  await m.escape();
  expect(m.top.mode).toBe("browse");
  m.mockInput.pressKey("k");
  await m.escape();
  expect(m.top.mode).toBe("browse");
  expect(await m.linesWith("Send signal")).toHaveLength(0);
  expect(m.source.signalsSent).toEqual([]);
});

test("the target is the row selected when k was pressed, even if a refresh reorders", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("k");
  m.source.rows = m.source.rows.filter((row) => row.pid !== 1200);
  m.top.refresh();
  m.mockInput.pressEnter();
  m.mockInput.pressKey("y");
  expect(m.source.signalsSent).toEqual([{ pid: 1200, signal: "SIGTERM" }]);
});

test("a failed signal is reported in the status line", async () => {
  m = await mount(sampleRows());
  m.source.signalError = new Error("SIGTERM to 1200: permission denied (needs CAP_KILL)");
  m.mockInput.pressKey("k");
  m.mockInput.pressEnter();
  m.mockInput.pressKey("y");
  expect(await m.linesWith("Signal not sent: SIGTERM to 1200: permission denied (needs CAP_KILL)")).toHaveLength(1);
  expect(m.top.mode).toBe("browse");
});

test("h shows help built from the key table and the columns; Esc closes it", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("h");
  expect(m.top.mode).toBe("help");
  const frame = await m.frame();
  expect(frame).toContain("bpftop help");
  expect(frame).toMatch(/F1 h \? +Show this help/);
  expect(frame).toMatch(/I +Invert the sort order/);
  expect(frame).toMatch(/b +Show\/hide bpftop's own cost/);
  // The rest is further down: Page Down scrolls, End goes to the column section.
  m.mockInput.pressKey("\u001b[6~"); // Page Down (not in the mock's KeyCodes)
  expect(await m.frame()).toMatch(/F9 k +Send a signal to the selected process/);
  m.mockInput.pressKey("END");
  const end = await m.frame();
  expect(end).toMatch(/TIME\+ +Total CPU time used/);
  expect(end).toMatch(/MEM% +Resident memory as a percentage/);
  // Keys that mean something in the table do nothing while the help is open.
  m.mockInput.pressKey("t");
  await m.escape();
  expect(m.top.mode).toBe("browse");
  expect(await m.frame()).not.toContain("bpftop help");
  expect(await m.frame()).not.toContain("└─");
});

test("? and F1 open the help too, q closes it without quitting", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("?");
  expect(m.top.mode).toBe("help");
  m.mockInput.pressKey("q");
  expect(m.top.mode).toBe("browse");
  expect(m.renderer.isDestroyed).toBe(false);
  m.mockInput.pressKey("F1");
  expect(m.top.mode).toBe("help");
});
