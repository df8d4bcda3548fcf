/**
 * Wayland protocol XML → NIDL. Every protocol becomes one file: `package <protocol>;`, its interfaces with
 * `@wayland @version(n)`, requests/events/enums in document order, docs as `///` (summary first), and
 * `import "…";` for interfaces defined by other protocols of the same import.
 */
import type { Annotation, DocComment, EnumDecl, Expr, EnumEntryDecl, InterfaceDecl, MemberDecl, MethodDecl, NidlFile, ParamDecl, SignalDecl, Span, TypeNode } from "../ast.js";
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { printNidl } from "../format/printer.js";
import { createAstBuilder, dedentLines, type AstBuilder } from "./ast-builder.js";
import { outputName, problemDiagnostics, xmlSpan, type ImportedNidl, type ImportResult, type XmlSource } from "./import-result.js";
import { parseWaylandValue, type WaylandValueExpr } from "../targets/wayland-enum-value.js";
import { readWaylandXml, type WlArgXml, type WlDoc, type WlEnumXml, type WlInterfaceXml, type WlMessageXml, type WlProtocolXml } from "./wayland-xml.js";

const SCALARS: Record<string, string> = { int: "i32", uint: "u32", fixed: "fixed", string: "string", array: "bytes", fd: "fd" };

/** Doc comment lines and an optional `@summary` for a Wayland description/summary pair. */
export function wlDocParts(b: AstBuilder, doc: WlDoc): { doc: DocComment | undefined; summary: Annotation | undefined } {
  const body = dedentLines(doc.text);
  const s = doc.summary;
  if (s === undefined) return { doc: b.doc(body), summary: undefined };
  // The model takes the first paragraph as the summary, so a one-line summary goes first; anything else
  // (empty, multi-line) is spelled with @summary so it comes back exactly.
  if (s.trim().length > 0 && !s.includes("\n") && s === s.trim()) {
    return { doc: b.doc(body.length > 0 ? [s, "", ...body] : [s]), summary: undefined };
  }
  return { doc: b.doc(body), summary: b.annotation("summary", [b.str(s)]) };
}

interface Ctx {
  readonly b: AstBuilder;
  readonly xmlFile: string;
  /** The XML text, to make spans cover whole start tags. */
  readonly xmlText: string;
  readonly protocol: WlProtocolXml;
  /** Interface name → output file (for cross-protocol references). */
  readonly owners: ReadonlyMap<string, readonly string[]>;
  readonly self: string;
  readonly imports: Set<string>;
  readonly diagnostics: Diagnostic[];
  readonly origins: Map<string, Span>;
  readonly comments: Map<object, readonly string[]>;
  readonly localInterfaces: ReadonlySet<string>;
  /** Interfaces referenced but defined in no imported file → their referenced enums. */
  readonly stubs: Map<string, Set<string>>;
}

/** Keeps XML comments as `//` comments before `node` (appending to any it already has). */
function keepComments(ctx: Ctx, node: object, comments: readonly string[] | undefined): void {
  if (comments === undefined || comments.length === 0) return;
  ctx.comments.set(node, [...(ctx.comments.get(node) ?? []), ...comments.map((c) => dedentLines(c).join("\n"))]);
}

function warn(ctx: Ctx, code: "NIDL4003" | "NIDL4005" | "NIDL4006", message: string, offset: number, severity: "warning" | "error" = "warning"): void {
  ctx.diagnostics.push(createDiagnostic(code, severity, message, xmlSpan(ctx.xmlFile, offset, ctx.xmlText)));
}

/** Records that `iface` (and maybe its enum) is used: an import of the protocol that defines it, or a stub. */
function useInterface(ctx: Ctx, iface: string, offset: number, enumName?: string): void {
  if (ctx.localInterfaces.has(iface)) return;
  const owners = (ctx.owners.get(iface) ?? []).filter((o) => o !== ctx.self);
  if (owners.length > 0) {
    ctx.imports.add(owners[0]!);
    return;
  }
  if (!ctx.stubs.has(iface)) {
    warn(ctx, "NIDL4005", `interface "${iface}" is defined in no file of this import: it is declared as an @external stub; import its protocol together with this one to check against the real one`, offset);
    ctx.stubs.set(iface, new Set());
  }
  if (enumName !== undefined) ctx.stubs.get(iface)!.add(enumName);
}

/** `@external` declarations of interfaces (and their enums) that other protocols define. */
function stubInterfaces(ctx: Ctx): InterfaceDecl[] {
  const { b } = ctx;
  return [...ctx.stubs].sort(([x], [y]) => (x < y ? -1 : 1)).map(([name, enums]) => ({
    kind: "Interface",
    span: b.span,
    name: b.ident(name),
    members: [...enums].sort().map((e): EnumDecl => ({ kind: "Enum", keyword: "enum", span: b.span, name: b.ident(e), underlying: undefined, entries: [], doc: undefined, annotations: [] })),
    doc: b.doc(["Defined by another protocol; declared here only so that it can be referenced."]),
    annotations: [b.annotation("external"), b.annotation("wayland")],
  }));
}

function argType(ctx: Ctx, iface: WlInterfaceXml, a: WlArgXml): { type: TypeNode; annotations: Annotation[] } {
  const { b } = ctx;
  const annotations: Annotation[] = [];
  let type: TypeNode;
  if (a.type === "object" || a.type === "new_id") {
    if (a.interface !== undefined) useInterface(ctx, a.interface, a.offset);
    type = a.interface === undefined ? b.named(a.type) : b.named(a.type, b.named(a.interface));
  } else if (a.enum !== undefined && (a.type === "uint" || a.type === "int")) {
    const ref = a.enum.includes(".") ? a.enum : `${iface.name}.${a.enum}`;
    useInterface(ctx, ref.split(".")[0]!, a.offset, ref.split(".")[1]);
    if (a.type === "uint") type = b.named(ref);
    else {
      type = b.named("i32");
      annotations.push(b.annotation("enum", [b.nameExpr(ref)]));
    }
  } else {
    const scalar = SCALARS[a.type];
    if (scalar === undefined) {
      warn(ctx, "NIDL4006", `unknown Wayland argument type "${a.type}"`, a.offset, "error");
      type = b.named("u32");
    } else type = b.named(scalar);
    if (a.interface !== undefined) warn(ctx, "NIDL4003", `interface="${a.interface}" on a ${a.type} argument is not kept`, a.offset);
    if (a.enum !== undefined) warn(ctx, "NIDL4003", `enum="${a.enum}" on a ${a.type} argument is not kept`, a.offset);
  }
  if (a.allowNull) type = b.optional(type);
  return { type, annotations };
}

function sinceAnnotations(b: AstBuilder, since: number | undefined, deprecatedSince: number | undefined): Annotation[] {
  const out: Annotation[] = [];
  if (since !== undefined) out.push(b.annotation("since", [b.int(since)]));
  if (deprecatedSince !== undefined) out.push(b.annotation("deprecated", [["since", b.int(deprecatedSince)]]));
  return out;
}

function message(ctx: Ctx, iface: WlInterfaceXml, m: WlMessageXml): MethodDecl | SignalDecl {
  const { b } = ctx;
  const key = `${iface.name}.${m.name}`;
  ctx.origins.set(key, xmlSpan(ctx.xmlFile, m.offset, ctx.xmlText));
  const params: ParamDecl[] = m.args.map((a) => {
    ctx.origins.set(`${key}.${a.name}`, xmlSpan(ctx.xmlFile, a.offset, ctx.xmlText));
    const { type, annotations } = argType(ctx, iface, a);
    const d = wlDocParts(b, a.doc);
    const param = b.param(a.name, type, d.doc, [...(d.summary ? [d.summary] : []), ...annotations]);
    keepComments(ctx, param, a.doc.comments);
    return param;
  });
  const d = wlDocParts(b, m.doc);
  const annotations = [...(d.summary ? [d.summary] : []), ...(m.destructor ? [b.annotation("destructor")] : []), ...sinceAnnotations(b, m.since, m.deprecatedSince)];
  const decl: MethodDecl | SignalDecl = m.kind === "request"
    ? { kind: "Method", keyword: "request", span: b.span, name: b.ident(m.name), params, results: undefined, bareResult: false, throws: [], doc: d.doc, annotations }
    : { kind: "Signal", keyword: "event", span: b.span, name: b.ident(m.name), params, doc: d.doc, annotations };
  keepComments(ctx, decl, m.comments);
  keepComments(ctx, decl, m.doc.comments);
  return decl;
}

/** A Wayland value as a NIDL constant expression: the same literals and operators, so it prints as written. */
function valueExpr(b: AstBuilder, e: WaylandValueExpr): Expr {
  switch (e.kind) {
    case "int":
      return b.int(e.value, e.raw);
    case "neg":
      return { kind: "UnaryExpr", span: b.span, op: "-", operand: valueExpr(b, e.operand) };
    case "paren":
      return { kind: "ParenExpr", span: b.span, inner: valueExpr(b, e.inner) };
    case "binary":
      return { kind: "BinaryExpr", span: b.span, op: e.op, left: valueExpr(b, e.left), right: valueExpr(b, e.right) };
  }
}

function enumeration(ctx: Ctx, iface: WlInterfaceXml, e: WlEnumXml): EnumDecl {
  const { b } = ctx;
  const key = `${iface.name}.${e.name}`;
  ctx.origins.set(key, xmlSpan(ctx.xmlFile, e.offset, ctx.xmlText));
  const entries: EnumEntryDecl[] = e.entries.map((x) => {
    ctx.origins.set(`${key}.${x.name}`, xmlSpan(ctx.xmlFile, x.offset, ctx.xmlText));
    const parsed = parseWaylandValue(x.value);
    if (!parsed.ok) warn(ctx, "NIDL4006", `enum entry ${x.name} has value "${x.value}", which is not a C integer constant this reads: ${parsed.reason}`, x.offset, "error");
    const d = wlDocParts(b, x.doc);
    const entry: EnumEntryDecl = {
      kind: "EnumEntry",
      span: b.span,
      name: b.ident(x.name),
      value: parsed.ok ? valueExpr(b, parsed.expr) : undefined,
      doc: d.doc,
      annotations: [...(d.summary ? [d.summary] : []), ...sinceAnnotations(b, x.since, x.deprecatedSince)],
    };
    keepComments(ctx, entry, x.comments);
    keepComments(ctx, entry, x.doc.comments);
    return entry;
  });
  const d = wlDocParts(b, e.doc);
  const decl: EnumDecl = {
    kind: "Enum",
    keyword: e.bitfield ? "flags" : "enum",
    span: b.span,
    name: b.ident(e.name),
    underlying: undefined,
    entries,
    doc: d.doc,
    annotations: [...(d.summary ? [d.summary] : []), ...sinceAnnotations(b, e.since, undefined)],
  };
  keepComments(ctx, decl, e.comments);
  keepComments(ctx, decl, e.doc.comments);
  return decl;
}

function iface(ctx: Ctx, i: WlInterfaceXml): InterfaceDecl {
  const { b } = ctx;
  ctx.origins.set(i.name, xmlSpan(ctx.xmlFile, i.offset, ctx.xmlText));
  const members: MemberDecl[] = i.members.map((m) => (m.kind === "enum" ? enumeration(ctx, i, m) : message(ctx, i, m)));
  const d = wlDocParts(b, i.doc);
  const decl: InterfaceDecl = {
    kind: "Interface",
    span: b.span,
    name: b.ident(i.name),
    members,
    doc: d.doc,
    annotations: [...(d.summary ? [d.summary] : []), b.annotation("wayland"), b.annotation("version", [b.int(i.version)])],
  };
  keepComments(ctx, decl, i.comments);
  keepComments(ctx, decl, i.doc.comments);
  return decl;
}

function protocolFile(ctx: Ctx, outPath: string): NidlFile {
  const { b, protocol: p } = ctx;
  const interfaces = p.interfaces.map((i) => iface(ctx, i));
  const d = wlDocParts(b, p.doc);
  const pkgAnn: Annotation[] = [...(d.summary ? [d.summary] : [])];
  if (p.copyright !== undefined) pkgAnn.push(b.annotation("copyright", [b.longStr(dedentLines(p.copyright).join("\n"))]));
  const validPackage = /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name);
  if (!validPackage) pkgAnn.push(b.annotation("wayland", [["protocol", b.str(p.name)]]));
  const pkgName = validPackage ? p.name : p.name.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1") || "protocol";
  return {
    kind: "File",
    path: outPath,
    span: b.span,
    package: { kind: "Package", span: b.span, name: b.qname(pkgName), doc: d.doc, annotations: pkgAnn },
    imports: [...ctx.imports].sort().map((f) => ({ kind: "Import" as const, span: b.span, path: b.str(f), doc: undefined, annotations: [] })),
    declarations: [...interfaces, ...stubInterfaces(ctx)],
    comments: [],
    danglingDocs: [],
  };
}

/**
 * Imports Wayland protocol XML files together (so references between them become imports).
 * Pure: texts in, ASTs and canonical `.nidl` texts out. A file with errors yields no output file.
 */
export function importWayland(sources: readonly XmlSource[]): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const taken = new Set<string>();
  const parsed: { src: XmlSource; protocol: WlProtocolXml; out: string }[] = [];
  for (const src of sources) {
    const r = readWaylandXml(src.text);
    diagnostics.push(...problemDiagnostics(src.path, r.problems, src.text));
    if (r.protocol !== undefined && !r.problems.some((p) => p.severity === "error")) parsed.push({ src, protocol: r.protocol, out: outputName(src.path, taken) });
  }
  const owners = new Map<string, string[]>();
  for (const p of parsed) for (const i of p.protocol.interfaces) owners.set(i.name, [...(owners.get(i.name) ?? []), p.out]);
  const files: ImportedNidl[] = [];
  for (const p of parsed) {
    const ctx: Ctx = {
      b: createAstBuilder(p.out),
      xmlFile: p.src.path,
      xmlText: p.src.text,
      protocol: p.protocol,
      owners,
      self: p.out,
      imports: new Set(),
      diagnostics: [],
      origins: new Map(),
      comments: new Map(),
      localInterfaces: new Set(p.protocol.interfaces.map((i) => i.name)),
      stubs: new Map(),
    };
    const ast = protocolFile(ctx, p.out);
    if (ast.package) {
      keepComments(ctx, ast.package, p.protocol.comments);
      keepComments(ctx, ast.package, p.protocol.doc.comments);
    }
    for (const name of new Set(ctx.b.unrepresentable)) warn(ctx, "NIDL4006", `the name ${JSON.stringify(name)} cannot be written in NIDL (empty, or holds a back-quote or line break)`, p.protocol.offset, "error");
    diagnostics.push(...ctx.diagnostics);
    if (ctx.diagnostics.some((d) => d.severity === "error")) continue;
    files.push({ path: p.out, source: p.src.path, ast, text: printNidl(ast, { leadingComments: ctx.comments }), origins: ctx.origins });
  }
  return { files, diagnostics };
}
