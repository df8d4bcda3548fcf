/**
 * With `cst-to-ast-decls.ts`, the one place that reads chevrotain CST: this
 * file converts names, literals, expressions, types and annotations; the other
 * converts declarations. It is defensive throughout, because error recovery leaves nodes
 * with missing children; an incomplete construct is dropped (its syntax error
 * was already reported) rather than guessed at.
 */
import type { CstNode, IToken } from "chevrotain";
import type * as A from "../ast.js";
import { error, type Diagnostic } from "../diagnostics.js";
import { allTokens, node, nodes, nodeEnd, nodeStart, tok, toks } from "./cst-access.js";
import { decodeInteger, decodeString, decodeTripleString } from "./literals.js";
import type { DocAttacher } from "./doc-comments.js";

/** State shared by the conversion of one file. */
export interface ConvertContext {
  readonly file: string;
  readonly text: string;
  readonly docs: DocAttacher;
  /** Parser token index by start offset (for doc attachment). */
  readonly tokenIndex: ReadonlyMap<number, number>;
  readonly diagnostics: Diagnostic[];
}

type Ctx = ConvertContext;

function span(ctx: Ctx, start: number, end: number): A.Span {
  return { file: ctx.file, start, end: Math.max(start, end) };
}

function tokSpan(ctx: Ctx, t: IToken): A.Span {
  return span(ctx, t.startOffset, t.startOffset + t.image.length);
}

/** Span of a CST node from its real tokens (recovery-safe). */
function cstSpan(ctx: Ctx, n: CstNode | undefined): A.Span | undefined {
  const s = nodeStart(n);
  const e = nodeEnd(n);
  if (s !== undefined && e !== undefined) return span(ctx, s, e);
  const ts = allTokens(n);
  if (ts.length === 0) return undefined;
  const last = ts[ts.length - 1];
  return span(ctx, ts[0].startOffset, last.startOffset + last.image.length);
}

function ident(ctx: Ctx, t: IToken | undefined): A.Ident | undefined {
  if (t === undefined) return undefined;
  const quoted = t.image.startsWith("`");
  if (t.tokenType.name === "UnterminatedQuotedIdent") {
    ctx.diagnostics.push(error("NIDL1002", "quoted identifier is missing its closing back-quote", tokSpan(ctx, t)));
  }
  const name = quoted ? t.image.replace(/^`/, "").replace(/`$/, "") : t.image;
  return { kind: "Ident", name, quoted, span: tokSpan(ctx, t) };
}

function qualifiedName(ctx: Ctx, n: CstNode | undefined): A.QualifiedName | undefined {
  const parts = toks(n, "Name").map((t) => ident(ctx, t)!);
  if (parts.length === 0) return undefined;
  const first = parts[0].span;
  const last = parts[parts.length - 1].span;
  return { kind: "QualifiedName", parts, text: parts.map((p) => p.name).join("."), span: span(ctx, first.start, last.end) };
}

// ---------------------------------------------------------------- literals and expressions

function stringLiteral(ctx: Ctx, t: IToken): A.StringLiteral {
  const s = tokSpan(ctx, t);
  if (t.tokenType.name === "TripleString") {
    return { kind: "StringLiteral", value: decodeTripleString(t.image), raw: t.image, triple: true, span: s };
  }
  if (t.tokenType.name === "UnterminatedString") {
    ctx.diagnostics.push(error("NIDL1002", "string is missing its closing quote", s));
  }
  const d = decodeString(t.image);
  if (!d.ok) {
    ctx.diagnostics.push(error("NIDL1006", d.message, span(ctx, t.startOffset + d.offset, t.startOffset + d.offset + d.length)));
    return { kind: "StringLiteral", value: t.image.slice(1, -1), raw: t.image, triple: false, span: s };
  }
  return { kind: "StringLiteral", value: d.value, raw: t.image, triple: false, span: s };
}

function integerLiteral(ctx: Ctx, t: IToken): A.IntegerLiteral {
  const d = decodeInteger(t.image);
  if (!d.ok) ctx.diagnostics.push(error("NIDL1005", d.message, tokSpan(ctx, t)));
  return { kind: "IntegerLiteral", value: d.ok ? d.value : 0n, raw: t.image, span: tokSpan(ctx, t) };
}

function primary(ctx: Ctx, n: CstNode): A.Expr | undefined {
  const i = tok(n, "IntegerLiteral");
  if (i) return integerLiteral(ctx, i);
  const f = tok(n, "FloatLiteral");
  if (f) return { kind: "FloatLiteral", value: Number(f.image.replace(/_/g, "")), raw: f.image, span: tokSpan(ctx, f) };
  const s = tok(n, "StringTok");
  if (s) return stringLiteral(ctx, s);
  const q = qualifiedName(ctx, node(n, "qualifiedName"));
  if (q) {
    if (q.parts.length === 1 && !q.parts[0].quoted && (q.text === "true" || q.text === "false")) {
      return { kind: "BoolLiteral", value: q.text === "true", span: q.span };
    }
    return { kind: "NameExpr", name: q, span: q.span };
  }
  const inner = expr(ctx, node(n, "expr"));
  const sp = cstSpan(ctx, n);
  return inner && sp ? { kind: "ParenExpr", inner, span: sp } : undefined;
}

function unary(ctx: Ctx, n: CstNode | undefined): A.Expr | undefined {
  if (n === undefined) return undefined;
  const p = node(n, "primaryExpr");
  if (p) return primary(ctx, p);
  const opTok = tok(n, "Minus") ?? tok(n, "Tilde");
  const operand = unary(ctx, node(n, "unaryExpr"));
  if (!opTok || !operand) return operand;
  return { kind: "UnaryExpr", op: opTok.image === "-" ? "-" : "~", operand, span: span(ctx, opTok.startOffset, operand.span.end) };
}

/** Folds `operand (op operand)*` left-associatively, operators ordered by offset. */
function fold(
  ctx: Ctx,
  operands: (A.Expr | undefined)[],
  ops: { op: A.BinaryExpr["op"]; at: number }[],
): A.Expr | undefined {
  const sortedOps = [...ops].sort((a, b) => a.at - b.at);
  let acc = operands[0];
  for (let i = 1; i < operands.length; i++) {
    const right = operands[i];
    const op = sortedOps[i - 1];
    if (!acc || !right || !op) return acc ?? right;
    acc = { kind: "BinaryExpr", op: op.op, left: acc, right, span: span(ctx, acc.span.start, right.span.end) };
  }
  return acc;
}

function mulExpr(ctx: Ctx, n: CstNode): A.Expr | undefined {
  const ops = toks(n, "Star").map((t) => ({ op: "*" as const, at: t.startOffset }));
  return fold(ctx, nodes(n, "unaryExpr").map((u) => unary(ctx, u)), ops);
}

function addExpr(ctx: Ctx, n: CstNode): A.Expr | undefined {
  const ops = [
    ...toks(n, "Plus").map((t) => ({ op: "+" as const, at: t.startOffset })),
    ...toks(n, "Minus").map((t) => ({ op: "-" as const, at: t.startOffset })),
  ];
  return fold(ctx, nodes(n, "mulExpr").map((m) => mulExpr(ctx, m)), ops);
}

function shiftExpr(ctx: Ctx, n: CstNode): A.Expr | undefined {
  const ops = nodes(n, "shiftOp").map((o) => ({
    op: tok(o, "Lt") !== undefined ? ("<<" as const) : (">>" as const),
    at: nodeStart(o) ?? allTokens(o)[0]?.startOffset ?? 0,
  }));
  return fold(ctx, nodes(n, "addExpr").map((a) => addExpr(ctx, a)), ops);
}

function andExpr(ctx: Ctx, n: CstNode): A.Expr | undefined {
  const ops = toks(n, "Amp").map((t) => ({ op: "&" as const, at: t.startOffset }));
  return fold(ctx, nodes(n, "shiftExpr").map((s) => shiftExpr(ctx, s)), ops);
}

/** Converts an `expr` node. */
export function expr(ctx: Ctx, n: CstNode | undefined): A.Expr | undefined {
  if (n === undefined) return undefined;
  const ops = toks(n, "Pipe").map((t) => ({ op: "|" as const, at: t.startOffset }));
  return fold(ctx, nodes(n, "andExpr").map((a) => andExpr(ctx, a)), ops);
}

// ---------------------------------------------------------------- types

function namedType(ctx: Ctx, n: CstNode | undefined): A.NamedType | undefined {
  const name = qualifiedName(ctx, node(n, "qualifiedName"));
  const sp = cstSpan(ctx, n);
  if (!name || !sp) return undefined;
  const args = nodes(n, "type").map((t) => type(ctx, t));
  if (args.some((a) => a === undefined)) return undefined;
  return { kind: "NamedType", name, args: args as A.TypeNode[], span: sp };
}

function withOptionals(ctx: Ctx, base: A.TypeNode, questions: IToken[]): A.TypeNode {
  let t = base;
  for (const q of [...questions].sort((a, b) => a.startOffset - b.startOffset)) {
    t = { kind: "OptionalType", inner: t, span: span(ctx, base.span.start, q.startOffset + 1) };
  }
  return t;
}

/** Converts a `type` node. */
export function type(ctx: Ctx, n: CstNode | undefined): A.TypeNode | undefined {
  if (n === undefined) return undefined;
  let base: A.TypeNode | undefined;
  const tuple = node(n, "tupleType");
  if (tuple) {
    const elements = nodes(tuple, "type").map((t) => type(ctx, t));
    const sp = cstSpan(ctx, tuple);
    if (elements.some((e) => e === undefined) || !sp) return undefined;
    base = { kind: "TupleType", elements: elements as A.TypeNode[], span: sp };
  } else {
    base = namedType(ctx, node(n, "namedType"));
  }
  return base ? withOptionals(ctx, base, toks(n, "Question")) : undefined;
}

/** Converts the `-> Type` form of a result. */
export function bareResultType(ctx: Ctx, n: CstNode): A.TypeNode | undefined {
  const base = namedType(ctx, node(n, "namedType"));
  return base ? withOptionals(ctx, base, toks(n, "Question")) : undefined;
}

// ---------------------------------------------------------------- annotations and docs

function annotation(ctx: Ctx, n: CstNode): A.Annotation | undefined {
  const name = qualifiedName(ctx, node(n, "qualifiedName"));
  const sp = cstSpan(ctx, n);
  if (!name || !sp) return undefined;
  const hasParens = tok(n, "LParen") !== undefined;
  const args: A.AnnotationArg[] = [];
  for (const a of nodes(n, "annotationArg")) {
    const value = expr(ctx, node(a, "expr"));
    const asp = cstSpan(ctx, a);
    if (!value || !asp) continue;
    args.push({ kind: "AnnotationArg", name: ident(ctx, tok(a, "Name")), value, span: asp });
  }
  return { kind: "Annotation", name, args: hasParens ? args : undefined, span: sp };
}

/** Annotations under an `annotations` node. */
export function annotations(ctx: Ctx, n: CstNode | undefined): A.Annotation[] {
  return nodes(n, "annotation")
    .map((a) => annotation(ctx, a))
    .filter((a): a is A.Annotation => a !== undefined);
}

/** Claims the doc comment of a node whose annotations start at `annotationsNode` and whose keyword (or first token) starts at `keywordStart`. */
export function claimDoc(ctx: Ctx, annotationsNode: CstNode | undefined, keywordStart: number | undefined): A.DocComment | undefined {
  if (keywordStart === undefined) return undefined;
  const kwIndex = ctx.tokenIndex.get(keywordStart);
  if (kwIndex === undefined) return undefined;
  const first = nodeStart(annotationsNode);
  const firstIndex = first !== undefined ? ctx.tokenIndex.get(first) ?? kwIndex : kwIndex;
  return ctx.docs.claim(Math.min(firstIndex, kwIndex), kwIndex);
}

/** The start offset of a decorated node: its first annotation, else its first token. */
export function decoratedStart(annotationsList: readonly A.Annotation[], fallback: number): number {
  return annotationsList.length > 0 ? Math.min(annotationsList[0].span.start, fallback) : fallback;
}

export { ident, qualifiedName, stringLiteral, cstSpan, span, tokSpan };
