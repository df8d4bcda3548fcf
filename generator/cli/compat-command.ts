/**
 * `nova-gen compat <old> <new>`: breaking changes between two versions (files or directories of `.nidl`,
 * D-Bus XML or Wayland XML). Exit 1 when anything breaks or an input cannot be read.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { renderCompact, renderHuman, renderJson } from "../diagnostics.js";
import { expandInputs, processIo, readSources, type CommandIo } from "./input-files.js";

/** Options of {@link runCompat}. */
export interface CompatCommandOptions {
  readonly old: string;
  readonly new: string;
  /** Extra inputs given to both sides (e.g. wayland.xml that both versions reference). */
  readonly with: readonly string[];
  readonly format: "human" | "compact" | "json";
}

/** Runs the check; resolves to the exit code (0 compatible, 1 breaking or unreadable, 2 usage). */
export async function runCompat(opts: CompatCommandOptions, io: CommandIo = processIo): Promise<number> {
  const exts = [".nidl", ".xml"];
  const o = expandInputs([opts.old], exts);
  const n = expandInputs([opts.new], exts);
  const w = expandInputs(opts.with, exts);
  const missing = [...o.missing, ...n.missing, ...w.missing];
  if (missing.length > 0) {
    io.err(`nova-gen compat: no such file or directory: ${missing.join(", ")}\n`);
    return 2;
  }
  if (o.files.length === 0 || n.files.length === 0) {
    io.err("nova-gen compat: both versions need at least one .nidl or .xml file\n");
    return 2;
  }
  const extra = readSources(w.files);
  // Imports of a .nidl input that is given alone are read from disk, relative to the working directory.
  const host = {
    readFile(path: string): string | undefined {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
  };
  // Loaded on demand so that other commands do not pay for the parser at start-up.
  const { checkCompat } = await import("../compat/index.js");
  const result = checkCompat([...readSources(o.files), ...extra], [...readSources(n.files), ...extra], host);
  const render = opts.format === "json" ? renderJson : opts.format === "compact" ? renderCompact : renderHuman;
  const text = render(result.diagnostics, (p) => result.sources.get(p));
  if (opts.format === "json") io.out(text);
  else io.err(text);
  if (!result.loaded) return 1;
  // The compatible changes too, so "no breaking changes" says what was looked at and accepted.
  if (opts.format !== "json") for (const change of result.compatible) io.out(`compatible (${change.kind}): ${change.message}\n`);
  if (opts.format !== "json") io.out(result.breaking === 0 ? "no breaking changes\n" : `${result.breaking} breaking change${result.breaking === 1 ? "" : "s"}\n`);
  return result.breaking > 0 ? 1 : 0;
}

/** Registers `compat` on the nova-gen program. */
export function registerCompatCommand(program: Command, io: CommandIo = processIo): void {
  program
    .command("compat <old> <new>")
    .description("report breaking changes between two versions (.nidl, D-Bus XML or Wayland XML; files or directories)")
    .option("--with <file...>", "files both versions need (e.g. wayland.xml for protocols that use wl_surface)", [])
    .option("--format <format>", "human | compact | json", "human")
    .addHelpText("after", "\nExamples:\n  nova-gen compat old/idl new/idl\n  nova-gen compat v1/xdg-shell.xml v2/xdg-shell.xml --with /usr/share/wayland/wayland.xml\n")
    .action(async (oldPath: string, newPath: string, o: { with: string[]; format: string }) => {
      if (!["human", "compact", "json"].includes(o.format)) {
        io.err(`nova-gen compat: unknown --format "${o.format}"\n`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await runCompat({ old: oldPath, new: newPath, with: o.with, format: o.format as CompatCommandOptions["format"] }, io);
    });
}
