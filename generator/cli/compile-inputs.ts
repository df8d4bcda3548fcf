/**
 * The file-system edge shared by `check` and `generate`: expand the inputs,
 * read them, compile with a host that reads imports from disk, and print the
 * diagnostics in the requested format. Paths are made relative to the
 * working directory so spans and preambles never contain absolute paths.
 */
import { readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { compile, type CompileResult, type SourceFile } from "../index.js";
import { renderHuman, renderJson, type Diagnostic } from "../diagnostics.js";
import { expandInputs, type CommandIo } from "./input-files.js";

import type { OutputFormat } from "./output-format.js";

/** A path as shown to users and written into outputs: relative to cwd, forward slashes. */
export function displayPath(p: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, resolve(cwd, p));
  return (rel === "" ? "." : rel).split(sep).join("/");
}

/** The outcome of loading and compiling the inputs of a command. */
export type LoadResult =
  | { ok: true; result: CompileResult; inputs: string[] }
  | { ok: false; usage: string };

/** Expands, reads and compiles; a missing input is a usage problem (exit 2). */
export function loadAndCompile(inputs: readonly string[], cwd: string = process.cwd(), onFiles?: (count: number) => void): LoadResult {
  const { files, missing } = expandInputs(inputs.map((p) => resolve(cwd, p)), [".nidl"]);
  if (missing.length > 0) return { ok: false, usage: `no such file or directory: ${missing.map((m) => displayPath(m, cwd)).join(", ")}` };
  if (files.length === 0) return { ok: false, usage: "no .nidl files given" };
  const sources: SourceFile[] = [];
  for (const f of files) {
    try {
      sources.push({ path: displayPath(f, cwd), text: readFileSync(f, "utf8") });
    } catch (e) {
      return { ok: false, usage: `cannot read ${displayPath(f, cwd)}: ${(e as NodeJS.ErrnoException).code ?? "error"}` };
    }
  }
  onFiles?.(sources.length);
  const host = {
    readFile(path: string): string | undefined {
      try {
        return readFileSync(resolve(cwd, path), "utf8");
      } catch {
        return undefined;
      }
    },
  };
  return { ok: true, result: compile(sources, { host }), inputs: sources.map((s) => s.path) };
}

/** Prints diagnostics: human form to stderr, JSON to stdout. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, format: OutputFormat, io: CommandIo): void {
  const lookup = (f: string): string | undefined => sources.get(f);
  if (format === "json") io.out(renderJson(diagnostics, lookup));
  else if (diagnostics.length > 0) io.err(renderHuman(diagnostics, lookup));
}
