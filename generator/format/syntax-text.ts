/**
 * How types, expressions, annotations and parameters are spelled in canonical NIDL (one line each).
 * The printer lays these strings out; the importers' tests use them to show types.
 */
import type { Annotation, AnnotationArg, Expr, ParamDecl, QualifiedName, TypeNode } from "../ast.js";
import { spellName } from "./names.js";

/** A dotted name, each part quoted when needed. */
export function qname(q: QualifiedName): string {
  return q.parts.map((p) => spellName(p.name)).join(".");
}

/** A type expression in canonical spelling. */
export function typeText(t: TypeNode): string {
  switch (t.kind) {
    case "NamedType":
      return t.args.length === 0 ? qname(t.name) : `${qname(t.name)}<${t.args.map(typeText).join(", ")}>`;
    case "TupleType":
      return `(${t.elements.map(typeText).join(", ")})`;
    case "OptionalType":
      return `${typeText(t.inner)}?`;
  }
}

/** A constant expression as written (literals keep their spelling: `0x10` stays hex). */
export function expr(e: Expr): string {
  switch (e.kind) {
    case "IntegerLiteral":
    case "FloatLiteral":
    case "StringLiteral":
      return e.raw;
    case "BoolLiteral":
      return e.value ? "true" : "false";
    case "NameExpr":
      return qname(e.name);
    case "UnaryExpr":
      return `${e.op}${expr(e.operand)}`;
    case "BinaryExpr":
      return `${expr(e.left)} ${e.op} ${expr(e.right)}`;
    case "ParenExpr":
      return `(${expr(e.inner)})`;
  }
}

function annotationArg(a: AnnotationArg): string {
  return a.name ? `${spellName(a.name.name)} = ${expr(a.value)}` : expr(a.value);
}

/** `@name` or `@name(args)`. */
export function annotation(a: Annotation): string {
  return a.args === undefined ? `@${qname(a.name)}` : `@${qname(a.name)}(${a.args.map(annotationArg).join(", ")})`;
}

/** True when an annotation has a string argument (such annotations get a line of their own). */
export function hasString(a: Annotation): boolean {
  const walk = (e: Expr): boolean =>
    e.kind === "StringLiteral" || (e.kind === "UnaryExpr" && walk(e.operand)) || (e.kind === "BinaryExpr" && (walk(e.left) || walk(e.right))) || (e.kind === "ParenExpr" && walk(e.inner));
  return (a.args ?? []).some((x) => walk(x.value));
}

/** A parameter on one line: inline annotations, name, type (docs are the printer's business). */
export function paramText(p: ParamDecl): string {
  const ann = p.annotations.map((a) => `${annotation(a)} `).join("");
  return p.name === undefined ? `${ann}${typeText(p.type)}` : `${ann}${spellName(p.name.name)}: ${typeText(p.type)}`;
}
