#!/usr/bin/env node
/**
 * `nova`, the runtime CLI. Each subcommand lives in runtime/cli/<name>-command.ts
 * and exports `register(program)`; this file only wires them up and maps
 * outcomes to exit codes: 0 success, 1 a user's error (the command prints an
 * `error[Code]: ...` line), 2 bad usage (unknown command or option).
 */
import { Command, CommanderError } from "commander";

/** A subcommand module: runtime/cli/<name>-command.ts exporting `register`. */
interface CommandModule {
  register(program: Command): void;
}

// Every subcommand, in help order. Adding one is one line here, e.g.
//   import("../runtime/cli/call-command.js"),
const COMMANDS: readonly CommandModule[] = await Promise.all([
  import("../runtime/cli/wire-command.js"),
  import("../runtime/cli/call-command.js"),
  import("../runtime/cli/dbus-command.js"),
  import("../runtime/cli/bus-command.js"),
  import("../runtime/cli/emit-command.js"),
  import("../runtime/cli/listen-command.js"),
  import("../runtime/cli/list-command.js"),
  import("../runtime/cli/replay-command.js"),
  import("../runtime/cli/shm-command.js"),
  import("../runtime/cli/wayland-command.js"),
]);

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("nova")
    .description("NovaDE IPC runtime tools")
    .showHelpAfterError()
    .exitOverride();
  program.addHelpText("after", "\nExamples:\n  $ nova wire encode --hex < message.json\n  $ nova wire decode --pretty < frame.bin\n  $ nova wire --help\n  $ nova bus --log ~/.local/state/nova/events &\n  $ nova listen 'window.**'\n  $ nova wayland globals --display wayland-0\n  $ nova emit window.opened '{\"id\": 7}'\n  $ nova dbus list\n  $ nova dbus --help");
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
