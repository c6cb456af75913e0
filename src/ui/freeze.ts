/**
 * What the freeze and thaw confirmations say: the cgroup, its unit and
 * container, whether the process first moves into a cgroup of its own, and
 * every PID the action stops or resumes, with its command when it is listed.
 * The source decides what is frozen (TopSource.planFreeze); this only shows it.
 */
import type { CliRenderer } from "@opentui/core";
import type { FreezeTarget, ProcessRow } from "../store/types.ts";
import { ConfirmDialog } from "./dialogs.ts";
import { printable, truncate } from "./format.ts";

export type FreezeAction = "freeze" | "thaw";

/** Cells of a command in the list of PIDs; the dialog stays narrower than most screens. */
const COMMAND_WIDTH = 60;

/** The confirmation for freezing or thawing `pid`'s cgroup, as the source planned it. */
export function freezeDialog(
  renderer: CliRenderer,
  action: FreezeAction,
  pid: number,
  target: FreezeTarget,
  rows: readonly ProcessRow[],
): ConfirmDialog {
  const thaw = action === "thaw";
  const lines = [`${thaw ? "Thaw" : "Freeze"} cgroup ${printable(target.cgroup)}?`];
  if (target.unit) lines.push(`Unit: ${printable(target.unit)}`);
  if (target.container) {
    const { name, runtime, id } = target.container;
    lines.push(`Container: ${printable(name)} (${runtime} ${id.slice(0, 12)})`);
  }
  if (target.movesProcess) {
    lines.push(
      thaw
        ? `bpftop made this cgroup for ${pid}: it is removed after the thaw`
        : `${pid} is in the root cgroup: it first moves into a cgroup of its own`,
    );
  }
  lines.push(`${processCount(target.pids.length)} will ${thaw ? "resume" : "stop"}:`);
  const byPid = new Map(rows.map((row) => [row.pid, row]));
  const items = target.pids.map((listed) => {
    const row = byPid.get(listed);
    const command = row ? truncate(printable(row.cmdline || row.comm), COMMAND_WIDTH) : "";
    return { text: `${String(listed).padStart(7)} ${command}`.trimEnd() };
  });
  return new ConfirmDialog(renderer, { title: thaw ? " Thaw " : " Freeze ", lines, items });
}

/** The status line after a freeze or thaw: `Froze /system.slice/x.service (12 processes)`. */
export function freezeDone(action: FreezeAction, target: FreezeTarget): string {
  const verb = action === "thaw" ? "Thawed" : "Froze";
  return `${verb} ${printable(target.cgroup)} (${processCount(target.pids.length)})`;
}

function processCount(count: number): string {
  return `${count} ${count === 1 ? "process" : "processes"}`;
}
