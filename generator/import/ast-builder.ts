/**
 * Builds NIDL AST nodes in memory for the importers. Every node gets a zero-width span in the output
 * file; the importers print the AST with the canonical printer and then parse the text, so real spans
 * exist again for everything downstream.
 */
import type {
  Annotation, AnnotationArg, DocComment, Expr, Ident, IntegerLiteral, NamedType, OptionalType, ParamDecl,
  QualifiedName, Span, StringLiteral, TupleType, TypeNode,
} from "../ast.js";
import { quoteString, stringLiteralFor } from "../format/names.js";

/** A factory bound to one output file. */
export interface AstBuilder {
  readonly span: Span;
  /** Names seen that no NIDL identifier can hold (empty, or with a back-quote or line break). */
  readonly unrepresentable: string[];
  ident(name: string): Ident;
  qname(dotted: string | readonly string[]): QualifiedName;
  named(name: string, ...args: TypeNode[]): NamedType;
  tuple(elements: TypeNode[]): TupleType;
  optional(inner: TypeNode): OptionalType;
  str(value: string): StringLiteral;
  /** A triple-quoted literal for long multi-line text when possible. */
  longStr(value: string): StringLiteral;
  int(value: number | bigint, raw?: string): IntegerLiteral;
  nameExpr(dotted: string): Expr;
  annotation(name: string, args?: readonly (Expr | [string, Expr])[]): Annotation;
  doc(lines: readonly string[]): DocComment | undefined;
  param(name: string | undefined, type: TypeNode, doc?: DocComment, annotations?: Annotation[]): ParamDecl;
}

/** True when a back-quoted identifier can hold `name`. */
export function isRepresentableName(name: string): boolean {
  return name.length > 0 && !/[`\n\r]/.test(name);
}

/** Creates a builder whose nodes point at `file`. */
export function createAstBuilder(file: string): AstBuilder {
  const span: Span = { file, start: 0, end: 0 };
  const unrepresentable: string[] = [];
  const ident = (name: string): Ident => {
    if (!isRepresentableName(name)) unrepresentable.push(name);
    return { kind: "Ident", span, name, quoted: !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) };
  };
  const qname = (dotted: string | readonly string[]): QualifiedName => {
    const parts = typeof dotted === "string" ? dotted.split(".") : dotted;
    return { kind: "QualifiedName", span, parts: parts.map(ident), text: parts.join(".") };
  };
  const b: AstBuilder = {
    span,
    unrepresentable,
    ident,
    qname,
    named: (name, ...args) => ({ kind: "NamedType", span, name: qname(name), args }),
    tuple: (elements) => ({ kind: "TupleType", span, elements }),
    optional: (inner) => ({ kind: "OptionalType", span, inner }),
    str: (value) => ({ kind: "StringLiteral", span, value, raw: quoteString(value), triple: false }),
    longStr: (value) => {
      const raw = stringLiteralFor(value);
      return { kind: "StringLiteral", span, value, raw, triple: raw.startsWith('"""') };
    },
    int: (value, raw) => ({ kind: "IntegerLiteral", span, value: BigInt(value), raw: raw ?? String(value) }),
    nameExpr: (dotted) => ({ kind: "NameExpr", span, name: qname(dotted) }),
    annotation: (name, args) => ({
      kind: "Annotation",
      span,
      name: qname(name),
      args: args?.map((a): AnnotationArg => (Array.isArray(a) ? { kind: "AnnotationArg", span, name: ident(a[0]), value: a[1] } : { kind: "AnnotationArg", span, name: undefined, value: a as Expr })),
    }),
    doc: (lines) => (lines.length === 0 ? undefined : { kind: "DocComment", span, lines: [...lines], style: "line" }),
    param: (name, type, doc, annotations = []) => ({ kind: "Param", span, name: name === undefined ? undefined : ident(name), type, doc, annotations }),
  };
  return b;
}

/**
 * Turns an indented XML text block into doc lines: common indentation removed (tabs count as 8 columns),
 * leading/trailing blank lines dropped, trailing spaces trimmed, runs of blank lines kept as one.
 * Text that starts on the opening line (`<!-- Summary.`) has no indentation there, so that line is
 * trimmed and the rest dedented on its own.
 */
export function dedentLines(text: string | undefined): string[] {
  if (text === undefined) return [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.replace(/\t/g, "        ").trimEnd());
  if (lines.length > 1 && lines[0]!.trim().length > 0) {
    const rest = dedentBlock(lines.slice(1));
    if (rest.length === 0) return [lines[0]!.trim()];
    return lines[1] === "" ? [lines[0]!.trim(), "", ...rest] : [lines[0]!.trim(), ...rest];
  }
  return dedentBlock(lines);
}

function dedentBlock(input: readonly string[]): string[] {
  const lines = [...input];
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const indents = lines.filter((l) => l.length > 0).map((l) => l.length - l.trimStart().length);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  const out: string[] = [];
  for (const l of lines.map((x) => x.slice(cut))) {
    if (l === "" && out[out.length - 1] === "") continue;
    out.push(l);
  }
  return out;
}
