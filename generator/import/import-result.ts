/**
 * What the importers return, and helpers shared by both: turning reader problems into diagnostics and
 * choosing output file names.
 */
import type { NidlFile, Span } from "../ast.js";
import { createDiagnostic, type Diagnostic, type DiagnosticCode } from "../diagnostics.js";
import type { XmlProblem } from "./xml-tree.js";

/** One XML input: a path (used in diagnostics) and its text. */
export interface XmlSource {
  readonly path: string;
  readonly text: string;
}

/** One imported file: the `.nidl` path (relative to the output directory), its AST and canonical text. */
export interface ImportedNidl {
  readonly path: string;
  /** The XML file it came from. */
  readonly source: string;
  readonly ast: NidlFile;
  readonly text: string;
  /**
   * Where each declaration came from in the XML, keyed by its dotted path (`iface`, `iface.member`,
   * `iface.member.arg`, `iface.enum`, `iface.enum.entry`): compat points at the XML through it.
   */
  readonly origins: ReadonlyMap<string, Span>;
}

/** Result of an import: files that imported (possibly with warnings) and every diagnostic. */
export interface ImportResult {
  readonly files: readonly ImportedNidl[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Reader problems as diagnostics in `file` (whose text makes the spans cover whole start tags). */
export function problemDiagnostics(file: string, problems: readonly XmlProblem[], text?: string): Diagnostic[] {
  return problems.map((p) => {
    const code: DiagnosticCode = p.message.startsWith("malformed XML") ? "NIDL4001" : p.severity === "warning" ? "NIDL4003" : "NIDL4002";
    return createDiagnostic(code, p.severity, p.message, code === "NIDL4001" ? { file, start: p.offset, end: p.offset + 1 } : xmlSpan(file, p.offset, text));
  });
}

/** The span of the start tag at `offset` (`<arg … />`), or one character when the text is not given. */
export function xmlSpan(file: string, offset: number, text?: string): Span {
  const close = text === undefined ? -1 : text.indexOf(">", offset);
  const nl = text === undefined ? -1 : text.indexOf("\n", offset);
  // Renderers underline one line: stop at the line end for start tags that span lines.
  const end = close < 0 ? offset + 1 : nl >= 0 && nl < close ? nl : close + 1;
  return { file, start: offset, end };
}

/** `dir/name.xml` → `name.nidl`, made unique among `taken`. */
export function outputName(xmlPath: string, taken: Set<string>): string {
  const base = (xmlPath.split("/").pop() ?? "imported").replace(/\.xml$/i, "");
  let name = `${base}.nidl`;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}.nidl`;
  taken.add(name);
  return name;
}
