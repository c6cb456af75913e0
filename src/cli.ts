#!/usr/bin/env bun
/**
 * bpftop's entry point: citty parses, we validate strictly (citty accepts
 * unknown flags), and every failure leaves as one line and an exit status:
 * 2 for usage mistakes, 1 for everything else.
 */
import { defineCommand, runCommand, showUsage, type CommandDef } from "citty";
import { bench, doctor, exit, freeze, net, snapshot, thaw, top, trace, VERSION } from "./cli/commands.ts";
import { reportError, UsageError } from "./cli/errors.ts";
import { clearAmbientCapabilities } from "./cli/privileges.ts";

// Before anything else runs: nothing bpftop starts may inherit its capabilities.
clearAmbientCapabilities();

const subCommands = { top, snapshot, net, trace, freeze, thaw, bench, doctor };

const main = defineCommand({
  meta: {
    name: "bpftop",
    version: VERSION,
    description: "An eBPF-powered top: processes, with their cgroups, threads and exact CPU time, at a cost that stays flat with 10,000 processes",
  },
  subCommands,
});

async function run(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
    process.stdout.write(`bpftop ${VERSION}\n`);
    return 0;
  }
  // `bpftop -d 500` means `bpftop top -d 500`: top is the default command.
  const first = argv[0];
  const named = first !== undefined && Object.hasOwn(subCommands, first);
  if (!named && first !== undefined && !first.startsWith("-")) throw new UsageError(`unknown command '${first}' (commands: ${Object.keys(subCommands).join(", ")})`);
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  if (wantsHelp) {
    if (named) await showUsage(subCommands[first as keyof typeof subCommands] as CommandDef, main as CommandDef);
    else await showUsage(main as CommandDef);
    return 0;
  }
  await runCommand(main, { rawArgs: named ? argv : ["top", ...argv] });
  return exit.code;
}

process.exitCode = await run(process.argv.slice(2)).catch(reportError);
process.exit(process.exitCode);
