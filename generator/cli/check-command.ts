/**
 * `nova-gen check <files…>`: parse, resolve and check; print every diagnostic.
 */
import type { Command } from "commander";
import { hasErrors } from "../diagnostics.js";
import { processIo, type CommandIo } from "./input-files.js";
import { parseFormat } from "./output-format.js";
import { createProgress } from "./progress.js";

/** Runs check; returns the exit code (0 ok, 1 errors, 2 usage). */
export async function runCheck(opts: { inputs: readonly string[]; format?: string }, io: CommandIo = processIo): Promise<number> {
  const format = parseFormat(opts.format);
  if (format === undefined) {
    io.err(`nova-gen check: --format must be "human" or "json", not "${opts.format}"\n`);
    return 2;
  }
  // Loaded on use: the compiler (chevrotain) costs about a second to load, which --help should not pay.
  const { loadAndCompile, printDiagnostics } = await import("./compile-inputs.js");
  let progress = createProgress(0, io, false);
  const loaded = loadAndCompile(opts.inputs, process.cwd(), (count) => {
    progress = createProgress(count, io);
    progress.step("checking");
  });
  if (!loaded.ok) {
    io.err(`nova-gen check: ${loaded.usage}\n`);
    return 2;
  }
  const { result, inputs } = loaded;
  progress.done();
  printDiagnostics(result.diagnostics, result.sources, format, io);
  const failed = hasErrors(result.diagnostics);
  if (format === "human" && !failed) io.out(`checked ${inputs.length} file${inputs.length === 1 ? "" : "s"}: no errors\n`);
  return failed ? 1 : 0;
}

/** Registers `check` on the nova-gen program. */
export function registerCheckCommand(program: Command, io: CommandIo = processIo): void {
  program
    .command("check <files...>")
    .description("parse, resolve and check .nidl files (files or directories); exit 1 on errors")
    .option("--format <format>", 'diagnostics as "human" (stderr) or "json" (stdout)', "human")
    .addHelpText("after", "\nExamples:\n  nova-gen check idl/\n  nova-gen check idl/shell.nidl --format json\n")
    .action(async (inputs: string[], o: { format?: string }) => {
      process.exitCode = await runCheck({ inputs, format: o.format }, io);
    });
}
