/**
 * Strict argument checks that citty does not do: it accepts unknown flags
 * silently and has no number type.
 */
import type { ArgsDef } from "citty";
import { UserNames } from "../collect/users.ts";
import { UsageError } from "./errors.ts";

/** Reject any --flag or -f in rawArgs that `args` does not define (and stray positionals). */
export function assertKnownFlags(rawArgs: readonly string[], args: ArgsDef): void {
  const longs = new Set<string>();
  const shorts = new Set<string>();
  const takesValue = new Set<string>();
  let positionals = 0;
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") {
      positionals++;
      continue;
    }
    longs.add(name);
    if (def.type === "boolean") longs.add(`no-${name}`);
    const alias = (def as { alias?: string | string[] }).alias;
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    for (const a of aliases) (a.length === 1 ? shorts : longs).add(a);
    if (def.type !== "boolean") {
      takesValue.add(name);
      for (const a of aliases) takesValue.add(a);
    }
  }
  longs.add("help");
  shorts.add("h");
  let seenPositionals = 0;
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i]!;
    if (a === "--") break;
    if (a.startsWith("--")) {
      const name = a.slice(2).split("=")[0]!;
      if (!longs.has(name)) throw new UsageError(`unknown option '--${name}'`);
      if (takesValue.has(name) && !a.includes("=")) i++;
    } else if (a.startsWith("-") && a.length > 1 && !/^-\d/.test(a)) {
      const flags = a.slice(1);
      for (let j = 0; j < flags.length; j++) {
        const f = flags[j]!;
        if (!shorts.has(f)) throw new UsageError(`unknown option '-${f}'`);
        if (takesValue.has(f)) {
          if (j === flags.length - 1) i++;
          break;
        }
      }
    } else if (++seenPositionals > positionals) {
      throw new UsageError(`unexpected argument '${a}'`);
    }
  }
}

/** An integer option within [min, max]; `what` names the unit in the message. */
export function parseIntegerOption(flag: string, value: unknown, min: number, max: number, what = ""): number {
  const s = String(value ?? "").trim();
  if (!/^\d+$/.test(s)) throw new UsageError(`${flag} needs a whole number${what ? ` of ${what}` : ""}, got '${String(value ?? "")}'`);
  const n = Number(s);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}${what ? ` ${what}` : ""}, got ${s}`);
  return n;
}

/** Comma-separated pids ("1,22,333"). */
export function parsePidList(flag: string, value: unknown): number[] {
  const parts = String(value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new UsageError(`${flag} needs a comma-separated list of PIDs`);
  return parts.map((p) => {
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 4194304) throw new UsageError(`${flag}: '${p}' is not a PID`);
    return Number(p);
  });
}

/** Comma-separated ports ("80,443"), 1 to 65535. */
export function parsePortList(flag: string, value: unknown): number[] {
  const parts = String(value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new UsageError(`${flag} needs a port number or a comma-separated list`);
  return parts.map((p) => {
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new UsageError(`${flag}: '${p}' is not a port (1 to 65535)`);
    return Number(p);
  });
}

/** A user name that exists in /etc/passwd; returns its uid. */
export function parseUserOption(flag: string, name: string): number {
  const uid = new UserNames().uid(name);
  if (uid === undefined) throw new UsageError(`${flag}: no user named '${name}' in /etc/passwd`);
  return uid;
}
