import { afterEach, expect, test } from "bun:test";
import { mount, sampleRows, SAMPLE_BY_CPU, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

const BY_MEM_DESC = [1300, 1200, 1000, 1, 420, 2];
const BY_PID_ASC = [1, 2, 420, 1000, 1200, 1300];

test("> sorts by the next column (MEM% after CPU%), < goes back", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey(">");
  expect(m.top.sort).toEqual({ column: "mem", desc: true });
  expect(await m.tablePids()).toEqual(BY_MEM_DESC);
  expect(await m.linesWith("MEM%▽")).toHaveLength(1);
  m.mockInput.pressKey("<");
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
  m.mockInput.pressKey("<");
  expect(m.top.sort.column).toBe("state");
  // State R (firefox) sorts before S.
  expect((await m.tablePids())[0]).toBe(1200);
});

test("I inverts the order; the header arrow turns", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("I");
  expect(m.top.sort).toEqual({ column: "cpu", desc: false });
  // Ties (0.0%) stay in pid order in both directions.
  expect(await m.tablePids()).toEqual([2, 1300, 1, 420, 1000, 1200]);
  expect(await m.linesWith("CPU%△")).toHaveLength(1);
});

test("F6 opens the column picker; Enter sorts by the highlighted column", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("F6");
  expect(m.top.mode).toBe("picker");
  expect(await m.linesWith("Sort by")).toHaveLength(1);
  expect(await m.linesWith("Resident memory: physical memory in use")).toHaveLength(1);
  m.mockInput.pressKey("HOME");
  m.mockInput.pressEnter();
  expect(m.top.mode).toBe("browse");
  expect(m.top.sort).toEqual({ column: "pid", desc: false });
  expect(await m.tablePids()).toEqual(BY_PID_ASC);
  expect(await m.linesWith("Sort by")).toHaveLength(0);
});

test("Esc closes the column picker without changing the sort", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("F6");
  m.mockInput.pressKey("HOME");
  await m.escape();
  expect(m.top.mode).toBe("browse");
  expect(m.top.sort.column).toBe("cpu");
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
});

test("clicking a column header sorts by it; clicking again inverts", async () => {
  m = await mount(sampleRows());
  const y = await m.tableHeaderY();
  const [header] = await m.linesWith("PID");
  const pidX = header!.indexOf("PID");
  await m.mockMouse.click(pidX, y);
  expect(m.top.sort).toEqual({ column: "pid", desc: false });
  expect(await m.tablePids()).toEqual(BY_PID_ASC);
  await m.mockMouse.click(pidX, y);
  expect(m.top.sort).toEqual({ column: "pid", desc: true });
  expect(await m.tablePids()).toEqual([...BY_PID_ASC].reverse());
  const memX = (await m.linesWith("MEM%"))[0]!.indexOf("MEM%");
  await m.mockMouse.click(memX + 1, y);
  expect(await m.tablePids()).toEqual(BY_MEM_DESC);
});

test("t toggles the tree; children sort by the same key", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("t");
  expect(await m.tablePids()).toEqual([1, 420, 1000, 1200, 1300, 2]);
  const frame = await m.frame();
  expect(frame).toContain(" /sbin/init");
  expect(frame).toContain(" └─ sshd: /usr/sbin/sshd -D");
  expect(frame).toContain("    └─ -bash");
  expect(frame).toContain("       ├─ /usr/lib/firefox/firefox");
  expect(frame).toContain("       └─ vim notes.txt");
  m.mockInput.pressKey("F5");
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
  expect(await m.frame()).not.toContain("└─");
});
