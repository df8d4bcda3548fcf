/**
 * The NIDL abstract syntax tree: exactly what the author wrote, with a span on
 * every node and every comment kept, so that the formatter can print a file
 * back and the checker can point at any construct. Nothing here is resolved:
 * names are plain text, annotations are uninterpreted. The one CST → AST
 * converter (`parser/cst-to-ast.ts`) is the only producer; the resolver, the
 * formatter and the importers' printers are the consumers.
 *
 * Conventions:
 * - spans are offsets (UTF-16 code units, as JS strings index) into the file's
 *   text; line/column are computed only when a diagnostic is rendered;
 * - optional syntax that was absent is `undefined`, lists that were absent are
 *   empty arrays;
 * - every node has a string `kind` discriminant.
 */

/** A half-open range `[start, end)` of offsets in one source file. */
export interface Span {
  /** The file name as given to the compiler (relative path; never made absolute). */
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** What every AST node carries. */
export interface NodeBase {
  readonly span: Span;
}

/**
 * A comment that is not a doc comment. All of them are listed, in source order,
 * in {@link NidlFile.comments}; the formatter re-attaches them by offset
 * (a comment belongs before the first node that starts after it, or at the end
 * of the line of the node that ends before it on the same line).
 */
export interface Comment extends NodeBase {
  readonly kind: "Comment";
  /** `line` for `// ...`, `block` for `/* ... *\/`. */
  readonly style: "line" | "block";
  /** The full source text of the comment including its markers. */
  readonly text: string;
}

/**
 * A run of consecutive `///` lines (or one `/** ... *\/` block) directly before a
 * declaration, member, parameter, field or enum entry.
 */
export interface DocComment extends NodeBase {
  readonly kind: "DocComment";
  /**
   * The text lines with the `///` marker and at most one following space
   * removed (for block docs: the `*` gutter removed). Blank lines are "".
   */
  readonly lines: readonly string[];
  readonly style: "line" | "block";
}

/** An identifier. Back-quoted identifiers (`` `disable-printing` ``, `` `90` ``) may hold any text but a back-quote or newline. */
export interface Ident extends NodeBase {
  readonly kind: "Ident";
  /** The name without back-quotes. */
  readonly name: string;
  /** True when written `` `like-this` `` (the formatter keeps the quoting when needed). */
  readonly quoted: boolean;
}

/** A dotted name: `org.novade.Shell`, `wl_output.transform`, `dbus.annotation`. */
export interface QualifiedName extends NodeBase {
  readonly kind: "QualifiedName";
  readonly parts: readonly Ident[];
  /** `parts` joined with "." (unquoted names). */
  readonly text: string;
}

// ---------------------------------------------------------------- expressions

/** An integer literal: decimal, `0x` hex, `0o` octal or `0b` binary, `_` separators allowed. */
export interface IntegerLiteral extends NodeBase {
  readonly kind: "IntegerLiteral";
  readonly value: bigint;
  /** The literal as written (kept so that `0x10` stays hex in output). */
  readonly raw: string;
}

/** A floating-point literal (`1.5`, `2e-3`). */
export interface FloatLiteral extends NodeBase {
  readonly kind: "FloatLiteral";
  readonly value: number;
  readonly raw: string;
}

/** A string literal: `"..."` with escapes, or a raw triple-quoted `"""..."""` (may span lines). */
export interface StringLiteral extends NodeBase {
  readonly kind: "StringLiteral";
  /** The decoded value (for triple-quoted strings: the text between the quotes, dedented). */
  readonly value: string;
  readonly raw: string;
  readonly triple: boolean;
}

/** `true` or `false`. */
export interface BoolLiteral extends NodeBase {
  readonly kind: "BoolLiteral";
  readonly value: boolean;
}

/** A reference to a constant, enum entry or (inside annotations) a bare word. */
export interface NameExpr extends NodeBase {
  readonly kind: "NameExpr";
  readonly name: QualifiedName;
}

/** Unary `-x` or `~x`. */
export interface UnaryExpr extends NodeBase {
  readonly kind: "UnaryExpr";
  readonly op: "-" | "~";
  readonly operand: Expr;
}

/** Binary `a | b`, `a & b`, `a << b`, `a >> b`, `a + b`, `a - b`, `a * b`. */
export interface BinaryExpr extends NodeBase {
  readonly kind: "BinaryExpr";
  readonly op: "|" | "&" | "<<" | ">>" | "+" | "-" | "*";
  readonly left: Expr;
  readonly right: Expr;
}

/** `( expr )`, kept so the formatter can print what was written. */
export interface ParenExpr extends NodeBase {
  readonly kind: "ParenExpr";
  readonly inner: Expr;
}

/** Any constant expression (constants, enum values, annotation arguments). */
export type Expr =
  | IntegerLiteral
  | FloatLiteral
  | StringLiteral
  | BoolLiteral
  | NameExpr
  | UnaryExpr
  | BinaryExpr
  | ParenExpr;

// ---------------------------------------------------------------- annotations

/** One argument of an annotation: positional (`"x"`) or named (`name = "x"`). */
export interface AnnotationArg extends NodeBase {
  readonly kind: "AnnotationArg";
  readonly name: Ident | undefined;
  readonly value: Expr;
}

/**
 * `@name`, `@name(args)`, `@dbus.annotation("org.x.Y", "v")`. `args` is
 * `undefined` when there were no parentheses at all, `[]` for `@name()`.
 */
export interface Annotation extends NodeBase {
  readonly kind: "Annotation";
  readonly name: QualifiedName;
  readonly args: readonly AnnotationArg[] | undefined;
}

// ---------------------------------------------------------------- types

/**
 * A type written by name, with optional type arguments: `u32`, `string`,
 * `list<T>`, `map<K, V>`, `object<wl_surface>`, `new_id<wl_callback>`,
 * `wl_output.transform`, `org.novade.common.Rect`. Built-in names are not
 * keywords; the resolver decides what a name means.
 */
export interface NamedType extends NodeBase {
  readonly kind: "NamedType";
  readonly name: QualifiedName;
  readonly args: readonly TypeNode[];
}

/** An anonymous tuple `(i32, string)` (a D-Bus struct `(is)`). */
export interface TupleType extends NodeBase {
  readonly kind: "TupleType";
  readonly elements: readonly TypeNode[];
}

/** `T?`: may be absent / null (Wayland `allow-null`). */
export interface OptionalType extends NodeBase {
  readonly kind: "OptionalType";
  readonly inner: TypeNode;
}

/** Any type expression. */
export type TypeNode = NamedType | TupleType | OptionalType;

// ---------------------------------------------------------------- declarations

/** What every declaration, member, field, parameter and enum entry carries. */
export interface Decorated {
  readonly doc: DocComment | undefined;
  readonly annotations: readonly Annotation[];
}

/** `package org.novade.shell;` with its doc and annotations (`@version`, `@copyright`, `@wayland(protocol=...)`). */
export interface PackageDecl extends NodeBase, Decorated {
  readonly kind: "Package";
  readonly name: QualifiedName;
}

/** `import "common.nidl";` — the path is relative to the importing file. */
export interface ImportDecl extends NodeBase, Decorated {
  readonly kind: "Import";
  readonly path: StringLiteral;
}

/** A field of a struct or error: `name: Type;`. */
export interface FieldDecl extends NodeBase, Decorated {
  readonly kind: "Field";
  readonly name: Ident;
  readonly type: TypeNode;
}

/** `struct Name { fields }`. */
export interface StructDecl extends NodeBase, Decorated {
  readonly kind: "Struct";
  readonly name: Ident;
  readonly fields: readonly FieldDecl[];
}

/** One entry of an enum or flags: `name = value;` or `name;` (value = previous + 1, or next bit for flags). */
export interface EnumEntryDecl extends NodeBase, Decorated {
  readonly kind: "EnumEntry";
  readonly name: Ident;
  readonly value: Expr | undefined;
}

/** `enum Name : u32 { ... }` or `flags Name : u32 { ... }` (a bitfield). */
export interface EnumDecl extends NodeBase, Decorated {
  readonly kind: "Enum";
  /** Which keyword was used: `flags` declares a bitfield. */
  readonly keyword: "enum" | "flags";
  readonly name: Ident;
  /** The underlying integer type after `:`; absent = `u32`. */
  readonly underlying: TypeNode | undefined;
  readonly entries: readonly EnumEntryDecl[];
}

/** `error Name { fields }` or `error Name;`. */
export interface ErrorDecl extends NodeBase, Decorated {
  readonly kind: "Error";
  readonly name: Ident;
  readonly fields: readonly FieldDecl[];
  /** False for the short form `error Name;`. */
  readonly hasBody: boolean;
}

/** `typedef Name = Type;`. */
export interface TypedefDecl extends NodeBase, Decorated {
  readonly kind: "Typedef";
  readonly name: Ident;
  readonly type: TypeNode;
}

/** `const NAME: Type = expr;`. */
export interface ConstDecl extends NodeBase, Decorated {
  readonly kind: "Const";
  readonly name: Ident;
  readonly type: TypeNode;
  readonly value: Expr;
}

/** A parameter, argument, or result: `name: Type` or an unnamed `Type`. */
export interface ParamDecl extends NodeBase, Decorated {
  readonly kind: "Param";
  readonly name: Ident | undefined;
  readonly type: TypeNode;
}

/**
 * `method name(params) -> (results) throws E1, E2;` or the Wayland spelling
 * `request name(params);`. `results` is `undefined` without `->`; a single
 * unnamed result may be written `-> Type`, which gives one unnamed ParamDecl.
 */
export interface MethodDecl extends NodeBase, Decorated {
  readonly kind: "Method";
  readonly keyword: "method" | "request";
  readonly name: Ident;
  readonly params: readonly ParamDecl[];
  readonly results: readonly ParamDecl[] | undefined;
  /** True when the results were written without parentheses (`-> u32`). */
  readonly bareResult: boolean;
  readonly throws: readonly QualifiedName[];
}

/** `signal name(params);` or the Wayland spelling `event name(params);`. */
export interface SignalDecl extends NodeBase, Decorated {
  readonly kind: "Signal";
  readonly keyword: "signal" | "event";
  readonly name: Ident;
  readonly params: readonly ParamDecl[];
}

/** One accessor of a property: `read`, `write` or `notify`. */
export interface PropertyAccessor extends NodeBase {
  readonly kind: "PropertyAccessor";
  readonly accessor: "read" | "write" | "notify";
}

/** `property name: Type { read; write; notify; }` — without braces: `{ read; }`. */
export interface PropertyDecl extends NodeBase, Decorated {
  readonly kind: "Property";
  readonly name: Ident;
  readonly type: TypeNode;
  /** `undefined` when no `{ ... }` block was written. */
  readonly accessors: readonly PropertyAccessor[] | undefined;
}

/** Declarations that may appear inside an interface body as well as at top level. */
export type NestedDecl = StructDecl | EnumDecl | ErrorDecl | TypedefDecl | ConstDecl;

/** Anything inside `interface X { ... }`, in source order. */
export type MemberDecl = MethodDecl | SignalDecl | PropertyDecl | NestedDecl;

/** `interface Name { members }`. */
export interface InterfaceDecl extends NodeBase, Decorated {
  readonly kind: "Interface";
  readonly name: Ident;
  readonly members: readonly MemberDecl[];
}

/** Anything at the top level of a file after the package and imports. */
export type TopDecl = InterfaceDecl | NestedDecl;

/** One parsed `.nidl` file. */
export interface NidlFile extends NodeBase {
  readonly kind: "File";
  /** The path as given to the compiler. */
  readonly path: string;
  /** Missing only in a broken file (the parser reports it). */
  readonly package: PackageDecl | undefined;
  readonly imports: readonly ImportDecl[];
  readonly declarations: readonly TopDecl[];
  /** Every non-doc comment of the file, in source order. */
  readonly comments: readonly Comment[];
  /** Doc comments that are not directly before any node (kept for the formatter). */
  readonly danglingDocs: readonly DocComment[];
}

/** Any AST node. */
export type AstNode =
  | NidlFile
  | PackageDecl
  | ImportDecl
  | TopDecl
  | MemberDecl
  | FieldDecl
  | EnumEntryDecl
  | ParamDecl
  | PropertyAccessor
  | TypeNode
  | Expr
  | Annotation
  | AnnotationArg
  | Ident
  | QualifiedName
  | Comment
  | DocComment;
