/**
 * `nova-gen import dbus|wayland <xml…> --out DIR`: real-world XML → canonical `.nidl` files.
 * Wayland files of one run are imported together, so references between them become `import`s.
 */
import type { Command } from "commander";
import { hasErrors, renderHuman, sortDiagnostics } from "../diagnostics.js";
import { expandInputs, processIo, readSources, writeOutput, type CommandIo } from "./input-files.js";

/** Options of {@link runImport}. */
export interface ImportCommandOptions {
  readonly dialect: "dbus" | "wayland";
  readonly inputs: readonly string[];
  readonly out: string;
}

/** Runs the import; resolves to the exit code (0 ok, 1 errors in the input, 2 usage). */
export async function runImport(opts: ImportCommandOptions, io: CommandIo = processIo): Promise<number> {
  const { files, missing } = expandInputs(opts.inputs, [".xml"]);
  if (missing.length > 0 || files.length === 0) {
    io.err(missing.length > 0 ? `nova-gen import: no such file or directory: ${missing.join(", ")}\n` : "nova-gen import: no XML files given\n");
    return 2;
  }
  const sources = readSources(files);
  // Loaded on demand: the importers pull in the parser, which costs ~1 s of start-up for every other command.
  const result =
    opts.dialect === "dbus"
      ? (await import("../import/dbus.js")).importDbus(sources)
      : (await import("../import/wayland.js")).importWayland(sources);
  for (const f of result.files) io.out(`${writeOutput(opts.out, f.path, f.text)}\n`);
  const texts = new Map(sources.map((s) => [s.path, s.text]));
  io.err(renderHuman(sortDiagnostics(result.diagnostics), (p) => texts.get(p)));
  return hasErrors(result.diagnostics) ? 1 : 0;
}

/** Registers `import dbus` and `import wayland` on the nova-gen program. */
export function registerImportCommand(program: Command, io: CommandIo = processIo): void {
  const cmd = program.command("import").description("import D-Bus or Wayland XML into .nidl files");
  for (const dialect of ["dbus", "wayland"] as const) {
    cmd
      .command(`${dialect} <xml...>`)
      .description(`import ${dialect === "dbus" ? "D-Bus introspection" : "Wayland protocol"} XML (files or directories)`)
      .requiredOption("-o, --out <dir>", "output directory for the .nidl files")
      .addHelpText("after", dialect === "dbus"
        ? "\nExample:\n  nova-gen import dbus /usr/share/dbus-1/interfaces/org.freedesktop.portal.*.xml --out idl/portal\n"
        : "\nExample:\n  nova-gen import wayland /usr/share/wayland/wayland.xml /usr/share/wayland-protocols --out idl/wayland\n")
      .action(async (inputs: string[], o: { out: string }) => {
        process.exitCode = await runImport({ dialect, inputs, out: o.out }, io);
      });
  }
}
