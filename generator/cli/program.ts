/**
 * The nova-gen command-line program: one registration per subcommand.
 * Usage errors exit 2, diagnostics exit 1, success 0; nothing a user does
 * produces a stack trace.
 */
import { Command, CommanderError } from "commander";
import { registerCheckCommand } from "./check-command.js";
import { registerGenerateCommand } from "./generate-command.js";
import { registerImportCommand } from "./import-command.js";
import { registerCompatCommand } from "./compat-command.js";
import { registerFmtCommand } from "./fmt-command.js";
import { processIo, type CommandIo } from "./input-files.js";

/** nova-gen's version (printed by --version; never written into generated files). */
export const NOVA_GEN_VERSION = "0.1.0";

/** Builds the program; `io` receives commander's own output too. */
export function createNovaGenProgram(io: CommandIo = processIo): Command {
  const program = new Command("nova-gen");
  program
    .description("Compile NIDL (.nidl) interface definitions to TypeScript, D-Bus XML, Wayland XML and schema-registry entries.")
    .version(NOVA_GEN_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError("(run nova-gen --help for usage)")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  nova-gen check idl/\n" +
        "  nova-gen generate idl/ --out gen/ --target ts,dbus,wayland,schema\n" +
        "  nova-gen generate idl/shell.nidl --out gen/ --target wayland,wayland-ts\n" +
        "  nova-gen check broken.nidl --format json\n" +
        "\nExit codes: 0 success, 1 errors in the input (diagnostics printed), 2 bad usage.\n",
    );
  registerCheckCommand(program, io);
  registerGenerateCommand(program, io);
  // Importers, breaking-change checker and formatter (issue 4): one registration each.
  registerImportCommand(program, io);
  registerCompatCommand(program, io);
  registerFmtCommand(program, io);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  return program;
}

/** Runs nova-gen with `argv` (without node and script); resolves to the exit code. */
export async function runNovaGen(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const program = createNovaGenProgram(io);
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return 2;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.err(`nova-gen: internal error: ${message}\n(this is a bug in nova-gen, not in your input; please report it)\n`);
    return 1;
  }
  const code = typeof process.exitCode === "number" ? process.exitCode : 0;
  process.exitCode = undefined;
  return code;
}
