/**
 * The two kinds of failure a user sees: a usage mistake (exit 2, like every
 * Unix tool) and an environment problem (exit 1: missing capability, no BTF).
 * Both print one line; a stack trace only with BPFTOP_DEBUG=1.
 */
import pc from "picocolors";

export class UsageError extends Error {
  override name = "UsageError";
}

const errColors = pc.createColors(!!process.stderr.isTTY && !process.env.NO_COLOR);

export function reportError(e: unknown): number {
  const err = e instanceof Error ? e : new Error(String(e));
  const usage = err instanceof UsageError || err.name === "CLIError";
  const message = err.message.split("\n")[0];
  process.stderr.write(`${errColors.red("bpftop:")} ${message}\n`);
  if (usage) process.stderr.write("Try 'bpftop --help' for more information.\n");
  if (process.env.BPFTOP_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
  return usage ? 2 : 1;
}
