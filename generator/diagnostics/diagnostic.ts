/**
 * The diagnostic value every stage returns instead of throwing. Spans are
 * offsets; line/column exist only at rendering time (see `line-index.ts`).
 */
import type { Span } from "../ast.js";
import type { DiagnosticCode } from "./codes.js";

/** How bad it is: errors make `check`/`generate` exit 1, warnings do not. */
export type Severity = "error" | "warning" | "note";

/** A secondary location with a message ("first declared here"). */
export interface DiagnosticNote {
  readonly message: string;
  /** Absent for a note that is not about a place. */
  readonly span: Span | undefined;
}

/** One finding of the compiler. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Absent only for findings about no file at all (e.g. an empty input list). */
  readonly span: Span | undefined;
  readonly notes: readonly DiagnosticNote[];
}

/** Builds a diagnostic; `notes` default to none. */
export function createDiagnostic(
  code: DiagnosticCode,
  severity: Severity,
  message: string,
  span: Span | undefined,
  notes: readonly DiagnosticNote[] = [],
): Diagnostic {
  return { code, severity, message, span, notes };
}

/** Shorthand for an error diagnostic. */
export function error(code: DiagnosticCode, message: string, span: Span | undefined, notes: readonly DiagnosticNote[] = []): Diagnostic {
  return createDiagnostic(code, "error", message, span, notes);
}

/** Shorthand for a warning diagnostic. */
export function warning(code: DiagnosticCode, message: string, span: Span | undefined, notes: readonly DiagnosticNote[] = []): Diagnostic {
  return createDiagnostic(code, "warning", message, span, notes);
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/**
 * Sorts diagnostics by file, then offset, then code, so output never depends on
 * the order in which checks happened to run. Stable for equal keys.
 */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.span?.file ?? "";
    const fb = b.span?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    const sa = a.span?.start ?? -1;
    const sb = b.span?.start ?? -1;
    if (sa !== sb) return sa - sb;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
