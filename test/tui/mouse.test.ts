import { afterEach, expect, test } from "bun:test";
import { makeRow, mount, sampleRows, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

test("clicking a row selects it", async () => {
  m = await mount(sampleRows());
  const lines = (await m.frame()).split("\n");
  const vimY = lines.findIndex((line) => line.includes("vim notes.txt"));
  await m.mockMouse.click(10, vimY);
  expect(m.top.selectedRow()?.pid).toBe(1300);
  expect(await m.highlightedLine()).toContain("vim notes.txt");
  // Below the last row: nothing changes.
  await m.mockMouse.click(10, vimY + 3);
  expect(m.top.selectedRow()?.pid).toBe(1300);
});

test("the wheel scrolls three rows at a time", async () => {
  const rows = Array.from({ length: 100 }, (_, i) => makeRow({ pid: i + 1 }));
  m = await mount(rows);
  const y = (await m.tableHeaderY()) + 2;
  await m.mockMouse.scroll(10, y, "down");
  expect((await m.tablePids())[0]).toBe(4);
  await m.mockMouse.scroll(10, y, "down");
  expect((await m.tablePids())[0]).toBe(7);
  await m.mockMouse.scroll(10, y, "up");
  expect((await m.tablePids())[0]).toBe(4);
  const selected = m.top.selectedRow()!.pid;
  expect((await m.tablePids()).includes(selected)).toBe(true);
});
