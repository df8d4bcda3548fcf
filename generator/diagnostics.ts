/**
 * Diagnostics: the value type, the code catalogue and the three renderers.
 * Import from here; the pieces live in `diagnostics/`.
 */
export type { Diagnostic, DiagnosticNote, Severity } from "./diagnostics/diagnostic.js";
export { createDiagnostic, error, warning, hasErrors, sortDiagnostics } from "./diagnostics/diagnostic.js";
export { DIAGNOSTIC_CODES, describeCode, type DiagnosticCode } from "./diagnostics/codes.js";
export { renderCompact, renderHuman, renderJson, type SourceLookup, type JsonDiagnostic } from "./diagnostics/render.js";
export { createLineIndex, type LineIndex } from "./diagnostics/line-index.js";
