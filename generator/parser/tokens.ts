/**
 * NIDL tokens and the chevrotain lexer. Comments and doc comments go to
 * their own token groups (not the parser's stream) so the grammar never has
 * to mention them; the CST → AST converter attaches docs by position and keeps
 * every plain comment for the formatter.
 *
 * Keywords are soft: each has the category {@link Name}, so wherever the
 * grammar expects a name, a keyword is accepted (`method interface(...)`).
 * `>` and `<` are single-character tokens so `map<string, list<u32>>` lexes;
 * shifts are two adjacent tokens, recognised by the parser.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Any name: identifier, quoted identifier or keyword. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA, label: "a name" });

/** Plain identifiers. */
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [Name],
  label: "an identifier",
});

/** `` `any text` ``. */
export const QuotedIdent = createToken({ name: "QuotedIdent", pattern: /`[^`\n\r]*`/, categories: [Name], label: "a quoted identifier" });
/** A back-quoted identifier missing its closing quote (reported as NIDL1002, parsed as a name). */
export const UnterminatedQuotedIdent = createToken({
  name: "UnterminatedQuotedIdent",
  pattern: /`[^`\s:;,(){}<>=]*/,
  categories: [Name],
  label: "a quoted identifier",
});

function keyword(word: string): TokenType {
  return createToken({
    name: `Kw_${word}`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Name],
    label: `"${word}"`,
  });
}

/** The `package` keyword (soft: also a name). */
export const KwPackage = keyword("package");
/** The `import` keyword (soft: also a name). */
export const KwImport = keyword("import");
/** The `interface` keyword (soft: also a name). */
export const KwInterface = keyword("interface");
/** The `method` keyword (soft: also a name). */
export const KwMethod = keyword("method");
/** The `request` keyword (soft: also a name). */
export const KwRequest = keyword("request");
/** The `signal` keyword (soft: also a name). */
export const KwSignal = keyword("signal");
/** The `event` keyword (soft: also a name). */
export const KwEvent = keyword("event");
/** The `property` keyword (soft: also a name). */
export const KwProperty = keyword("property");
/** The `struct` keyword (soft: also a name). */
export const KwStruct = keyword("struct");
/** The `enum` keyword (soft: also a name). */
export const KwEnum = keyword("enum");
/** The `flags` keyword (soft: also a name). */
export const KwFlags = keyword("flags");
/** The `error` keyword (soft: also a name). */
export const KwError = keyword("error");
/** The `typedef` keyword (soft: also a name). */
export const KwTypedef = keyword("typedef");
/** The `const` keyword (soft: also a name). */
export const KwConst = keyword("const");
/** The `throws` keyword (soft: also a name). */
export const KwThrows = keyword("throws");

/** Any string literal (for the parser). */
export const StringTok = createToken({ name: "StringTok", pattern: Lexer.NA, label: "a string" });
/** A raw `"""..."""` string. */
export const TripleString = createToken({ name: "TripleString", pattern: /"""[\s\S]*?"""/, categories: [StringTok], label: "a string" });
/** A `"..."` string with escapes. */
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n\r]|\\.)*"/,
  categories: [StringTok],
  label: "a string",
});
/** A string missing its closing quote on the same line (NIDL1002; still parsed as a string). */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n\r]|\\.)*\\?/,
  categories: [StringTok],
  label: "a string",
});

/** A floating-point number. */
export const FloatLiteral = createToken({
  name: "FloatLiteral",
  pattern: /\d[\d_]*\.\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*[eE][+-]?\d+/,
  label: "a number",
});
/** An integer: decimal, hex, octal or binary (a bare `0x` is kept and reported). */
export const IntegerLiteral = createToken({
  name: "IntegerLiteral",
  pattern: /0[xX][0-9a-fA-F_]*|0[oO][0-7_]*|0[bB][01_]*|\d[\d_]*/,
  label: "an integer",
});

/** One `///` doc line. */
export const DocLine = createToken({ name: "DocLine", pattern: /\/\/\/(?!\/)[^\n\r]*/, group: "docs" });
/** A `/** ... *\/` doc block. */
export const DocBlock = createToken({ name: "DocBlock", pattern: /\/\*\*(?![*/])[\s\S]*?\*\//, group: "docs" });
/** A `//` comment (kept for the formatter). */
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
/** A `/* ... *\/` comment (kept for the formatter). */
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: "comments" });
/** `/*` without `*\/` up to the end of the file (NIDL1007). */
export const UnterminatedComment = createToken({ name: "UnterminatedComment", pattern: /\/\*[\s\S]*/, group: "comments" });

/** Whitespace (skipped). */
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });

function punct(name: string, text: string): TokenType {
  return createToken({ name, pattern: text, label: `"${text}"` });
}

/** `->` */
export const Arrow = punct("Arrow", "->");
/** `{` */
export const LBrace = punct("LBrace", "{");
/** `}` */
export const RBrace = punct("RBrace", "}");
/** `(` */
export const LParen = punct("LParen", "(");
/** `)` */
export const RParen = punct("RParen", ")");
/** `<` */
export const Lt = punct("Lt", "<");
/** `>` */
export const Gt = punct("Gt", ">");
/** `,` */
export const Comma = punct("Comma", ",");
/** `;` */
export const Semicolon = punct("Semicolon", ";");
/** `:` */
export const Colon = punct("Colon", ":");
/** `.` */
export const Dot = punct("Dot", ".");
/** `=` */
export const Equals = punct("Equals", "=");
/** `?` */
export const Question = punct("Question", "?");
/** `@` */
export const At = punct("At", "@");
/** `|` */
export const Pipe = punct("Pipe", "|");
/** `&` */
export const Amp = punct("Amp", "&");
/** `+` */
export const Plus = punct("Plus", "+");
/** `-` */
export const Minus = punct("Minus", "-");
/** `*` */
export const Star = punct("Star", "*");
/** `~` */
export const Tilde = punct("Tilde", "~");

/** Lexer order matters: longer / more specific patterns first. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  DocLine,
  DocBlock,
  LineComment,
  BlockComment,
  UnterminatedComment,
  TripleString,
  StringLiteral,
  UnterminatedString,
  QuotedIdent,
  UnterminatedQuotedIdent,
  FloatLiteral,
  IntegerLiteral,
  Arrow,
  KwPackage,
  KwImport,
  KwInterface,
  KwMethod,
  KwRequest,
  KwSignal,
  KwEvent,
  KwProperty,
  KwStruct,
  KwEnum,
  KwFlags,
  KwError,
  KwTypedef,
  KwConst,
  KwThrows,
  Identifier,
  LBrace,
  RBrace,
  LParen,
  RParen,
  Lt,
  Gt,
  Comma,
  Semicolon,
  Colon,
  Dot,
  Equals,
  Question,
  At,
  Pipe,
  Amp,
  Plus,
  Minus,
  Star,
  Tilde,
  Name,
  StringTok,
];

/** The shared lexer instance (building one is costly; lexing is re-entrant). */
export const nidlLexer = new Lexer(ALL_TOKENS, { positionTracking: "full", ensureOptimizations: false });
