/**
 * Parser error messages in the compiler's voice ("expected ";" but found
 * "}"), instead of chevrotain's defaults. Token labels come from `tokens.ts`.
 */
import type { IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";

function label(t: TokenType): string {
  return t.LABEL ?? t.name;
}

function found(token: IToken): string {
  if (token.tokenType.name === "EOF") return "the end of the file";
  const text = token.image.length > 24 ? token.image.slice(0, 24) + "…" : token.image;
  return JSON.stringify(text);
}

function firstTokens(paths: TokenType[][][]): string {
  const seen = new Set<string>();
  for (const alt of paths) for (const path of alt) if (path.length > 0) seen.add(label(path[0]));
  const list = [...seen].sort();
  if (list.length === 0) return "something else";
  if (list.length <= 6) return list.join(", ");
  return list.slice(0, 6).join(", ") + ", …";
}

const RULE_NOUNS: Record<string, string> = {
  topItem: "a declaration (package, import, interface, struct, enum, flags, error, typedef, const)",
  member: "a member (method, request, signal, event, property or a nested type)",
  nestedDecl: "a declaration",
  type: "a type",
  primaryExpr: "a value",
  unaryExpr: "a value",
  param: "a parameter",
};

/** The message provider given to the parser. */
export const nidlErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${label(expected)} but found ${found(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${found(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const what = RULE_NOUNS[ruleName] ?? firstTokens(expectedPathsPerAlt);
    return `expected ${what} but found ${found(actual[0])}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const what = RULE_NOUNS[ruleName] ?? firstTokens([expectedIterationPaths]);
    return `expected ${what} but found ${found(actual[0])}`;
  },
};
