import { afterEach, expect, test } from "bun:test";
import type { ContainerInfo, ProcessRow } from "../../src/store/types.ts";
import { makeRow, mount, sampleEvents, sampleGpus, sampleRows, SAMPLE_BY_CPU, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

const GIB = 1024 ** 3;
const WIDE = { width: 180, height: 30 };
const WEB: ContainerInfo = { id: "4f3a2b1c9d8e".repeat(5) + "4f3a", name: "web-1", runtime: "docker" };

/** sampleRows() plus nginx in the container web-1. */
function rowsWithContainer(): ProcessRow[] {
  const scope = `docker-${WEB.id}.scope`;
  return [
    ...sampleRows(),
    makeRow({ pid: 5000, comm: "nginx", cgroup: `/system.slice/${scope}`, unit: scope, container: WEB, cpuPercent: 7 }),
  ];
}

/** The texts shown in the Command column of the group lines, top to bottom. */
const groupLines = () =>
  m!.top
    .visibleRows()
    .filter((line) => line.group)
    .map((line) => line.row.cmdline);

test("O shows UNIT and CONTAINER, then CGROUP too, then hides them", async () => {
  m = await mount(sampleRows(), {}, WIDE);
  expect(await m.linesWith("UNIT")).toHaveLength(0);
  m.mockInput.pressKey("O");
  const [header] = await m.linesWith("PID USER");
  expect(header).toMatch(/ THR UNIT +CONTAINER +Command/);
  expect((await m.linesWith("sshd: /usr/sbin/sshd"))[0]).toMatch(/ ssh\.service +- +sshd: /);
  expect((await m.linesWith("[kthreadd]"))[0]).toMatch(/ 1 - +- +\[kthreadd\]/);
  m.mockInput.pressKey("O");
  expect((await m.linesWith("PID USER"))[0]).toMatch(/ UNIT +CONTAINER +CGROUP +Command/);
  const [sshd] = await m.linesWith("sshd: /usr/sbin/sshd");
  expect(sshd).toMatch(/ ssh\.service +- +\/system\.slice\/ssh\.service +sshd: /);
  // A long path keeps its end.
  expect((await m.linesWith("-bash"))[0]).toContain(" …-1000.slice/session-1.scope -bash");
  m.mockInput.pressKey("O");
  expect(await m.linesWith("UNIT")).toHaveLength(0);
  expect(await m.linesWith("CGROUP")).toHaveLength(0);
});

test("CONTAINER appears once a process runs in a container, with its name; the ownership columns sort", async () => {
  m = await mount(rowsWithContainer(), {}, WIDE);
  expect((await m.linesWith("PID USER"))[0]).toMatch(/ THR CONTAINER +Command/);
  expect((await m.linesWith("/usr/bin/nginx"))[0]).toMatch(/ 7\.0 .* web-1 +\/usr\/bin\/nginx/);
  expect((await m.linesWith("-bash"))[0]).toMatch(/ - +-bash/);
  m.mockInput.pressKey("O");
  expect((await m.linesWith("/usr/bin/nginx"))[0]).toMatch(/ docker-4f3a2b1c9d8 web-1 +\/usr\/bin\/nginx/);
  const y = await m.tableHeaderY();
  const [header] = await m.linesWith("PID USER");
  await m.mockMouse.click(header!.indexOf("UNIT") + 1, y);
  expect(m.top.sort).toEqual({ column: "unit", desc: false });
  // "" (kthreadd) first, then by name; ties by pid.
  expect(await m.tablePids()).toEqual([2, 5000, 1, 1000, 1200, 1300, 420]);
});

test("GPU columns and meters stay hidden without a GPU", async () => {
  m = await mount(sampleRows());
  const frame = await m.frame();
  expect(frame).not.toContain("GPU");
});

test("with GPUs the header shows a meter per GPU and the table GPU% and GPU MEM", async () => {
  const gpuUse: Record<number, Partial<ProcessRow>> = {
    1200: { gpuMemoryBytes: 6 * GIB, gpuPercent: 35 },
    1300: { gpuMemoryBytes: 300 * 1024 ** 2 },
  };
  m = await mount(sampleRows().map((row) => ({ ...row, ...gpuUse[row.pid] })));
  m.source.system = { ...m.source.system, gpus: sampleGpus() };
  m.top.refresh();
  const frame = await m.frame();
  expect(frame).toMatch(/GPU0\[\|+ +37\.0%\] 10\.0G\/80\.0G 61°C/);
  expect(frame).toMatch(/GPU1\[ +0\.0%\] 512M\/80\.0G 34°C/);
  expect((await m.linesWith("PID USER"))[0]).toMatch(/ THR +GPU% GPU MEM Command/);
  const [firefox] = await m.linesWith("firefox");
  expect(firefox).toMatch(/ 42\.3 +12\.5 +0:00\.00 +3 +35\.0 +6\.00G \/usr\/lib\/firefox\/firefox/);
  expect((await m.linesWith("vim notes.txt"))[0]).toMatch(/ 0\.0 +300M vim notes\.txt/);
  expect((await m.linesWith("-bash"))[0]).toMatch(/ 0\.0 +0 -bash/);
  // The GPU meters take a header line: the table moves down one.
  expect(await m.tableHeaderY()).toBe(2 + 4 + 1);

  // Sorted by GPU MEM, then the GPU goes away: the columns go, and so does the sort.
  const [header] = await m.linesWith("PID USER");
  await m.mockMouse.click(header!.indexOf("GPU MEM") + 1, await m.tableHeaderY());
  expect(m.top.sort).toEqual({ column: "gpuMemory", desc: true });
  expect((await m.tablePids()).slice(0, 2)).toEqual([1200, 1300]);
  m.source.system = { ...m.source.system, gpus: [] };
  m.top.refresh();
  expect(await m.frame()).not.toContain("GPU");
  expect(m.top.sort).toEqual({ column: "cpu", desc: true });
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
});

test("g groups by unit: one line per unit with summed values, busiest first", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("g");
  expect(groupLines()).toEqual([
    "session-1.scope (3 processes)",
    "ssh.service (1 process)",
    "init.scope (1 process)",
    "(none) (1 process)",
  ]);
  // bash, firefox and vim: CPU 3 + 42.3 + 0, MEM 0.3 + 12.5 + 20.5, RES 3 × 4M, 1 + 3 + 1 threads; no PID or USER.
  const [session] = await m.linesWith("session-1.scope");
  expect(session).toMatch(/^ +12\.0M +45\.3 +33\.3 +0:00\.00 +5 \+ session-1\.scope \(3 processes\)/);
  expect(await m.linesWith("grouped by unit")).toHaveLength(1);
  expect(await m.linesWith("6/6 processes")).toHaveLength(1);
  // A group line is no process: process keys say so.
  expect(m.top.selectedRow()).toBeUndefined();
  m.mockInput.pressKey("k");
  expect(m.top.mode).toBe("browse");
  expect(await m.linesWith("No process selected")).toHaveLength(1);
});

test("Enter and Right expand a group under its line; Left collapses it from any of its lines", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("g");
  m.mockInput.pressEnter();
  expect(await m.linesWith("- session-1.scope (3 processes)")).toHaveLength(1);
  expect((await m.linesWith("├─ /usr/lib/firefox/firefox"))[0]).toMatch(/^ +1200 alice/);
  expect(await m.linesWith("├─ -bash")).toHaveLength(1);
  expect(await m.linesWith("└─ vim notes.txt")).toHaveLength(1);
  // The members sort by the same column: firefox, bash, vim.
  m.mockInput.pressArrow("down");
  expect(m.top.selectedRow()?.pid).toBe(1200);
  m.mockInput.pressArrow("down");
  m.mockInput.pressArrow("down");
  m.mockInput.pressArrow("down");
  expect(m.top.visibleRows()[m.top.visibleRows().length - 3]!.row.cmdline).toBe("ssh.service (1 process)");
  m.mockInput.pressArrow("right");
  expect(await m.linesWith("└─ sshd: /usr/sbin/sshd -D")).toHaveLength(1);
  // Left on a process collapses its group and selects the group line.
  m.mockInput.pressArrow("down");
  expect(m.top.selectedRow()?.pid).toBe(420);
  m.mockInput.pressArrow("left");
  expect(await m.linesWith("sshd: /usr/sbin/sshd -D")).toHaveLength(0);
  expect(await m.highlightedLine()).toContain("+ ssh.service (1 process)");
  // Expansions survive a refresh.
  m.top.refresh();
  expect(await m.linesWith("- session-1.scope")).toHaveLength(1);
  m.mockInput.pressKey("HOME");
  m.mockInput.pressEnter();
  expect(await m.linesWith("-bash")).toHaveLength(0);
});

test("g again groups by container, with (none) for the rest; a third g lists processes again", async () => {
  m = await mount(rowsWithContainer());
  m.mockInput.pressKey("g");
  m.mockInput.pressKey("g");
  expect(await m.linesWith("grouped by container")).toHaveLength(1);
  expect(groupLines()).toEqual(["(none) (6 processes)", "web-1 (1 process)"]);
  m.mockInput.pressKey("g");
  expect(groupLines()).toEqual([]);
  expect(await m.tablePids()).toEqual([1200, 5000, 1000, 420, 1, 2, 1300]);
});

test("going to a process from another view expands its group", async () => {
  m = await mount(sampleRows(), {}, undefined, sampleEvents());
  m.mockInput.pressKey("g");
  m.mockInput.pressTab({ shift: true });
  m.mockInput.pressArrow("up");
  expect(m.top.selectedEvent()?.pid).toBe(1300);
  m.mockInput.pressEnter();
  expect(m.top.view).toBe("processes");
  expect(m.top.selectedRow()?.pid).toBe(1300);
  expect(await m.linesWith("- session-1.scope")).toHaveLength(1);
  expect(await m.highlightedLine()).toContain("└─ vim notes.txt");
});
