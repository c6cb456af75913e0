import { afterEach, expect, test } from "bun:test";
import type { ExitStatus } from "../../src/store/types.ts";
import { theme } from "../../src/ui/theme.ts";
import { makeRow, mount, sampleRows, SAMPLE_BY_CPU, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

const ended = (fields: Partial<ExitStatus>): ExitStatus => ({ coreDumped: false, timeMs: 5_000, ...fields });

/** sampleRows() plus three exited processes and one that ran between two refreshes. */
function rowsWithExits() {
  return [
    ...sampleRows(),
    makeRow({ pid: 3000, comm: "backup", cmdline: "backup --all", exit: ended({ code: 3 }) }),
    makeRow({ pid: 3001, comm: "stuck", cmdline: "stuck", exit: ended({ signal: 9 }) }),
    makeRow({ pid: 3002, comm: "crashy", cmdline: "crashy -x", exit: ended({ signal: 11, coreDumped: true }) }),
    makeRow({
      pid: 3003,
      comm: "true",
      cmdline: "/bin/true",
      shortLived: true,
      startTimeMs: 4_988,
      exit: ended({ code: 0 }),
    }),
  ];
}

test("exited processes stay dimmed, with their exit status after the command", async () => {
  m = await mount(rowsWithExits());
  expect(await m.linesWith("backup --all [exit 3]")).toHaveLength(1);
  expect(await m.linesWith("stuck [killed: SIGKILL]")).toHaveLength(1);
  expect(await m.linesWith("crashy -x [killed: SIGSEGV (core)]")).toHaveLength(1);
  await m.renderOnce();
  const line = m.captureSpans().lines.find((l) => l.spans.some((span) => span.text.includes("backup")))!;
  for (const span of line.spans.filter((s) => s.text.trim() !== "")) {
    expect(span.fg.toInts()).toEqual(theme.exited.toInts());
  }
  // A live process keeps its colours.
  expect(await m.colourOf("vim notes.txt")).not.toEqual(theme.exited.toInts());
});

test("processes that ran between refreshes are hidden until e, then shown dimmed with their lifetime", async () => {
  m = await mount(rowsWithExits());
  expect(await m.tablePids()).not.toContain(3003);
  m.mockInput.pressKey("e");
  expect(await m.tablePids()).toContain(3003);
  expect(await m.linesWith("/bin/true [exit 0, ran 12ms]")).toHaveLength(1);
  expect(await m.colourOf("/bin/true")).toEqual(theme.exited.toInts());
  expect(await m.linesWith("short-lived shown")).toHaveLength(1);
  m.mockInput.pressKey("e");
  expect(await m.tablePids()).not.toContain(3003);
  expect(await m.linesWith("short-lived shown")).toHaveLength(0);
});

test("the header shows exec and exit rates, and losses in red", async () => {
  m = await mount(sampleRows());
  expect(await m.linesWith("Exec/s: 0.0  Exit/s: 0.0")).toHaveLength(1);
  m.source.eventStats = { execsPerSec: 123.4, exitsPerSec: 7.25, forksPerSec: 100, dropped: 0 };
  m.top.refresh();
  const [line] = await m.linesWith("Exec/s:");
  expect(line).toContain("Exec/s: 123  Exit/s: 7.3");
  expect(line).not.toContain("dropped");
  // The process list still fits below the header.
  expect(await m.tablePids()).toEqual(SAMPLE_BY_CPU);
  m.source.eventStats = { ...m.source.eventStats, dropped: 9 };
  m.top.refresh();
  expect(await m.linesWith("Exec/s: 123  Exit/s: 7.3  dropped 9")).toHaveLength(1);
  expect(await m.colourOf("dropped 9")).toEqual(theme.dropped.toInts());
});
