import { afterEach, expect, test } from "bun:test";
import { theme } from "../../src/ui/theme.ts";
import { makeEvent, mount, sampleEvents, sampleRows, SAMPLE_BY_CPU, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

const EVENT_HEADER = /^TIME +EVENT COMM +PID +PPID USER +FILENAME \/ EXIT +DURATION +CPU PEAK RSS$/;
/** sampleEvents() pids, oldest first, without the fork (forks are hidden until `f`). */
const SAMPLE_EVENT_PIDS = [2001, 2001, 2002, 2002, 1300, 2003];

/** `count` exec events numbered from `first`, with pids 5000 + seq. */
function execs(first: number, count: number) {
  return Array.from({ length: count }, (_, i) => makeEvent(first + i, "exec", { pid: 5000 + first + i }));
}

test("Tab goes processes → network → events and round; Shift-Tab goes the other way", async () => {
  m = await mount(sampleRows(), {}, undefined, sampleEvents());
  expect(m.top.view).toBe("processes");
  m.mockInput.pressTab();
  expect(m.top.view).toBe("network");
  m.mockInput.pressTab();
  expect(m.top.view).toBe("events");
  const lines = (await m.frame()).split("\n");
  expect(lines.some((line) => EVENT_HEADER.test(line.trimEnd()))).toBe(true);
  expect(await m.tablePids()).toEqual([]);
  expect(await m.eventPids()).toEqual(SAMPLE_EVENT_PIDS);
  // The header stays; the footer shows the log's keys and counts.
  expect(await m.linesWith("Load average")).toHaveLength(1);
  expect(lines.at(-2)).toContain("F1Help  F3SearchF4FilterEnterProc  F10Quit  TabView");
  expect(lines.at(-3)).toContain("6/7 events, 0.0 exec/s, 0.0 exit/s  fork hidden  following");
  m.mockInput.pressTab();
  expect(m.top.view).toBe("processes");
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
  m.mockInput.pressTab({ shift: true });
  expect(m.top.view).toBe("events");
  m.mockInput.pressTab({ shift: true });
  expect(m.top.view).toBe("network");
  m.mockInput.pressTab({ shift: true });
  expect(m.top.view).toBe("processes");
});

test("--view events starts in the events log", async () => {
  m = await mount(sampleRows(), { view: "events" }, undefined, sampleEvents());
  expect(m.top.view).toBe("events");
  expect(await m.eventPids()).toEqual(SAMPLE_EVENT_PIDS);
});

test("events show their time, kind, filename or exit status, lifetime, CPU and peak RSS", async () => {
  m = await mount(sampleRows(), { view: "events" }, undefined, sampleEvents());
  m.mockInput.pressKey("f");
  const lines = await m.eventLines();
  expect(lines[0]).toBe("14:03:27.043 FORK  bash               2001    1000 alice");
  expect(lines[1]).toBe("14:03:27.044 EXEC  ls                 2001    1000 alice     /usr/bin/ls");
  expect(lines[2]).toMatch(/^14:03:27\.045 EXIT  ls +2001 +1000 alice +\[0\] +12ms +3ms +2\.00M$/);
  expect(lines[4]).toMatch(/EXIT  make .* \[2\] +1\.50s$/);
  expect(lines[5]).toMatch(/EXIT  vim .* \[SIGKILL\] +3m05s$/);
  expect(lines[6]).toMatch(/EXIT  crashy .* \[SIGSEGV \(core\)\] +2h04m$/);
  expect(await m.colourOf("EXEC")).toEqual(theme.eventExec.toInts());
  expect(await m.colourOf("FORK")).toEqual(theme.eventFork.toInts());
  expect(await m.colourOf("[SIGKILL]")).toEqual(theme.exitFailed.toInts());
  expect(await m.colourOf("[0]")).not.toEqual(theme.exitFailed.toInts());
});

test("the log follows new events until the selection moves up; End follows again", async () => {
  m = await mount(sampleRows(), { view: "events" }, undefined, execs(1, 40));
  // 30 lines - 6 header - 1 table header - 2 footer = 21 rows on screen.
  expect((await m.eventPids()).at(-1)).toBe(5040);
  expect(m.top.selectedEvent()?.seq).toBe(40);
  expect(await m.linesWith("following")).toHaveLength(1);

  m.source.events.push(...execs(41, 5));
  m.top.refresh();
  expect((await m.eventPids()).at(-1)).toBe(5045);
  expect(m.top.selectedEvent()?.seq).toBe(45);

  m.mockInput.pressArrow("up");
  const scrolled = await m.eventPids();
  m.source.events.push(...execs(46, 5));
  m.top.refresh();
  expect(m.top.selectedEvent()?.seq).toBe(44);
  expect(await m.eventPids()).toEqual(scrolled);
  expect(await m.linesWith("End: follow")).toHaveLength(1);

  m.mockInput.pressKey("END");
  expect(m.top.selectedEvent()?.seq).toBe(50);
  m.source.events.push(...execs(51, 1));
  m.top.refresh();
  expect(m.top.selectedEvent()?.seq).toBe(51);
  expect((await m.eventPids()).at(-1)).toBe(5051);
});

test("\\ filters the log by command, filename or pid; Esc clears it", async () => {
  m = await mount(sampleRows(), { view: "events" }, undefined, sampleEvents());
  m.mockInput.pressKey("\\");
  await m.mockInput.typeText("MAKE");
  expect(await m.eventPids()).toEqual([2002, 2002]);
  expect(await m.linesWith("Filter: MAKE_")).toHaveLength(1);
  m.mockInput.pressEnter();
  expect(await m.linesWith('2/7 events, 0.0 exec/s, 0.0 exit/s  filter "MAKE"  fork hidden')).toHaveLength(1);
  // The process list keeps its own (empty) filter.
  m.mockInput.pressTab();
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
  m.mockInput.pressTab({ shift: true });

  m.mockInput.pressKey("F4");
  await m.escape();
  m.mockInput.pressKey("F4");
  await m.mockInput.typeText("bin/ls");
  expect(await m.eventLines()).toEqual([expect.stringContaining("EXEC  ls")]);
  await m.escape();
  m.mockInput.pressKey("F4");
  await m.mockInput.typeText("1300");
  expect(await m.eventPids()).toEqual([1300]);
  await m.escape();
  expect(await m.eventPids()).toEqual(SAMPLE_EVENT_PIDS);
});

test("/ searches the log without filtering it; F3 goes to the next match", async () => {
  m = await mount(sampleRows(), { view: "events" }, undefined, sampleEvents());
  m.mockInput.pressKey("/");
  await m.mockInput.typeText("make");
  expect(m.top.selectedEvent()?.seq).toBe(4);
  expect(await m.highlightedLine()).toContain("/usr/bin/make");
  m.mockInput.pressKey("F3");
  expect(m.top.selectedEvent()?.seq).toBe(5);
  m.mockInput.pressEnter();
  expect(await m.eventPids()).toEqual(SAMPLE_EVENT_PIDS);
  // A match above the newest event stops following.
  m.source.events.push(makeEvent(8, "exec"));
  m.top.refresh();
  expect(m.top.selectedEvent()?.seq).toBe(5);
});

test("p freezes the log while new events keep being counted", async () => {
  m = await mount(sampleRows(), { view: "events" }, undefined, sampleEvents());
  m.mockInput.pressKey("p");
  m.source.events.push(makeEvent(8, "exec"), makeEvent(9, "exit", { exit: { code: 0, coreDumped: false, timeMs: 0 } }));
  m.top.refresh();
  expect(m.source.refreshes).toBe(2);
  expect(await m.eventPids()).toEqual(SAMPLE_EVENT_PIDS);
  expect(await m.linesWith("PAUSED")).toHaveLength(1);
  expect(await m.linesWith("+2 new")).toHaveLength(1);
  m.source.events.push(makeEvent(10, "exec"));
  m.top.refresh();
  expect(await m.linesWith("+3 new")).toHaveLength(1);
  // Filtering a paused log works on what was on display, not on what arrived since.
  m.mockInput.pressKey("\\");
  await m.mockInput.typeText("cmd");
  expect(await m.eventPids()).toEqual([]);
  await m.escape();
  expect(await m.eventPids()).toEqual(SAMPLE_EVENT_PIDS);
  m.mockInput.pressKey("p");
  expect(await m.eventPids()).toEqual([...SAMPLE_EVENT_PIDS, 2008, 2009, 2010]);
  expect(await m.linesWith(" new")).toHaveLength(0);
});

test("DROPPED shows in red only when events were lost", async () => {
  m = await mount(sampleRows(), { view: "events" }, undefined, sampleEvents());
  expect(await m.frame()).not.toMatch(/dropped/i);
  m.source.eventStats = { execsPerSec: 12.5, exitsPerSec: 3, forksPerSec: 1, dropped: 42 };
  m.top.refresh();
  expect(await m.linesWith("6/7 events, 12.5 exec/s, 3.0 exit/s  DROPPED: 42")).toHaveLength(1);
  expect(await m.colourOf("DROPPED: 42")).toEqual(theme.dropped.toInts());
  expect(await m.colourOf("dropped 42")).toEqual(theme.dropped.toInts());
  m.source.eventStats = { ...m.source.eventStats, dropped: 0 };
  m.top.refresh();
  expect(await m.frame()).not.toMatch(/dropped/i);
});

test("when events are unavailable, the log says why instead of showing nothing", async () => {
  m = await mount(sampleRows(), { view: "events" });
  m.source.eventStats = { ...m.source.eventStats, unavailable: "sched_process_exec tracepoint missing" };
  m.top.refresh();
  expect(await m.linesWith("Process events unavailable: sched_process_exec tracepoint missing")).toHaveLength(1);
  expect(await m.linesWith("0/0 events  events unavailable")).toHaveLength(1);
  expect(await m.linesWith("Exec/s: n/a")).toHaveLength(1);
});

test("e, x and f show and hide each kind of event; forks start hidden", async () => {
  m = await mount(sampleRows(), { view: "events" }, undefined, sampleEvents());
  const kinds = async () => (await m!.eventLines()).map((line) => line.slice(13, 17));
  expect(await kinds()).toEqual(["EXEC", "EXIT", "EXEC", "EXIT", "EXIT", "EXIT"]);
  m.mockInput.pressKey("f");
  expect(await kinds()).toEqual(["FORK", "EXEC", "EXIT", "EXEC", "EXIT", "EXIT", "EXIT"]);
  expect(await m.linesWith("fork hidden")).toHaveLength(0);
  m.mockInput.pressKey("x");
  expect(await kinds()).toEqual(["FORK", "EXEC", "EXEC"]);
  expect(await m.linesWith("exit hidden")).toHaveLength(1);
  m.mockInput.pressKey("f");
  expect(await kinds()).toEqual(["EXEC", "EXEC"]);
  m.mockInput.pressKey("e");
  expect(await m.eventLines()).toEqual([]);
  expect(await m.linesWith("exec hidden  exit hidden  fork hidden")).toHaveLength(1);
  m.mockInput.pressKey("x");
  expect(await m.eventPids()).toEqual([2001, 2002, 1300, 2003]);
  // `e` in the process list is another key: it shows short-lived processes.
  m.mockInput.pressTab();
  m.mockInput.pressKey("e");
  expect(await m.linesWith("short-lived shown")).toHaveLength(1);
});

test("Enter on an event goes to its process when it is still listed", async () => {
  m = await mount(sampleRows(), { view: "events" }, undefined, sampleEvents());
  m.mockInput.pressArrow("up");
  expect(m.top.selectedEvent()?.pid).toBe(1300);
  m.mockInput.pressEnter();
  expect(m.top.view).toBe("processes");
  expect(m.top.selectedRow()?.pid).toBe(1300);
  expect(await m.highlightedLine()).toContain("vim notes.txt");

  m.mockInput.pressTab({ shift: true });
  m.mockInput.pressKey("END");
  m.mockInput.pressEnter();
  expect(m.top.view).toBe("events");
  expect(await m.linesWith("Process 2003 is not in the process list")).toHaveLength(1);
});

test("the help lists each view's own keys", async () => {
  m = await mount(sampleRows(), { view: "events" });
  m.mockInput.pressKey("h");
  // The help's page size is known once it has been laid out.
  await m.renderOnce();
  m.mockInput.pressKey("\x1b[6~"); // PgDn
  const frame = await m.frame();
  expect(frame).toContain("Events log");
  expect(frame).toMatch(/x +Show\/hide exit events/);
  expect(frame).toMatch(/Enter +Go to the event's process/);
});
