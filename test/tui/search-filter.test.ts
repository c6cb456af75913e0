import { afterEach, expect, test } from "bun:test";
import { theme } from "../../src/ui/theme.ts";
import { makeRow, mount, sampleRows, SAMPLE_BY_CPU, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

test("/ and typing select the first matching row; Enter leaves the prompt", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("/");
  expect(m.top.mode).toBe("search");
  await m.mockInput.typeText("vim");
  expect(m.top.selectedRow()?.pid).toBe(1300);
  expect(await m.highlightedLine()).toContain("vim notes.txt");
  expect(await m.linesWith("Search: vim_")).toHaveLength(1);
  m.mockInput.pressEnter();
  expect(m.top.mode).toBe("browse");
  expect(m.top.selectedRow()?.pid).toBe(1300);
  expect(await m.linesWith("Search:")).toHaveLength(0);
  // Nothing was filtered out.
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
});

test("search is incremental and F3 goes to the next match, wrapping", async () => {
  const rows = [
    makeRow({ pid: 1, comm: "bash", cpuPercent: 9 }),
    makeRow({ pid: 2, comm: "vim", cpuPercent: 8 }),
    makeRow({ pid: 3, comm: "bash", cpuPercent: 7 }),
  ];
  m = await mount(rows);
  m.mockInput.pressArrow("down");
  m.mockInput.pressKey("F3");
  await m.mockInput.typeText("ba");
  expect(m.top.selectedRow()?.pid).toBe(3);
  m.mockInput.pressKey("F3");
  expect(m.top.selectedRow()?.pid).toBe(1);
  m.mockInput.pressKey("F3");
  expect(m.top.selectedRow()?.pid).toBe(3);
});

test("a search without a match keeps the selection and turns the prompt red", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("/");
  await m.mockInput.typeText("zz");
  expect(m.top.selectedRow()?.pid).toBe(1200);
  await m.renderOnce();
  const prompt = m.captureSpans().lines.flatMap((line) => line.spans).find((span) => span.text === "zz")!;
  expect(prompt.fg.toInts()).toEqual(theme.promptFailed.toInts());
  m.mockInput.pressBackspace();
  m.mockInput.pressBackspace();
  await m.mockInput.typeText("q");
  // "q" is typed into the prompt, not taken as quit.
  expect(m.renderer.isDestroyed).toBe(false);
  expect(await m.linesWith("Search: q_")).toHaveLength(1);
  await m.escape();
  expect(m.top.mode).toBe("browse");
});

test("\\ filters rows live; Enter keeps the filter, Esc in the prompt clears it", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("\\");
  expect(m.top.mode).toBe("filter");
  await m.mockInput.typeText("fire");
  expect(await m.tablePids()).toEqual([1200]);
  expect(await m.linesWith("Filter: fire_")).toHaveLength(1);
  m.mockInput.pressEnter();
  expect(m.top.mode).toBe("browse");
  expect(await m.tablePids()).toEqual([1200]);
  expect(await m.linesWith('1/6 processes  filter "fire"')).toHaveLength(1);
  m.mockInput.pressKey("F4");
  await m.mockInput.typeText("x");
  expect(await m.tablePids()).toEqual([]);
  await m.escape();
  expect(m.top.mode).toBe("browse");
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
  expect(await m.linesWith("filter")).toHaveLength(0);
});

test("the filter matches command lines, case-insensitively, and keeps applying after a refresh", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("\\");
  await m.mockInput.typeText("SBIN");
  m.mockInput.pressEnter();
  expect(await m.tablePids()).toEqual([420, 1]);
  m.source.rows.push(makeRow({ pid: 5000, comm: "getty", cmdline: "/sbin/agetty tty1", cpuPercent: 99 }));
  m.top.refresh();
  expect(await m.tablePids()).toEqual([5000, 420, 1]);
});

test("u picks a user from those present; All users clears it", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("u");
  expect(m.top.mode).toBe("picker");
  const frame = await m.frame();
  expect(frame).toContain("All users");
  expect(frame).toMatch(/│ alice +│/);
  expect(frame).toMatch(/│ root +│/);
  m.mockInput.pressArrow("down");
  m.mockInput.pressEnter();
  expect(await m.tablePids()).toEqual([1200, 1000, 1300]);
  expect(await m.linesWith("user alice")).toHaveLength(1);
  m.mockInput.pressKey("u");
  m.mockInput.pressKey("HOME");
  m.mockInput.pressEnter();
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
});
