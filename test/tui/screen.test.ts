import { afterEach, expect, test } from "bun:test";
import { theme } from "../../src/ui/theme.ts";
import { makeRow, makeSystem, makeThread, mount, sampleRows, SAMPLE_BY_CPU, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

test("the table shows the column headers and one line per process, busiest first", async () => {
  m = await mount(sampleRows());
  const [header] = await m.linesWith("PID USER");
  expect(header).toMatch(/^\s+PID USER\s+PRI\s+NI\s+VIRT\s+RES S\s+CPU%▽ MEM%\s+TIME\+\s+THR Command/);
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
  const [firefox] = await m.linesWith("firefox");
  expect(firefox).toStartWith("   1200 alice      20   0  100M 4.00M R  42.3  12.5  0:00.00    3 /usr/lib/firefox/firefox");
  expect(await m.linesWith("[kthreadd]")).toHaveLength(1);
});

test("the header shows CPU, memory and swap bars, tasks, load and uptime", async () => {
  m = await mount(sampleRows());
  const frame = await m.frame();
  // makeSystem: cpuN has user 20+N and system 5.
  expect(frame).toMatch(/ 0\[\|+ +25\.0%\]/);
  expect(frame).toMatch(/ 3\[\|+ +28\.0%\]/);
  expect(frame).toMatch(/Mem\[\|+ +1\.2G\/7\.7G\]/);
  expect(frame).toMatch(/Swp\[ +0K\/2\.0G\]/);
  expect(frame).toContain("Tasks: 123, 456 thr, 78 kthr; 2 running");
  expect(frame).toContain("Load average: 0.12 0.34 0.56");
  expect(frame).toContain("Uptime: 3 days, 04:05:06");
});

test("the header grows with the CPU count and collapses to one meter when too tall", async () => {
  m = await mount(sampleRows());
  m.source.system = makeSystem(16);
  m.top.refresh();
  // 16 CPUs in two panes: 8 lines, then Mem/Swp/Tasks…, a blank line, the table header.
  expect(await m.tableHeaderY()).toBe(8 + 3 + 1);
  expect(await m.frame()).toMatch(/15\[\|+/);
  m.source.system = makeSystem(64);
  m.top.refresh();
  const frame = await m.frame();
  expect(frame).toMatch(/CPU\[\|+ +26\.5%\]/);
  expect(frame).not.toMatch(/63\[/);
  expect(await m.tableHeaderY()).toBe(1 + 3 + 1);
});

test("the footer shows the function keys, the refresh time and the counts", async () => {
  m = await mount(sampleRows());
  const frame = (await m.frame()).split("\n");
  expect(frame.at(-2)).toContain("F1Help  F3SearchF4FilterF5Tree  F6SortByF9Kill  F10Quit");
  expect(frame.at(-3)).toContain("refresh 2.1 ms  6/6 processes");
});

test("warnings from the source appear in the status line", async () => {
  m = await mount(sampleRows());
  m.source.warnings = ["cgroup ids unavailable"];
  m.top.refresh();
  expect(await m.linesWith("cgroup ids unavailable")).toHaveLength(1);
});

test("the selection follows its pid across refreshes, not its index", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressArrow("down");
  expect(m.top.selectedRow()?.pid).toBe(1000);
  // bash drops to the bottom of the CPU order.
  m.source.rows = m.source.rows.map((row) => (row.pid === 1000 ? { ...row, cpuPercent: 0 } : row));
  m.top.refresh();
  expect(m.top.selectedRow()?.pid).toBe(1000);
  expect((await m.tablePids()).at(-1)).toBe(1300);
  expect(await m.highlightedLine()).toContain("-bash");
});

test("arrows, PgDn, End and Home move the selection", async () => {
  const rows = Array.from({ length: 100 }, (_, i) => makeRow({ pid: i + 1 }));
  m = await mount(rows);
  m.mockInput.pressArrow("down");
  m.mockInput.pressArrow("down");
  expect(m.top.selectedRow()?.pid).toBe(3);
  m.mockInput.pressKey("END");
  expect(m.top.selectedRow()?.pid).toBe(100);
  expect((await m.tablePids()).at(-1)).toBe(100);
  m.mockInput.pressKey("HOME");
  expect(m.top.selectedRow()?.pid).toBe(1);
  m.mockInput.pressKey("\x1b[6~"); // PgDn
  const visible = (await m.tablePids()).length;
  expect(m.top.selectedRow()?.pid).toBe(1 + visible);
});

test("p pauses the display while collection goes on; p again shows the latest rows", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("p");
  expect(m.top.paused).toBe(true);
  expect(await m.linesWith("PAUSED")).toHaveLength(1);
  m.source.rows = [makeRow({ pid: 777, comm: "newcomer" })];
  m.top.refresh();
  // The source is still polled (events must not pile up in the kernel), but nothing on screen moves.
  expect(m.source.refreshes).toBe(2);
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
  m.mockInput.pressKey("p");
  expect(await m.tablePids()).toEqual([777]);
  expect(await m.linesWith("PAUSED")).toHaveLength(0);
});

test("pause freezes the counters too, though the store updates its row objects in place", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("p");
  const before = await m.frame();
  // What ProcessStore does between refreshes: same objects, new numbers.
  for (const row of m.source.rows) {
    row.cpuPercent = 55.5;
    row.rssBytes = 3 * 1024 ** 3;
  }
  m.top.refresh();
  const frozen = await m.frame();
  expect(frozen).not.toContain("55.5");
  expect(frozen.split("\n").slice(4)).toEqual(before.split("\n").slice(4));
  m.mockInput.pressKey("p");
  expect(await m.frame()).toContain("55.5");
});

test("H asks the source for thread rows, which then sit under their process in green", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("H");
  expect(m.source.showThreadsCalls).toEqual([true]);
  expect(await m.linesWith("threads shown")).toHaveLength(1);
  const firefox = m.source.rows.find((row) => row.pid === 1200)!;
  m.source.rows.push(makeThread(firefox, 1201, { cpuPercent: 90 }), makeThread(firefox, 1202, { cpuPercent: 1 }));
  m.top.refresh();
  expect(await m.tablePids()).toEqual([1200, 1201, 1202, 1000, 420, 1, 2, 1300]);
  const threadLine = m.captureSpans().lines.find((line) => line.spans[0]?.text.includes("1201"))!;
  const command = threadLine.spans.find((span) => span.text.includes("/usr/lib/firefox"))!;
  expect(command.fg.toInts()).toEqual(theme.threadCommand.toInts());
  m.mockInput.pressKey("H");
  expect(m.source.showThreadsCalls).toEqual([true, false]);
});

test("K hides and shows kernel threads", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("K");
  expect(await m.tablePids()).not.toContain(2);
  expect(await m.linesWith("kernel threads hidden")).toHaveLength(1);
  m.mockInput.pressKey("K");
  expect(await m.tablePids()).toContain(2);
});

test("options: tree, user and pids apply from the start", async () => {
  m = await mount(sampleRows(), { user: "root" });
  expect(await m.tablePids()).toEqual([420, 1, 2]);
  m.renderer.destroy();
  m = await mount(sampleRows(), { pids: [1300, 1] });
  expect(await m.tablePids()).toEqual([1, 1300]);
  expect(await m.linesWith("pids 1300,1")).toHaveLength(1);
  m.renderer.destroy();
  m = await mount(sampleRows(), { tree: true });
  expect(await m.linesWith("└─ sshd")).toHaveLength(1);
});

test("resizing to a small terminal still renders", async () => {
  m = await mount(sampleRows());
  m.resize(40, 10);
  const frame = await m.frame();
  expect(frame.split("\n")[0]).toHaveLength(40);
  expect(frame).toContain("PID USER");
  expect(frame).toMatch(/CPU\[/);
  m.resize(20, 4);
  expect(await m.frame()).toContain("F1Help");
  m.resize(120, 30);
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
});

test("5,000 rows: only the visible rows are drawn and moving is cheap", async () => {
  const rows = Array.from({ length: 5000 }, (_, i) => makeRow({ pid: i + 1, cpuPercent: (i * 7) % 100 }));
  m = await mount(rows);
  const shown = await m.tablePids();
  expect(shown.length).toBe(30 - 6 - 1 - 2); // screen - header - table header - footer
  expect(await m.linesWith("5000/5000 processes")).toHaveLength(1);
  const started = performance.now();
  for (let i = 0; i < 50; i++) {
    m.mockInput.pressArrow("down");
    await m.renderOnce();
  }
  m.top.refresh();
  await m.renderOnce();
  expect(performance.now() - started).toBeLessThan(1000);
  m.mockInput.pressKey("END");
  expect((await m.tablePids()).length).toBe(shown.length);
  expect(m.top.selectedRow()).toBe(m.top.visibleRows().at(-1)!.row);
});

test("q quits through the quit hook; destroy removes the screen", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("q");
  expect(m.renderer.isDestroyed).toBe(true);
  m = await mount(sampleRows());
  m.top.destroy();
  expect(await m.frame()).not.toContain("PID USER");
  m.mockInput.pressKey("q");
  expect(m.renderer.isDestroyed).toBe(false);
});
