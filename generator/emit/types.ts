/**
 * The emitter contract: one pure async function, resolved model in, files
 * out (protobuf-es style). Emitters never read or write files, never
 * re-resolve names and never re-run checks; the CLI writes what they return.
 */
import type { Model, TargetName } from "../model.js";
import type { Diagnostic } from "../diagnostics.js";

/** One output file. */
export interface GeneratedFile {
  /** Relative to the output directory, forward slashes, no `..`. */
  path: string;
  /** The full content, starting with the `@generated` preamble; ends with a newline. */
  content: string;
}

/** Options every emitter receives. */
export interface EmitOptions {
  /**
   * The module specifier generated TypeScript imports the runtime from.
   * Default {@link DEFAULT_RUNTIME_IMPORT}; in-repo tests and examples pass a
   * relative path to `runtime/generated.js` (or a folder barrel that re-exports it).
   */
  runtimeImport: string;
  /**
   * The module specifier the Wayland bindings (`wayland-ts`) import the Wayland runtime from, relative to
   * the generated `wayland/<protocol>.ts`; default {@link DEFAULT_WAYLAND_RUNTIME_IMPORT}. Separate from
   * {@link runtimeImport} because one run may emit both targets, and the RPC runtime of the `ts` target
   * does not contain (and should not load) the Wayland one.
   */
  waylandRuntimeImport?: string;
  /**
   * Names the inputs in the `@generated` preamble: the source file(s) of a
   * package, relative, forward slashes, never absolute. Emitters use the
   * package's own `files` when this is undefined.
   */
  sourceName?: string;
  /** The nova-gen version printed in preambles (no timestamps). */
  generatorVersion?: string;
  /**
   * Write Wayland `deprecated-since` attributes. Off by default because
   * wayland-scanner before 1.22 (Debian 12 ships 1.21) rejects them under `-s`;
   * when off, the deprecation is stated in the element's description instead.
   */
  waylandDeprecatedSince?: boolean;
}

/** What an emitter returns: files, plus any diagnostics (an emitter error means its files must not be written). */
export interface EmitResult {
  files: GeneratedFile[];
  diagnostics: Diagnostic[];
}

/** An emitter. */
export type Emitter = (model: Model, options: EmitOptions) => Promise<EmitResult>;

/** The runtime module generated code imports by default: the package entry reserved for generated code. */
export const DEFAULT_RUNTIME_IMPORT = "novade-ipc/runtime/generated";

/** The module the Wayland bindings import by default: the package entry of runtime/wayland/bindings-support.ts. */
export const DEFAULT_WAYLAND_RUNTIME_IMPORT = "novade-ipc/runtime/wayland-bindings";

/** A registered emitter with the target it implements. */
export interface EmitterEntry {
  target: TargetName;
  emit: Emitter;
}
