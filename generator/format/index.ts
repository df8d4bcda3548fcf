/**
 * `nova-gen fmt` core: parse a file and print it canonically. A file with syntax errors is not
 * formatted (its diagnostics are returned instead), so the formatter never loses text.
 */
import { hasErrors, type Diagnostic } from "../diagnostics.js";
import { parseNidl } from "../parser/parse.js";
import { printNidl } from "./printer.js";

export { printNidl, type PrintOptions } from "./printer.js";

/** Result of {@link formatNidl}: the canonical text (undefined on syntax errors) and the diagnostics. */
export interface FormatResult {
  readonly text: string | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** True when the input already was in canonical form. */
  readonly unchanged: boolean;
}

/** Formats one `.nidl` text. Pure and deterministic; idempotent: formatting the output changes nothing. */
export function formatNidl(text: string, path: string): FormatResult {
  const parsed = parseNidl(text, path);
  if (hasErrors(parsed.diagnostics)) return { text: undefined, diagnostics: parsed.diagnostics, unchanged: false };
  const out = printNidl(parsed.file, { source: text });
  return { text: out, diagnostics: parsed.diagnostics, unchanged: out === text };
}
