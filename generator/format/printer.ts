/**
 * The canonical NIDL printer: AST in, text out. Used by `nova-gen fmt` and by the importers.
 *
 * Canonical form: 4-space indent; doc comments as `///`; annotations on the line(s) before a declaration,
 * member, field or entry (short ones share a line, ones with strings get their own), inline before a
 * parameter; parameters and results on one line unless one is documented or the line would pass
 * {@link MAX_WIDTH}; one blank line between top-level declarations; inside bodies a blank line is kept
 * where the source had one (at most one). Every comment is kept.
 */
import type {
  Comment, ConstDecl, Decorated, DocComment, EnumDecl, EnumEntryDecl, ErrorDecl, FieldDecl, ImportDecl,
  InterfaceDecl, MemberDecl, MethodDecl, NidlFile, PackageDecl, ParamDecl, PropertyDecl, SignalDecl, Span,
  StructDecl, TopDecl, TypedefDecl,
} from "../ast.js";
import { createCommentQueue, type CommentQueue } from "./comment-queue.js";
import { spellName } from "./names.js";
import { annotation, expr, hasString, paramText, qname, typeText } from "./syntax-text.js";

export { annotation, expr, qname, typeText } from "./syntax-text.js";

/** Lines longer than this get their parameters one per line. */
export const MAX_WIDTH = 100;
const INDENT = "    ";

/** Options of {@link printNidl}. */
export interface PrintOptions {
  /** The source text the AST was parsed from: lets the printer keep blank lines and trailing comments. */
  readonly source?: string;
  /**
   * Comments to print before a node, for ASTs built in memory (the importers), keyed by node identity.
   * Each string is one comment's text without markers; lines become `// ` lines.
   */
  readonly leadingComments?: ReadonlyMap<object, readonly string[]>;
}

type Item = { readonly node: Decorated & { readonly span: Span }; readonly print: (p: Printer) => void };

class Printer {
  private readonly out: string[] = [];
  private readonly comments: CommentQueue;
  constructor(private readonly ast: NidlFile, private readonly opts: PrintOptions) {
    // Doc comments attached to nothing stay where they were written, like ordinary comments.
    const dangling: Comment[] = ast.danglingDocs.map((d) => ({ kind: "Comment", style: "line", span: d.span, text: d.lines.map((l) => (l.length === 0 ? "///" : `/// ${l}`)).join("\n") }));
    this.comments = createCommentQueue([...ast.comments, ...dangling], opts.source);
  }

  text(): string {
    while (this.out.length > 0 && this.out[this.out.length - 1] === "") this.out.pop();
    return this.out.join("\n") + "\n";
  }

  line(indent: string, text: string): void {
    this.out.push(text.length === 0 ? "" : indent + text);
  }

  blank(): void {
    if (this.out.length > 0 && this.out[this.out.length - 1] !== "") this.out.push("");
  }

  /** Where a node's leading trivia (doc, annotations) starts. */
  private leadStart(node: Decorated & { readonly span: Span }): number {
    let s = node.span.start;
    if (node.doc) s = Math.min(s, node.doc.span.start);
    for (const a of node.annotations) s = Math.min(s, a.span.start);
    return s;
  }

  /** True when the source had a blank line between `prevEnd` and `nextStart` (comments excluded). */
  private hadBlank(prevEnd: number, nextStart: number): boolean {
    const src = this.opts.source;
    if (src === undefined || prevEnd >= nextStart) return false;
    // A comment line is not a blank line: drop comments together with their line break.
    const gap = src.slice(prevEnd, nextStart).replace(/[ \t]*\/\*[\s\S]*?\*\/[ \t]*\n?/g, "").replace(/[ \t]*\/\/[^\n]*\n?/g, "");
    return /\n[ \t]*\n/.test(gap);
  }

  comment(indent: string, c: Comment): void {
    if (c.style === "line") {
      for (const l of c.text.split("\n")) this.line(indent, l.trimEnd());
      return;
    }
    // Block comments keep their inner layout: only the first line moves to the new indentation.
    const lines = c.text.split("\n");
    this.line(indent, lines[0]!.trimEnd());
    for (const l of lines.slice(1)) this.out.push(l.trimEnd());
  }

  flushComments(indent: string, before: number): void {
    for (const c of this.comments.takeBefore(before)) this.comment(indent, c);
  }

  trailing(end: number): void {
    const c = this.comments.takeTrailing(end);
    if (c !== undefined) this.out[this.out.length - 1] += ` ${c.text.trimEnd()}`;
  }

  extraComments(indent: string, node: object): void {
    for (const text of this.opts.leadingComments?.get(node) ?? []) {
      for (const l of text.split("\n")) this.line(indent, l.trim().length === 0 ? "//" : `// ${l.trimEnd()}`);
    }
  }

  doc(indent: string, doc: DocComment | undefined): void {
    if (doc === undefined) return;
    for (const l of doc.lines) this.line(indent, l.length === 0 ? "///" : `/// ${l}`);
  }

  decorations(indent: string, node: Decorated & { readonly span: Span }): void {
    this.flushComments(indent, this.leadStart(node));
    this.extraComments(indent, node);
    this.doc(indent, node.doc);
    // Short annotations (no string arguments) share one line, `@wayland @version(2)`; annotations with
    // strings (names, D-Bus annotation values, copyright) get a line each.
    let pending: string[] = [];
    const flush = (): void => {
      if (pending.length > 0) this.line(indent, pending.join(" "));
      pending = [];
    };
    for (const a of node.annotations) {
      const text = annotation(a);
      if (hasString(a)) {
        flush();
        this.line(indent, text);
      } else if (indent.length + [...pending, text].join(" ").length > MAX_WIDTH) {
        flush();
        pending = [text];
      } else pending.push(text);
    }
    flush();
    // Comments between the annotations and the name (`@wayland // why` ⏎ `interface X`) stay before it.
    const name = (node as { readonly name?: { readonly span: Span } }).name;
    if (name !== undefined && node.annotations.length > 0) this.flushComments(indent, name.span.start);
  }

  /** Prints a sequence of body items keeping (at most one) blank line where the source had one. */
  items(indent: string, items: readonly Item[], blankByDefault: (i: number) => boolean): void {
    let prevEnd = -1;
    items.forEach((item, i) => {
      if (i > 0) {
        const keep = this.opts.source !== undefined ? this.hadBlank(prevEnd, this.leadStart(item.node)) : blankByDefault(i);
        if (keep) this.blank();
      }
      item.print(this);
      prevEnd = item.node.span.end;
    });
  }

  closeBody(indent: string, end: number): void {
    this.flushComments(indent + INDENT, end);
    this.line(indent, "}");
  }

  print(): string {
    const f = this.ast;
    if (f.package) this.pkg(f.package);
    if (f.imports.length > 0) this.blank();
    for (const imp of f.imports) this.importDecl(imp);
    for (const d of f.declarations) {
      this.blank();
      this.topDecl("", d);
    }
    const rest = this.comments.rest();
    if (rest.length > 0) this.blank();
    for (const c of rest) this.comment("", c);
    return this.text();
  }

  pkg(p: PackageDecl): void {
    this.decorations("", p);
    this.line("", `package ${qname(p.name)};`);
    this.trailing(p.span.end);
  }

  importDecl(i: ImportDecl): void {
    this.decorations("", i);
    this.line("", `import ${i.path.raw};`);
    this.trailing(i.span.end);
  }

  topDecl(indent: string, d: TopDecl | MemberDecl): void {
    switch (d.kind) {
      case "Interface": return this.iface(indent, d);
      case "Struct": return this.struct(indent, d);
      case "Enum": return this.enumDecl(indent, d);
      case "Error": return this.error(indent, d);
      case "Typedef": return this.typedef(indent, d);
      case "Const": return this.constDecl(indent, d);
      case "Method": return this.method(indent, d);
      case "Signal": return this.signal(indent, d);
      case "Property": return this.property(indent, d);
    }
  }

  iface(indent: string, d: InterfaceDecl): void {
    this.decorations(indent, d);
    if (d.members.length === 0 && !this.comments.hasBefore(d.span.end)) {
      this.line(indent, `interface ${spellName(d.name.name)} {}`);
      this.trailing(d.span.end);
      return;
    }
    this.line(indent, `interface ${spellName(d.name.name)} {`);
    const inner = indent + INDENT;
    const hasDoc = (m: MemberDecl): boolean => m.doc !== undefined || m.kind === "Enum" || m.kind === "Struct";
    this.items(inner, d.members.map((m) => ({ node: m, print: (p: Printer) => p.topDecl(inner, m) })), (i) => hasDoc(d.members[i]!) || hasDoc(d.members[i - 1]!));
    this.closeBody(indent, d.span.end);
  }

  struct(indent: string, d: StructDecl): void {
    this.decorations(indent, d);
    this.fieldBody(indent, `struct ${spellName(d.name.name)}`, d.fields, d.span.end);
  }

  error(indent: string, d: ErrorDecl): void {
    this.decorations(indent, d);
    if (!d.hasBody) {
      this.line(indent, `error ${spellName(d.name.name)};`);
      this.trailing(d.span.end);
      return;
    }
    this.fieldBody(indent, `error ${spellName(d.name.name)}`, d.fields, d.span.end);
  }

  fieldBody(indent: string, head: string, fields: readonly FieldDecl[], end: number): void {
    if (fields.length === 0 && !this.comments.hasBefore(end)) {
      this.line(indent, `${head} {}`);
      return;
    }
    this.line(indent, `${head} {`);
    const inner = indent + INDENT;
    this.items(inner, fields.map((f) => ({ node: f, print: (p: Printer) => p.field(inner, f) })), (i) => fields[i]!.doc !== undefined);
    this.closeBody(indent, end);
  }

  field(indent: string, f: FieldDecl): void {
    this.decorations(indent, f);
    this.line(indent, `${spellName(f.name.name)}: ${typeText(f.type)};`);
    this.trailing(f.span.end);
  }

  enumDecl(indent: string, d: EnumDecl): void {
    this.decorations(indent, d);
    const under = d.underlying ? ` : ${typeText(d.underlying)}` : "";
    if (d.entries.length === 0 && !this.comments.hasBefore(d.span.end)) {
      this.line(indent, `${d.keyword} ${spellName(d.name.name)}${under} {}`);
      this.trailing(d.span.end);
      return;
    }
    this.line(indent, `${d.keyword} ${spellName(d.name.name)}${under} {`);
    const inner = indent + INDENT;
    // In-memory ASTs (imports) have no source blank lines: set multi-line documented entries apart.
    const long = (e: EnumEntryDecl | undefined): boolean => (e?.doc?.lines.length ?? 0) > 1;
    this.items(inner, d.entries.map((e) => ({ node: e, print: (p: Printer) => p.entry(inner, e) })), (i) => long(d.entries[i]) || long(d.entries[i - 1]));
    this.closeBody(indent, d.span.end);
  }

  entry(indent: string, e: EnumEntryDecl): void {
    this.decorations(indent, e);
    this.line(indent, `${spellName(e.name.name)}${e.value ? ` = ${expr(e.value)}` : ""};`);
    this.trailing(e.span.end);
  }

  typedef(indent: string, d: TypedefDecl): void {
    this.decorations(indent, d);
    this.line(indent, `typedef ${spellName(d.name.name)} = ${typeText(d.type)};`);
    this.trailing(d.span.end);
  }

  constDecl(indent: string, d: ConstDecl): void {
    this.decorations(indent, d);
    this.line(indent, `const ${spellName(d.name.name)}: ${typeText(d.type)} = ${expr(d.value)};`);
    this.trailing(d.span.end);
  }

  /** One parameter (or result) per line, with its doc and comments. */
  private paramLines(indent: string, list: readonly ParamDecl[]): void {
    for (const p of list) {
      this.flushComments(indent, this.leadStart(p));
      this.extraComments(indent, p);
      this.doc(indent, p.doc);
      this.line(indent, `${paramText(p)},`);
      this.trailing(p.span.end);
    }
  }

  /**
   * `head(params) -> (results) throws E;` on one line when nothing is documented or commented and it fits;
   * otherwise parameters one per line, and results one per line too when they are documented or too wide.
   * `bare` is the ` -> T` tail of a single unnamed result written without parentheses.
   */
  signature(indent: string, head: string, params: readonly ParamDecl[], results: readonly ParamDecl[] | undefined, bare: string, throwsText: string, end: number): void {
    const resultsInline = results === undefined ? bare : ` -> (${results.map(paramText).join(", ")})`;
    const documented = (l: readonly ParamDecl[] | undefined): boolean => (l ?? []).some((p) => p.doc !== undefined || this.opts.leadingComments?.has(p) === true);
    const commented = this.comments.hasBefore(end);
    const oneLine = `${head}(${params.map(paramText).join(", ")})${resultsInline}${throwsText};`;
    if (!documented(params) && !documented(results) && !commented && indent.length + oneLine.length <= MAX_WIDTH) {
      this.line(indent, oneLine);
      this.trailing(end);
      return;
    }
    const inner = indent + INDENT;
    let close = "";
    if (params.length === 0) close = `${head}()`;
    else {
      this.line(indent, `${head}(`);
      this.paramLines(inner, params);
      close = ")";
    }
    const closing = `${close}${resultsInline}${throwsText};`;
    const lastResultEnd = results?.[results.length - 1]?.span.end ?? 0;
    if (results !== undefined && results.length > 0 && (documented(results) || this.comments.hasBefore(lastResultEnd) || indent.length + closing.length > MAX_WIDTH)) {
      this.line(indent, `${close} -> (`);
      this.paramLines(inner, results);
      this.flushComments(inner, end);
      this.line(indent, `)${throwsText};`);
    } else {
      this.flushComments(inner, end);
      this.line(indent, closing);
    }
    this.trailing(end);
  }

  method(indent: string, m: MethodDecl): void {
    this.decorations(indent, m);
    const bareOk = m.bareResult && m.results?.length === 1 && m.results[0]!.name === undefined && m.results[0]!.annotations.length === 0 && m.results[0]!.doc === undefined;
    const throwsText = m.throws.length > 0 ? ` throws ${m.throws.map(qname).join(", ")}` : "";
    this.signature(indent, `${m.keyword} ${spellName(m.name.name)}`, m.params, bareOk ? undefined : m.results, bareOk ? ` -> ${typeText(m.results![0]!.type)}` : "", throwsText, m.span.end);
  }

  signal(indent: string, s: SignalDecl): void {
    this.decorations(indent, s);
    this.signature(indent, `${s.keyword} ${spellName(s.name.name)}`, s.params, undefined, "", "", s.span.end);
  }

  property(indent: string, p: PropertyDecl): void {
    this.decorations(indent, p);
    const order = ["read", "write", "notify"];
    const acc = p.accessors === undefined ? "" : ` { ${[...p.accessors].sort((a, b) => order.indexOf(a.accessor) - order.indexOf(b.accessor)).map((a) => `${a.accessor};`).join(" ")} }`;
    this.line(indent, `property ${spellName(p.name.name)}: ${typeText(p.type)}${acc.replace("{  }", "{}")}${p.accessors === undefined ? ";" : ""}`);
    this.trailing(p.span.end);
  }
}

/** Prints a file in canonical form. Pure: no I/O; the same AST always gives the same text. */
export function printNidl(file: NidlFile, opts: PrintOptions = {}): string {
  return new Printer(file, opts).print();
}
