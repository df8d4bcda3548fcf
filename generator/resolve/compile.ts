/**
 * Parse + resolve + check a program.
 */
import type { CompileOptions, CompileResult, SourceFile } from "../index.js";

/** Compiles sources into a model. */
export function compileSources(sources: readonly SourceFile[], _options: CompileOptions): CompileResult {
  return { model: { packages: [], declarations: new Map(), files: sources.map((s) => s.path).sort() }, files: [], diagnostics: [], sources: new Map() };
}
