/**
 * Evaluates constant expressions (enum values, constants, annotation
 * arguments). Integers are bigint; names resolve through a callback so the
 * same evaluator serves enum entries (earlier entries) and constants.
 */
import type { Expr, Span } from "../ast.js";
import type { ConstValue } from "../model.js";

/** Result of an evaluation: a value, or a message and where. */
export type EvalResult = { ok: true; value: ConstValue } | { ok: false; message: string; span: Span };

/** Resolves a dotted name inside an expression. */
export type NameLookup = (name: string, span: Span) => EvalResult | undefined;

function fail(message: string, span: Span): EvalResult {
  return { ok: false, message, span };
}

/** Evaluates `expr`; a name that `lookup` does not know is an error. */
export function evaluate(expr: Expr, lookup: NameLookup): EvalResult {
  switch (expr.kind) {
    case "IntegerLiteral":
      return { ok: true, value: { kind: "integer", value: expr.value } };
    case "FloatLiteral":
      return { ok: true, value: { kind: "float", value: expr.value } };
    case "StringLiteral":
      return { ok: true, value: { kind: "string", value: expr.value } };
    case "BoolLiteral":
      return { ok: true, value: { kind: "bool", value: expr.value } };
    case "ParenExpr":
      return evaluate(expr.inner, lookup);
    case "NameExpr":
      return lookup(expr.name.text, expr.span) ?? fail(`unknown name "${expr.name.text}" in constant expression`, expr.span);
    case "UnaryExpr": {
      const v = evaluate(expr.operand, lookup);
      if (!v.ok) return v;
      if (v.value.kind === "integer") {
        return { ok: true, value: { kind: "integer", value: expr.op === "-" ? -v.value.value : ~v.value.value } };
      }
      if (v.value.kind === "float" && expr.op === "-") return { ok: true, value: { kind: "float", value: -v.value.value } };
      return fail(`operator "${expr.op}" needs a number`, expr.span);
    }
    case "BinaryExpr": {
      const l = evaluate(expr.left, lookup);
      if (!l.ok) return l;
      const r = evaluate(expr.right, lookup);
      if (!r.ok) return r;
      if (l.value.kind !== "integer" || r.value.kind !== "integer") {
        return fail(`operator "${expr.op}" needs integers`, expr.span);
      }
      const a = l.value.value;
      const b = r.value.value;
      if ((expr.op === "<<" || expr.op === ">>") && (b < 0n || b > 64n)) return fail("shift count must be between 0 and 64", expr.right.span);
      const value =
        expr.op === "|" ? a | b
        : expr.op === "&" ? a & b
        : expr.op === "<<" ? a << b
        : expr.op === ">>" ? a >> b
        : expr.op === "+" ? a + b
        : expr.op === "-" ? a - b
        : a * b;
      return { ok: true, value: { kind: "integer", value } };
    }
  }
}

/** Inclusive ranges of the integer types. */
export const INTEGER_RANGES: Record<string, readonly [bigint, bigint]> = {
  i8: [-(1n << 7n), (1n << 7n) - 1n],
  i16: [-(1n << 15n), (1n << 15n) - 1n],
  i32: [-(1n << 31n), (1n << 31n) - 1n],
  i64: [-(1n << 63n), (1n << 63n) - 1n],
  u8: [0n, (1n << 8n) - 1n],
  u16: [0n, (1n << 16n) - 1n],
  u32: [0n, (1n << 32n) - 1n],
  u64: [0n, (1n << 64n) - 1n],
};

/** The source-like text of an expression (for `valueText`: what the author wrote, normalised). */
export function exprText(expr: Expr): string {
  switch (expr.kind) {
    case "IntegerLiteral":
    case "FloatLiteral":
      return expr.raw;
    case "StringLiteral":
      return JSON.stringify(expr.value);
    case "BoolLiteral":
      return String(expr.value);
    case "NameExpr":
      return expr.name.text;
    case "ParenExpr":
      return `(${exprText(expr.inner)})`;
    case "UnaryExpr":
      return `${expr.op}${exprText(expr.operand)}`;
    case "BinaryExpr":
      return `${exprText(expr.left)} ${expr.op} ${exprText(expr.right)}`;
  }
}
