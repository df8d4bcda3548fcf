/**
 * What a name given by hand for TypeScript (`@ts.name("...")`) must be: a
 * plain identifier that is not a reserved word. Generated code prints it as
 * a method name and derives other names from it (`onX`, `getXProperty`), so
 * a keyword (valid as a member name but not as the start of every derived
 * binding), `constructor` (special in a class) or `__proto__` is refused
 * rather than silently renamed.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Words that cannot be a binding name in strict-mode ECMAScript modules. */
export const ECMASCRIPT_RESERVED_WORDS: readonly string[] = [
  "arguments", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
  "delete", "do", "else", "enum", "eval", "export", "extends", "false", "finally", "for", "function",
  "if", "implements", "import", "in", "instanceof", "interface", "let", "new", "null", "package",
  "private", "protected", "public", "return", "static", "super", "switch", "this", "throw", "true",
  "try", "typeof", "var", "void", "while", "with", "yield",
];

/** The reserved words, plus names special as class members. */
const RESERVED: ReadonlySet<string> = new Set([...ECMASCRIPT_RESERVED_WORDS, "constructor", "__proto__"]);

/** Why `name` cannot be used as a TypeScript member name, or undefined when it can. */
export function tsIdentifierProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) return `"${name}" is not a TypeScript identifier (letters, digits, _ and $, not starting with a digit)`;
  if (RESERVED.has(name)) return `"${name}" is a reserved word in TypeScript`;
  return undefined;
}
