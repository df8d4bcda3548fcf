/**
 * `nova-gen fmt [--check] <files…>`: rewrite `.nidl` files in canonical form, or with `--check` list the
 * files that are not (exit 1). A file with syntax errors is reported and left untouched.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { renderHuman } from "../diagnostics.js";
import { expandInputs, processIo, readSources, type CommandIo } from "./input-files.js";

/** Runs fmt; resolves to the exit code (0 ok, 1 unformatted (with --check) or syntax errors, 2 usage). */
export async function runFmt(opts: { readonly inputs: readonly string[]; readonly check: boolean }, io: CommandIo = processIo): Promise<number> {
  const { files, missing } = expandInputs(opts.inputs, [".nidl"]);
  if (missing.length > 0 || files.length === 0) {
    io.err(missing.length > 0 ? `nova-gen fmt: no such file or directory: ${missing.join(", ")}\n` : "nova-gen fmt: no .nidl files given\n");
    return 2;
  }
  // Loaded on demand so that other commands do not pay for the parser at start-up.
  const { formatNidl } = await import("../format/index.js");
  let failed = false;
  for (const src of readSources(files)) {
    const r = formatNidl(src.text, src.path);
    if (r.text === undefined) {
      io.err(renderHuman(r.diagnostics, (p) => (p === src.path ? src.text : undefined)));
      failed = true;
      continue;
    }
    if (r.unchanged) continue;
    if (opts.check) {
      io.out(`${src.path}\n`);
      failed = true;
    } else {
      writeFileSync(src.path, r.text);
      io.out(`formatted ${src.path}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** Registers `fmt` on the nova-gen program. */
export function registerFmtCommand(program: Command, io: CommandIo = processIo): void {
  program
    .command("fmt <files...>")
    .description("format .nidl files canonically (files or directories)")
    .option("--check", "do not write; list unformatted files and exit 1 if there are any")
    .addHelpText("after", "\nExamples:\n  nova-gen fmt idl/\n  nova-gen fmt --check idl/*.nidl\n")
    .action(async (inputs: string[], o: { check?: boolean }) => {
      process.exitCode = await runFmt({ inputs, check: o.check === true }, io);
    });
}
