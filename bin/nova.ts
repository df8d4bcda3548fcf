#!/usr/bin/env node
/**
 * `nova`, the runtime CLI. Each subcommand lives in runtime/cli/<name>-command.ts
 * and exports `register(program)`; this file only wires them up and maps
 * outcomes to exit codes: 0 success, 1 a user's error (the command prints an
 * `error[Code]: ...` line), 2 bad usage (unknown command or option).
 */
import { Command, CommanderError } from "commander";
import * as wireCommand from "../runtime/cli/wire-command.js";
import * as callCommand from "../runtime/cli/call-command.js";

/** A subcommand module. */
interface CommandModule {
  register(program: Command): void;
}

// To add a command, create runtime/cli/<name>-command.ts exporting `register`
// and add one import above and one entry here, e.g. `callCommand` for `nova call`.
const COMMANDS: readonly CommandModule[] = [wireCommand, callCommand];

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("nova")
    .description("NovaDE IPC runtime tools")
    .showHelpAfterError()
    .exitOverride();
  program.addHelpText("after", "\nExamples:\n  $ nova wire encode --hex < message.json\n  $ nova wire decode --pretty < frame.bin\n  $ nova wire --help");
  for (const command of COMMANDS) command.register(program);
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`nova: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 70;
  }
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}

process.exitCode = await main(process.argv);
