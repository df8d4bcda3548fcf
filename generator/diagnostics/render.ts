/**
 * Renderers: `human` (compiler style with code frames), `compact` (one line per
 * diagnostic and note, for baselines) and `json` (for editors and tools).
 * They need the source texts to turn offsets into line:col; a missing text
 * degrades to offsets-free `file:` locations instead of failing.
 */
import type { Span } from "../ast.js";
import type { Diagnostic } from "./diagnostic.js";
import { describeCode } from "./codes.js";
import { createLineIndex, type LineIndex } from "./line-index.js";

/** Gives the text of a source file by the name used in spans. */
export type SourceLookup = (file: string) => string | undefined;

/** Caches line indexes per file for one rendering pass. */
function indexer(lookup: SourceLookup): (file: string) => LineIndex | undefined {
  const cache = new Map<string, LineIndex | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      const text = lookup(file);
      cache.set(file, text === undefined ? undefined : createLineIndex(text));
    }
    return cache.get(file);
  };
}

function location(span: Span | undefined, index: (file: string) => LineIndex | undefined): string {
  if (span === undefined) return "nova-gen";
  const li = index(span.file);
  if (li === undefined) return span.file;
  const { line, column } = li.position(span.start);
  return `${span.file}:${line}:${column}`;
}

/** `file:line:col: severity[CODE]: message` then `  note: file:line:col: message` lines. */
export function renderCompact(diagnostics: readonly Diagnostic[], lookup: SourceLookup): string {
  const index = indexer(lookup);
  const out: string[] = [];
  for (const d of diagnostics) {
    out.push(`${location(d.span, index)}: ${d.severity}[${d.code}]: ${d.message}`);
    for (const n of d.notes) out.push(`  ${location(n.span, index)}: note: ${n.message}`);
  }
  return out.length === 0 ? "" : out.join("\n") + "\n";
}

function codeFrame(span: Span, index: (file: string) => LineIndex | undefined): string[] {
  const li = index(span.file);
  if (li === undefined) return [];
  const start = li.position(span.start);
  const end = li.position(Math.max(span.start, span.end));
  const text = li.lineText(start.line);
  const width = String(start.line).length;
  const lastCol = end.line === start.line ? end.column : text.length + 1;
  const carets = "^".repeat(Math.max(1, lastCol - start.column));
  const pad = " ".repeat(width);
  return [
    `  ${String(start.line)} │ ${text}`,
    `  ${pad} │ ${" ".repeat(start.column - 1)}${carets}`,
  ];
}

/** The human form: location line, code frame, notes (each with its own frame). */
export function renderHuman(diagnostics: readonly Diagnostic[], lookup: SourceLookup): string {
  const index = indexer(lookup);
  const out: string[] = [];
  for (const d of diagnostics) {
    out.push(`${location(d.span, index)}: ${d.severity}[${d.code}]: ${d.message}`);
    if (d.span !== undefined) out.push(...codeFrame(d.span, index));
    for (const n of d.notes) {
      out.push(`${location(n.span, index)}: note: ${n.message}`);
      if (n.span !== undefined) out.push(...codeFrame(n.span, index));
    }
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
  if (errors + warnings > 0) {
    out.push(`${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`);
  }
  return out.length === 0 ? "" : out.join("\n") + "\n";
}

/** One diagnostic as JSON data (line/column 1-based; offsets too, for tools that want them). */
export interface JsonDiagnostic {
  code: string;
  title: string;
  severity: string;
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  start: number | null;
  end: number | null;
  notes: { message: string; file: string | null; line: number | null; column: number | null }[];
}

function jsonPlace(span: Span | undefined, index: (file: string) => LineIndex | undefined) {
  if (span === undefined) return { file: null, line: null, column: null, endLine: null, endColumn: null };
  const li = index(span.file);
  if (li === undefined) return { file: span.file, line: null, column: null, endLine: null, endColumn: null };
  const s = li.position(span.start);
  const e = li.position(span.end);
  return { file: span.file, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

/** `{ "diagnostics": [...] }` pretty-printed, stable key order. */
export function renderJson(diagnostics: readonly Diagnostic[], lookup: SourceLookup): string {
  const index = indexer(lookup);
  const list: JsonDiagnostic[] = diagnostics.map((d) => {
    const p = jsonPlace(d.span, index);
    return {
      code: d.code,
      title: describeCode(d.code),
      severity: d.severity,
      message: d.message,
      ...p,
      start: d.span?.start ?? null,
      end: d.span?.end ?? null,
      notes: d.notes.map((n) => {
        const q = jsonPlace(n.span, index);
        return { message: n.message, file: q.file, line: q.line, column: q.column };
      }),
    };
  });
  return JSON.stringify({ diagnostics: list }, null, 2) + "\n";
}
