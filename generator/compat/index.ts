/**
 * The breaking-change checker: `checkCompat(old, new)` on source texts (NIDL or XML), one diagnostic per
 * breaking change, each pointing at the old and (in a note) the new location.
 */
import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import type { CompilerHost, SourceFile } from "../index.js";
import type { CompatibleChange } from "./change-kinds.js";
import { compareSides } from "./compare.js";
import { loadSide } from "./load.js";

export { compareSides, type Comparison } from "./compare.js";
export { COMPATIBLE_CHANGES, COMPATIBLE_CHANGE_KINDS, type CompatibleChange, type CompatibleChangeKind } from "./change-kinds.js";
export { nidlSide, type CompatSide } from "./compat-side.js";
export { classifyInput, loadSide, type InputKind } from "./load.js";

/** Result of {@link checkCompat}. */
export interface CompatResult {
  /** Breaking changes (errors) and problems reading the inputs. */
  readonly diagnostics: readonly Diagnostic[];
  /** Number of breaking changes found (0 when the inputs could not be read). */
  readonly breaking: number;
  /** The compatible changes found (empty when the inputs could not be read). */
  readonly compatible: readonly CompatibleChange[];
  /** False when either side could not be read (then `breaking` means nothing). */
  readonly loaded: boolean;
  /** Every text involved, keyed by the path used in spans. */
  readonly sources: ReadonlyMap<string, string>;
}

/** Compares two versions. Pure apart from `host` (which reads imported `.nidl` files); never throws on bad input. */
export function checkCompat(oldInputs: readonly SourceFile[], newInputs: readonly SourceFile[], host?: CompilerHost): CompatResult {
  const o = loadSide("old", oldInputs, host);
  const n = loadSide("new", newInputs, host);
  const sources = new Map([...o.sources, ...n.sources]);
  const inputProblems = [...o.diagnostics, ...n.diagnostics];
  if (o.side === undefined || n.side === undefined || hasErrors(inputProblems)) {
    return { diagnostics: sortDiagnostics(inputProblems), breaking: 0, compatible: [], loaded: false, sources };
  }
  // Warnings about the inputs themselves (e.g. hyphenated D-Bus property names) are `check`'s business:
  // once both sides load, the report is the breaking changes only.
  const { breaking, compatible } = compareSides(o.side, n.side);
  return { diagnostics: sortDiagnostics(breaking), breaking: breaking.length, compatible, loaded: true, sources };
}
