import { afterEach, expect, test } from "bun:test";
import { theme } from "../../src/ui/theme.ts";
import { makeRow, mount, sampleRows, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

const SESSION = "/user.slice/user-1000.slice/session-1.scope";

/** sampleRows() with bash selected (the second row by CPU%). */
async function mountOnBash(): Promise<Mounted> {
  const mounted = await mount(sampleRows());
  mounted.mockInput.pressArrow("down");
  expect(mounted.top.selectedRow()?.pid).toBe(1000);
  return mounted;
}

/** The background (as toInts()) of the first span on the line that contains `text`. */
async function rowBackground(text: string): Promise<number[] | undefined> {
  await m!.renderOnce();
  const line = m!.captureSpans().lines.find((l) => l.spans.some((span) => span.text.includes(text)));
  return line?.spans[0]?.bg.toInts();
}

test("f asks first, naming the cgroup and unit and listing every PID; y freezes", async () => {
  m = await mountOnBash();
  m.mockInput.pressKey("f");
  expect(m.top.mode).toBe("confirm");
  expect(m.source.freezeCalls).toEqual([{ call: "planFreeze", pid: 1000 }]);
  const dialog = await m.frame();
  expect(dialog).toContain(" Freeze ");
  expect(dialog).toContain(`Freeze cgroup ${SESSION}?`);
  expect(dialog).toContain("Unit: session-1.scope");
  expect(dialog).toContain("3 processes will stop:");
  expect(dialog).toMatch(/│ +1000 -bash +│/);
  expect(dialog).toMatch(/│ +1200 \/usr\/lib\/firefox\/firefox +│/);
  expect(dialog).toMatch(/│ +1300 vim notes\.txt +│/);
  expect(dialog).not.toContain("root cgroup");
  m.mockInput.pressKey("y");
  expect(m.source.freezeCalls).toEqual([
    { call: "planFreeze", pid: 1000 },
    { call: "freeze", pid: 1000 },
  ]);
  expect(m.top.mode).toBe("browse");
  expect(await m.linesWith(`Froze ${SESSION} (3 processes)`)).toHaveLength(1);
});

test("n and Esc cancel a freeze without freezing", async () => {
  m = await mountOnBash();
  m.mockInput.pressKey("f");
  m.mockInput.pressKey("n");
  expect(m.top.mode).toBe("browse");
  m.mockInput.pressKey("f");
  await m.escape();
  expect(m.top.mode).toBe("browse");
  expect(await m.linesWith("Freeze cgroup")).toHaveLength(0);
  expect(m.source.freezeCalls.map((c) => c.call)).toEqual(["planFreeze", "planFreeze"]);
});

test("a refusal is shown in red in the status line, and no dialog opens", async () => {
  m = await mount(sampleRows());
  m.source.freezeError = new Error("init.scope holds PID 1: freezing it would stop the system");
  m.mockInput.pressKey("f");
  expect(m.top.mode).toBe("browse");
  expect(m.source.freezeCalls).toEqual([{ call: "planFreeze", pid: 1200 }]);
  const message = "Cannot freeze 1200: init.scope holds PID 1: freezing it would stop the system";
  expect(await m.linesWith(message)).toHaveLength(1);
  expect(await m.colourOf("Cannot freeze 1200")).toEqual(theme.error.toInts());
  expect(await m.linesWith("Freeze cgroup")).toHaveLength(0);
});

test("a process in the root cgroup: the dialog says it moves into a cgroup of its own", async () => {
  m = await mount([makeRow({ pid: 777, comm: "loner", cgroup: "/", unit: "" })]);
  m.mockInput.pressKey("f");
  const dialog = await m.frame();
  expect(dialog).toContain("Freeze cgroup /?");
  expect(dialog).toContain("777 is in the root cgroup: it first moves into a cgroup of its own");
  expect(dialog).toContain("1 process will stop:");
  expect(dialog).not.toContain("Unit:");
});

test("a container's dialog names it; a long PID list scrolls with the arrows, the table stays", async () => {
  const container = { id: "c0ffee".repeat(10) + "c0ff", name: "web-1", runtime: "docker" as const };
  const scope = { cgroup: "/system.slice/docker-c0ffee.scope", unit: "docker-c0ffee.scope", container };
  const rows = Array.from({ length: 30 }, (_, i) => makeRow({ pid: 100 + i, ...scope }));
  m = await mount(rows);
  m.mockInput.pressKey("f");
  const dialog = await m.frame();
  expect(dialog).toContain("Container: web-1 (docker c0ffeec0ffee)");
  expect(dialog).toContain("30 processes will stop:");
  expect(dialog).toContain("Up/Down: more");
  expect(dialog).toMatch(/│ +100 \/usr\/bin\/proc100/);
  expect(dialog).not.toMatch(/│ +129 /);
  m.mockInput.pressKey("\x1b[6~"); // PgDn
  m.mockInput.pressKey("\x1b[6~");
  m.mockInput.pressArrow("down");
  expect(await m.frame()).toMatch(/│ +129 \/usr\/bin\/proc129/);
  expect(m.top.selectedRow()?.pid).toBe(100);
  m.mockInput.pressKey("y");
  expect(await m.linesWith("Froze /system.slice/docker-c0ffee.scope (30 processes)")).toHaveLength(1);
});

test("frozen processes are drawn on the frozen colours; the header counts frozen cgroups", async () => {
  m = await mountOnBash();
  expect(await m.linesWith("Frozen:")).toHaveLength(0);
  m.mockInput.pressKey("f");
  m.mockInput.pressKey("y");
  m.source.system = { ...m.source.system, frozenCgroups: 1 };
  m.top.refresh();
  expect(await rowBackground("vim notes.txt")).toEqual(theme.frozenBg.toInts());
  expect(await m.colourOf("vim notes.txt")).toEqual(theme.frozen.toInts());
  // sshd is in another cgroup.
  expect(await rowBackground("sshd: /usr/sbin/sshd")).toEqual(theme.background.toInts());
  expect((await m.linesWith("Tasks:"))[0]).toContain("Tasks: 123, 456 thr, 78 kthr; 2 running  Frozen: 1");
  expect(await m.colourOf("Frozen:")).toEqual(theme.frozen.toInts());
});

test("f on a frozen process thaws it after asking; U thaws at once", async () => {
  m = await mount(sampleRows().map((row) => ({ ...row, frozen: row.cgroup === SESSION })));
  m.mockInput.pressKey("f");
  expect(m.source.freezeCalls).toEqual([{ call: "planThaw", pid: 1200 }]);
  const dialog = await m.frame();
  expect(dialog).toContain(" Thaw ");
  expect(dialog).toContain(`Thaw cgroup ${SESSION}?`);
  expect(dialog).toContain("3 processes will resume:");
  m.mockInput.pressKey("y");
  expect(m.source.freezeCalls.at(-1)).toEqual({ call: "thaw", pid: 1200 });
  expect(await m.linesWith(`Thawed ${SESSION} (3 processes)`)).toHaveLength(1);
  expect(await rowBackground("vim notes.txt")).toEqual(theme.background.toInts());

  m.source.rows.find((row) => row.pid === 420)!.frozen = true;
  m.mockInput.pressKey("/");
  await m.mockInput.typeText("sshd");
  m.mockInput.pressEnter();
  m.mockInput.pressKey("U");
  expect(m.top.mode).toBe("browse");
  expect(m.source.freezeCalls.at(-1)).toEqual({ call: "thaw", pid: 420 });
  expect(await m.linesWith("Thawed /system.slice/ssh.service (1 process)")).toHaveLength(1);
});

test("U on a process that is not frozen shows the source's reason", async () => {
  m = await mount(sampleRows());
  m.source.freezeError = new Error("/user.slice/user-1000.slice/session-1.scope is not frozen");
  m.mockInput.pressKey("U");
  expect(await m.linesWith(`Cannot thaw 1200: ${SESSION} is not frozen`)).toHaveLength(1);
});

test("without cgroup v2 the freeze keys only say why", async () => {
  m = await mount(sampleRows());
  m.source.system = { ...m.source.system, freezeUnavailable: "no cgroup v2 hierarchy (cgroup v1 only host)" };
  m.top.refresh();
  m.mockInput.pressKey("f");
  expect(m.top.mode).toBe("browse");
  const reason = "Freeze and thaw unavailable: no cgroup v2 hierarchy (cgroup v1 only host)";
  expect(await m.linesWith(reason)).toHaveLength(1);
  m.mockInput.pressKey("U");
  expect(m.source.freezeCalls).toEqual([]);
});

test("the help documents f, U and u (the user filter stays)", async () => {
  m = await mount(sampleRows());
  m.mockInput.pressKey("h");
  const help = await m.frame();
  expect(help).toMatch(/ u +Show only one user's processes \(as in htop; thaw is f or U\)/);
  m.mockInput.pressKey("\x1b[6~"); // PgDn
  const more = await m.frame();
  expect(more).toMatch(/ f +Freeze the selected process's cgroup, or thaw it if frozen/);
  expect(more).toMatch(/ U +Thaw the selected process's cgroup at once/);
  expect(more).toMatch(/ g +Group by: process, systemd unit, container/);
});
