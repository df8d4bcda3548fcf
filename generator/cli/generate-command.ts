/**
 * `nova-gen generate <files…> --out DIR [--target …] [--runtime-import SPEC] [--watch] [--format json]`:
 * compile, run the registered emitters of the chosen targets, write the files.
 */
import type { Command } from "commander";
import { hasErrors, sortDiagnostics } from "../diagnostics.js";
import type { TargetName } from "../model.js";
import { DEFAULT_RUNTIME_IMPORT, DEFAULT_WAYLAND_RUNTIME_IMPORT } from "../emit/types.js";
import { processIo, type CommandIo } from "./input-files.js";
import { parseFormat } from "./output-format.js";
import { createProgress } from "./progress.js";
import { writeGeneratedFiles } from "./write-files.js";
import { watchInputs } from "./watch.js";

/** Options of one generate run. */
export interface GenerateOptions {
  inputs: readonly string[];
  out: string;
  target?: string;
  runtimeImport?: string;
  /** Where the `wayland-ts` bindings import the Wayland runtime from. */
  waylandRuntimeImport?: string;
  format?: string;
  /** Names the inputs in the `@generated` preamble instead of their paths (e.g. the XML a .nidl was imported from). */
  sourceName?: string;
}

/** Parses `--target a,b` against the registered targets; returns the targets or the unknown names. */
export function parseTargets(spec: string | undefined, known: readonly TargetName[]): { ok: true; targets: TargetName[] } | { ok: false; unknown: string[] } {
  if (spec === undefined || spec.trim() === "") return { ok: true, targets: [...known] };
  const asked = [...new Set(spec.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
  const unknown = asked.filter((t) => !known.includes(t as TargetName));
  return unknown.length > 0 ? { ok: false, unknown } : { ok: true, targets: asked as TargetName[] };
}

/** Runs generate once; returns the exit code (0 ok, 1 errors, 2 usage). */
export async function runGenerate(opts: GenerateOptions, io: CommandIo = processIo): Promise<number> {
  const format = parseFormat(opts.format);
  if (format === undefined) {
    io.err(`nova-gen generate: --format must be "human" or "json", not "${opts.format}"\n`);
    return 2;
  }
  // Loaded on use: the compiler and the emitters cost about a second to load, which --help should not pay.
  const { registeredTargets } = await import("../emit/index.js");
  const { generate } = await import("../index.js");
  const { displayPath, loadAndCompile, printDiagnostics } = await import("./compile-inputs.js");
  const targets = parseTargets(opts.target, registeredTargets());
  if (!targets.ok) {
    io.err(`nova-gen generate: unknown target ${targets.unknown.map((t) => `"${t}"`).join(", ")} (available: ${registeredTargets().join(", ")})\n`);
    return 2;
  }
  let progress = createProgress(0, io, false);
  const loaded = loadAndCompile(opts.inputs, process.cwd(), (count) => {
    progress = createProgress(count, io);
    progress.step("compiling");
  });
  if (!loaded.ok) {
    io.err(`nova-gen generate: ${loaded.usage}\n`);
    return 2;
  }
  const { result } = loaded;
  if (hasErrors(result.diagnostics)) {
    printDiagnostics(result.diagnostics, result.sources, format, io);
    return 1;
  }
  progress.step(`generating ${targets.targets.join(", ")}`);
  const emitted = await generate(result.model, targets.targets, {
    runtimeImport: opts.runtimeImport ?? DEFAULT_RUNTIME_IMPORT,
    waylandRuntimeImport: opts.waylandRuntimeImport ?? DEFAULT_WAYLAND_RUNTIME_IMPORT,
    sourceName: opts.sourceName,
  });
  const diagnostics = sortDiagnostics([...result.diagnostics, ...emitted.diagnostics]);
  printDiagnostics(diagnostics, result.sources, format, io);
  if (hasErrors(emitted.diagnostics)) return 1;
  const summary = writeGeneratedFiles(opts.out, emitted.files);
  progress.done();
  if (summary.rejected.length > 0) {
    io.err(`nova-gen generate: refused to write outside ${displayPath(opts.out)}: ${summary.rejected.join(", ")}\n`);
    return 1;
  }
  if (format === "human") {
    io.out(`generated ${emitted.files.length} file${emitted.files.length === 1 ? "" : "s"} in ${displayPath(opts.out)} (${summary.written.length} written, ${summary.unchanged.length} unchanged)\n`);
  }
  return 0;
}

/** Registers `generate` on the nova-gen program. */
export function registerGenerateCommand(program: Command, io: CommandIo = processIo): void {
  program
    .command("generate <files...>")
    .description("compile .nidl files (files or directories) and write the outputs of the chosen targets")
    .requiredOption("-o, --out <dir>", "output directory (created if missing)")
    .option("-t, --target <targets>", "comma-separated targets: ts, dbus, wayland, wayland-ts, schema (default: every registered one)")
    .option("--runtime-import <spec>", `module specifier generated TypeScript imports the runtime from`, DEFAULT_RUNTIME_IMPORT)
    .option("--wayland-runtime-import <spec>", "module specifier the wayland-ts bindings import the Wayland runtime from", DEFAULT_WAYLAND_RUNTIME_IMPORT)
    .option("--source-name <text>", "what the @generated preamble names as the source (default: the input paths)")
    .option("-w, --watch", "regenerate whenever an input changes (Ctrl-C to stop)")
    .option("--format <format>", 'diagnostics as "human" (stderr) or "json" (stdout)', "human")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  nova-gen generate idl/ --out gen/\n" +
        "  nova-gen generate idl/shell.nidl --out gen/ --target dbus,wayland\n" +
        "  nova-gen generate idl/ --out src/gen --target ts --runtime-import ../runtime/generated.js --watch\n",
    )
    .action(async (inputs: string[], o: { out: string; target?: string; runtimeImport?: string; waylandRuntimeImport?: string; watch?: boolean; format?: string; sourceName?: string }) => {
      const opts: GenerateOptions = {
        inputs,
        out: o.out,
        target: o.target,
        runtimeImport: o.runtimeImport,
        waylandRuntimeImport: o.waylandRuntimeImport,
        format: o.format,
        sourceName: o.sourceName,
      };
      const code = await runGenerate(opts, io);
      if (!o.watch || code === 2) {
        process.exitCode = code;
        return;
      }
      const stop = new AbortController();
      const abort = (): void => stop.abort();
      process.once("SIGINT", abort);
      process.once("SIGTERM", abort);
      await watchInputs(inputs, async () => {
        await runGenerate(opts, io);
      }, io, { stop: stop.signal });
      process.off("SIGINT", abort);
      process.off("SIGTERM", abort);
    });
}
