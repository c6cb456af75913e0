/**
 * `bpftop freeze PID|CGROUP_PATH [--yes]` and `bpftop thaw PID|CGROUP_PATH`:
 * say what will stop (the cgroup, its unit or container, every PID), ask
 * unless --yes, act, and print the PIDs affected.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import pc from "picocolors";
import { ContainerNames } from "../collect/cgroups.ts";
import { Freezer } from "../collect/freezer.ts";
import { findCgroup2Mount } from "../collect/mounts.ts";
import { UserNames } from "../collect/users.ts";
import type { FreezeTarget } from "../store/types.ts";
import { UsageError } from "./errors.ts";

export type FreezeSpec = { pid: number } | { path: string };

/** A PID, or a cgroup path: relative to the cgroup2 mount ("/system.slice/x.service") or under it in full. */
export function parseFreezeTarget(value: string, mount: string | undefined): FreezeSpec {
  if (/^\d+$/.test(value)) return { pid: Number(value) };
  if (!value.startsWith("/")) throw new UsageError(`'${value}' is neither a PID nor a cgroup path (starting with /)`);
  if (mount && (value === mount || value.startsWith(`${mount}/`))) return { path: value.slice(mount.length) || "/" };
  return { path: value };
}

function freezerHere(): Freezer {
  const users = new UserNames();
  const mount = findCgroup2Mount(readFileSync("/proc/self/mountinfo", "latin1"));
  return new Freezer(mount, new ContainerNames("/", (uid) => users.home(uid)));
}

function describe(t: FreezeTarget): string {
  const owner = [t.unit && `unit ${t.unit}`, t.container && `container ${t.container.name} (${t.container.runtime})`].filter(Boolean).join(", ");
  const moved = t.movesProcess ? " (moved out of the root cgroup into a cgroup of its own)" : "";
  return `${t.cgroup}${owner ? ` [${owner}]` : ""}${moved}: ${t.pids.length} process${t.pids.length === 1 ? "" : "es"}: ${t.pids.join(" ")}`;
}

export async function runFreeze(target: string, yes: boolean): Promise<number> {
  const freezer = freezerHere();
  const spec = parseFreezeTarget(target, freezer.mount);
  const plan = "pid" in spec ? freezer.planForPid(spec.pid) : freezer.planForPath(spec.path);
  const c = pc.createColors(!!process.stdout.isTTY && !process.env.NO_COLOR);
  process.stdout.write(`${c.bold("freeze")} ${describe(plan)}\n`);
  if (!yes) {
    if (!process.stdin.isTTY) throw new UsageError("add --yes to freeze without asking (standard input is not a terminal)");
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question("Freeze these processes? [y/N] ");
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stdout.write("nothing frozen\n");
      return 1;
    }
  }
  const done = freezer.freeze(plan);
  process.stdout.write(`${done.frozen ? c.cyan("frozen") : c.yellow("freezing (not settled yet)")} ${describe(done)}\n`);
  return 0;
}

export async function runThaw(target: string): Promise<number> {
  const freezer = freezerHere();
  const spec = parseFreezeTarget(target, freezer.mount);
  const plan = "pid" in spec ? freezer.planThawForPid(spec.pid) : freezer.planThawForPath(spec.path);
  const done = freezer.thaw(plan);
  const c = pc.createColors(!!process.stdout.isTTY && !process.env.NO_COLOR);
  process.stdout.write(`${c.green("thawed")} ${describe({ ...done, pids: plan.pids })}\n`);
  return 0;
}
