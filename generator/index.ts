/**
 * The generator's public API: pure functions from source texts to a model and
 * from a model to files. No file I/O happens here; a {@link CompilerHost}
 * supplies imported files that were not passed in, and the CLI writes output.
 */
import type { NidlFile } from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";
import type { Model, TargetName } from "./model.js";
import type { EmitOptions, EmitResult } from "./emit/types.js";
import { parseNidl } from "./parser/parse.js";
import { compileSources } from "./resolve/compile.js";
import { generateTargets } from "./emit/generate.js";

/** Re-exported contract types: the AST root, the model, diagnostics and the emitter contract. */
export type { NidlFile } from "./ast.js";
export type { Model, TargetName } from "./model.js";
export type { Diagnostic } from "./diagnostics.js";
export type { EmitOptions, EmitResult, GeneratedFile, Emitter } from "./emit/types.js";
export { DEFAULT_RUNTIME_IMPORT, DEFAULT_WAYLAND_RUNTIME_IMPORT } from "./emit/types.js";
/** Rendering and inspecting diagnostics (what `nova-gen` prints). */
export { hasErrors, renderHuman, renderCompact, renderJson, type SourceLookup } from "./diagnostics.js";
/** `nova-gen import`: real D-Bus and Wayland XML to NIDL texts. */
export { importDbus } from "./import/dbus.js";
export { importWayland } from "./import/wayland.js";
export type { XmlSource, ImportedNidl, ImportResult } from "./import/import-result.js";
/** `nova-gen compat`: the breaking changes between two versions (NIDL or XML). */
export { checkCompat, type CompatResult } from "./compat/index.js";
/** `nova-gen fmt`: the canonical text of a `.nidl` file. */
export { formatNidl, type FormatResult } from "./format/index.js";

/** One input: a path (relative, forward slashes; used in spans and preambles) and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** Reads imported files that were not among the inputs. */
export interface CompilerHost {
  /** The text of `path` (already joined and normalised, forward slashes), or undefined if it does not exist. */
  readFile(path: string): string | undefined;
}

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Without a host, every imported file must be among the sources. */
  host?: CompilerHost;
}

/** What {@link compile} returns. The model is complete only when there are no errors. */
export interface CompileResult {
  model: Model;
  /** The parsed files (inputs and imported ones), sorted by path. */
  files: NidlFile[];
  /** Sorted by file and offset. */
  diagnostics: Diagnostic[];
  /** The texts of every file read (inputs and imports), for rendering diagnostics. */
  sources: Map<string, string>;
}

/** Parses one file: an AST (partial where there were errors) and syntax diagnostics. Never throws. */
export function parse(source: SourceFile): { file: NidlFile; diagnostics: Diagnostic[] } {
  return parseNidl(source.text, source.path);
}

/** Parses, resolves and checks a program. Never throws on bad input. */
export function compile(sources: readonly SourceFile[], options: CompileOptions = {}): CompileResult {
  return compileSources(sources, options);
}

/** Runs the emitters of `targets` over a model (only call with an error-free model). */
export function generate(model: Model, targets: readonly TargetName[], options: EmitOptions): Promise<EmitResult> {
  return generateTargets(model, targets, options);
}
