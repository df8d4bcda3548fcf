/**
 * A depth limit checked on the token stream before parsing: the parser and
 * the resolver are recursive, so pathological nesting (`list<list<…>>` a
 * thousand deep, `((((…))))`, `- - - - 1`) must become a diagnostic instead
 * of a stack overflow. Real interfaces nest a handful of levels; D-Bus itself
 * stops at 32 per container kind.
 */
import type { IToken } from "chevrotain";

/** Deepest nesting accepted. */
export const MAX_NESTING = 100;

/** The first token that goes past {@link MAX_NESTING}, if any. */
export function findExcessiveNesting(tokens: readonly IToken[]): IToken | undefined {
  let parens = 0;
  let angles = 0;
  let braces = 0;
  let unary = 0;
  for (const t of tokens) {
    const name = t.tokenType.name;
    if (name === "LParen") parens++;
    else if (name === "RParen") parens = Math.max(0, parens - 1);
    else if (name === "Lt") angles++;
    else if (name === "Gt") angles = Math.max(0, angles - 1);
    else if (name === "LBrace") braces++;
    else if (name === "RBrace") braces = Math.max(0, braces - 1);
    unary = name === "Minus" || name === "Tilde" ? unary + 1 : 0;
    if (parens > MAX_NESTING || angles > MAX_NESTING || braces > MAX_NESTING || unary > MAX_NESTING) return t;
  }
  return undefined;
}
