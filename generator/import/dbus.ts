/**
 * D-Bus introspection XML → NIDL. Every XML file becomes one package (so a round trip gives back one
 * file): `@dbus(node = "/") package <file stem>;`, each interface `@dbus(name = "org.x.Y") interface Y`,
 * methods with in-args as parameters and out-args as results, docs from the XML comments, and every
 * annotation kept: Deprecated/NoReply/EmitsChangedSignal first-class, the rest as `@dbus.annotation`.
 */
import type { Annotation, DocComment, Expr, InterfaceDecl, MemberDecl, NidlFile, ParamDecl, PropertyAccessor, Span } from "../ast.js";
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { printNidl } from "../format/printer.js";
import { createAstBuilder, dedentLines, type AstBuilder } from "./ast-builder.js";
import { readDbusXml, allInterfaces, type DbusAnnotationXml, type DbusArgXml, type DbusInterfaceXml, type DbusItemXml, type DbusNodeXml } from "./dbus-xml.js";
import { signatureToType } from "./dbus-signature.js";
import { outputName, problemDiagnostics, xmlSpan, type ImportedNidl, type ImportResult, type XmlSource } from "./import-result.js";

const DEPRECATED = "org.freedesktop.DBus.Deprecated";
const NO_REPLY = "org.freedesktop.DBus.Method.NoReply";
const EMITS = "org.freedesktop.DBus.Property.EmitsChangedSignal";
/** `@dbus(object_manager = true)` as the D-Bus emitter writes it (generator/emit/dbus/view-model.ts). */
const OBJECT_MANAGER = "org.novade.IPC.ObjectManager";
const EMITS_VALUES = new Set(["true", "invalidates", "const", "false"]);

interface Ctx {
  readonly b: AstBuilder;
  readonly xmlFile: string;
  /** The XML text, to make spans cover whole start tags. */
  readonly xmlText: string;
  readonly diagnostics: Diagnostic[];
  readonly origins: Map<string, Span>;
}

function docOf(b: AstBuilder, text: string | undefined): DocComment | undefined {
  return b.doc(dedentLines(text));
}

/** Maps annotations; `where` says which first-class forms apply. */
function annotations(ctx: Ctx, list: readonly DbusAnnotationXml[], where: "interface" | "method" | "signal" | "property" | "arg"): Annotation[] {
  const { b } = ctx;
  const out: Annotation[] = [];
  for (const a of list) {
    if (a.name === DEPRECATED && a.value === "true" && where !== "arg") out.push(b.annotation("deprecated"));
    else if (a.name === NO_REPLY && a.value === "true" && where === "method") out.push(b.annotation("oneway"));
    else if (a.name === EMITS && where === "property" && EMITS_VALUES.has(a.value)) continue; // see emitsChanged()
    else out.push(b.annotation("dbus.annotation", [b.str(a.name), b.str(a.value)]));
  }
  return out;
}

function param(ctx: Ctx, key: string, a: DbusArgXml): ParamDecl | undefined {
  const { b } = ctx;
  const t = signatureToType(b, a.type);
  if (!t.ok) {
    ctx.diagnostics.push(createDiagnostic("NIDL4004", "error", `invalid type "${a.type}" of argument ${a.name ?? "(unnamed)"}: ${t.reason}`, xmlSpan(ctx.xmlFile, a.offset, ctx.xmlText)));
    return undefined;
  }
  if (a.name !== undefined) ctx.origins.set(`${key}.${a.name}`, xmlSpan(ctx.xmlFile, a.offset, ctx.xmlText));
  return b.param(a.name === "" ? undefined : a.name, t.type, docOf(b, a.doc), annotations(ctx, a.annotations, "arg"));
}

/**
 * A property's EmitsChangedSignal as D-Bus reads it: its own annotation, else its interface's, else
 * the default "true". "true" becomes the `notify` accessor, "false" is a property without it (which
 * NIDL exports as "false"), "invalidates" and "const" `@emits_changed(...)`; so export → import →
 * export is stable. An unknown value stays verbatim on the property.
 */
function emitsChanged(ctx: Ctx, own: readonly DbusAnnotationXml[], iface: readonly DbusAnnotationXml[]): { notify: boolean; annotations: Annotation[] } {
  const { b } = ctx;
  const mine = own.find((a) => a.name === EMITS)?.value;
  const value = mine ?? iface.find((a) => a.name === EMITS)?.value ?? "true";
  if (value === "true" || value === "false") return { notify: value === "true", annotations: [] };
  if (value === "invalidates" || value === "const") return { notify: false, annotations: [b.annotation("emits_changed", [b.str(value)])] };
  // An unknown value of the property's own is kept by annotations(); an inherited one is copied here.
  return { notify: false, annotations: mine === undefined ? [b.annotation("dbus.annotation", [b.str(EMITS), b.str(value)])] : [] };
}

function member(ctx: Ctx, iface: DbusInterfaceXml, m: DbusItemXml): MemberDecl | undefined {
  const { b } = ctx;
  const key = `${iface.name}.${m.name}`;
  ctx.origins.set(key, xmlSpan(ctx.xmlFile, m.offset, ctx.xmlText));
  const doc = docOf(b, m.doc);
  if (m.kind === "property") {
    const t = signatureToType(b, m.type);
    if (!t.ok) {
      ctx.diagnostics.push(createDiagnostic("NIDL4004", "error", `invalid type "${m.type}" of property ${m.name}: ${t.reason}`, xmlSpan(ctx.xmlFile, m.offset, ctx.xmlText)));
      return undefined;
    }
    const emits = emitsChanged(ctx, m.annotations, iface.annotations);
    const names = [...(m.access === "readwrite" ? ["read", "write"] : [m.access]), ...(emits.notify ? ["notify"] : [])];
    const accessors = names.map((n): PropertyAccessor => ({ kind: "PropertyAccessor", span: b.span, accessor: n as "read" | "write" | "notify" }));
    return { kind: "Property", span: b.span, name: b.ident(m.name), type: t.type, accessors, doc, annotations: [...annotations(ctx, m.annotations, "property"), ...emits.annotations] };
  }
  const ins = m.args.filter((a) => m.kind === "signal" || a.direction !== "out");
  const outs = m.kind === "method" ? m.args.filter((a) => a.direction === "out") : [];
  if (m.kind === "signal" && m.args.some((a) => a.direction === "in")) {
    ctx.diagnostics.push(createDiagnostic("NIDL4003", "warning", `direction="in" on an argument of signal ${m.name} is not kept (signal arguments are always out)`, xmlSpan(ctx.xmlFile, m.offset, ctx.xmlText)));
  }
  const params = ins.map((a) => param(ctx, key, a));
  const results = outs.map((a) => param(ctx, key, a));
  if ([...params, ...results].some((p) => p === undefined)) return undefined;
  const anns = annotations(ctx, m.annotations, m.kind);
  if (m.kind === "signal") {
    return { kind: "Signal", keyword: "signal", span: b.span, name: b.ident(m.name), params: params as ParamDecl[], doc, annotations: anns };
  }
  return {
    kind: "Method",
    keyword: "method",
    span: b.span,
    name: b.ident(m.name),
    params: params as ParamDecl[],
    results: results.length > 0 ? (results as ParamDecl[]) : undefined,
    bareResult: false,
    throws: [],
    doc,
    annotations: anns,
  };
}

function iface(ctx: Ctx, i: DbusInterfaceXml, localName: string): InterfaceDecl {
  const { b } = ctx;
  ctx.origins.set(i.name, xmlSpan(ctx.xmlFile, i.offset, ctx.xmlText));
  const members = i.members.map((m) => member(ctx, i, m)).filter((m): m is MemberDecl => m !== undefined);
  const manager = i.annotations.some((a) => a.name === OBJECT_MANAGER && a.value === "true");
  const dbusArgs: [string, Expr][] = [["name", b.str(i.name)]];
  if (manager) dbusArgs.push(["object_manager", { kind: "BoolLiteral", span: b.span, value: true }]);
  const rest = i.annotations.filter((a) => !(a.name === OBJECT_MANAGER && a.value === "true"));
  return {
    kind: "Interface",
    span: b.span,
    name: b.ident(localName),
    members,
    doc: docOf(b, i.doc),
    annotations: [b.annotation("dbus", dbusArgs), ...annotations(ctx, rest, "interface")],
  };
}

/** The package name for a file: its (unique) output stem, each dotted part made an identifier, lower-cased. */
export function dbusPackageName(xmlPath: string): string {
  const stem = (xmlPath.split("/").pop() ?? "imported").replace(/\.(xml|nidl)$/i, "");
  const parts = stem.split(".").filter((p) => p.length > 0).map((p) => p.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^(\d)/, "_$1"));
  return parts.length > 0 ? parts.join(".") : "imported";
}

/** Interface names inside the package: the last dotted part, made unique. */
function localNames(ifaces: readonly DbusInterfaceXml[]): string[] {
  const used = new Set<string>();
  return ifaces.map((i) => {
    const last = i.name.split(".").pop() || "Interface";
    let name = last;
    for (let n = 2; used.has(name); n++) name = `${last}${n}`;
    used.add(name);
    return name;
  });
}

function nodeFile(ctx: Ctx, node: DbusNodeXml, outPath: string, pkg: string): NidlFile {
  const { b } = ctx;
  if (node.nodes.length > 0) {
    ctx.diagnostics.push(createDiagnostic("NIDL4003", "warning", "the child <node> structure is not kept (their interfaces are imported into this package)", xmlSpan(ctx.xmlFile, node.nodes[0]!.offset, ctx.xmlText)));
  }
  const list = allInterfaces(node);
  const names = localNames(list);
  const pkgAnn: Annotation[] = node.name !== undefined ? [b.annotation("dbus", [["node", b.str(node.name)]])] : [];
  return {
    kind: "File",
    path: outPath,
    span: b.span,
    package: { kind: "Package", span: b.span, name: b.qname(pkg), doc: undefined, annotations: pkgAnn },
    imports: [],
    declarations: list.map((i, k) => iface(ctx, i, names[k]!)),
    comments: [],
    danglingDocs: [],
  };
}

/** Imports D-Bus introspection XML files, one package per file. Pure; a file with errors yields no output. */
export function importDbus(sources: readonly XmlSource[]): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const files: ImportedNidl[] = [];
  const taken = new Set<string>();
  for (const src of sources) {
    const r = readDbusXml(src.text);
    diagnostics.push(...problemDiagnostics(src.path, r.problems, src.text));
    if (r.node === undefined || r.problems.some((p) => p.severity === "error")) continue;
    const out = outputName(src.path, taken);
    const ctx: Ctx = { b: createAstBuilder(out), xmlFile: src.path, xmlText: src.text, diagnostics: [], origins: new Map() };
    const ast = nodeFile(ctx, r.node, out, dbusPackageName(out));
    for (const name of new Set(ctx.b.unrepresentable)) {
      ctx.diagnostics.push(createDiagnostic("NIDL4006", "error", `the name ${JSON.stringify(name)} cannot be written in NIDL (empty, or holds a back-quote or line break)`, xmlSpan(src.path, r.node.offset, src.text)));
    }
    diagnostics.push(...ctx.diagnostics);
    if (ctx.diagnostics.some((d) => d.severity === "error")) continue;
    const leading = new Map<object, readonly string[]>();
    if (r.node.headerComment !== undefined && ast.package) leading.set(ast.package, [dedentLines(r.node.headerComment).join("\n")]);
    files.push({ path: out, source: src.path, ast, text: printNidl(ast, { leadingComments: leading }), origins: ctx.origins });
  }
  return { files, diagnostics };
}
