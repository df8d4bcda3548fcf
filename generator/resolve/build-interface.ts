/**
 * Builds the model of an interface: its members (methods/requests,
 * signals/events, properties) with arguments, and its nested declarations.
 */
import type * as A from "../ast.js";
import type * as M from "../model.js";
import { error } from "../diagnostics.js";
import { readAnnotations, type AnnotationFacts } from "./annotations.js";
import { toArgDocs, toDocs } from "./docs.js";
import { targetInfo, type BuildContext } from "./context.js";
import type { Scope } from "./symbols.js";
import { interfaceTopicPrefix, signalTopic } from "./event-topics.js";
import { buildConst, buildEnum, buildError, buildStruct, buildTypedef, checkUnique } from "./build-decls.js";

function unwrapOptional(t: M.TypeModel): M.TypeModel {
  return t.kind === "optional" ? t.inner : t;
}

const INTEGER_NAMES = new Set(["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"]);

function buildArg(ctx: BuildContext, p: A.ParamDecl, scope: Scope): M.ArgModel | undefined {
  const facts = readAnnotations(p.annotations, "param", ctx.diagnostics);
  const type = ctx.types.resolve(p.type, scope);
  if (type === undefined) return undefined;
  const inner = unwrapOptional(type);
  let enumRef: M.DeclRef | undefined = inner.kind === "enum" ? inner.ref : undefined;
  if (facts.enumRef !== undefined) {
    const entry = ctx.types.resolveRef(facts.enumRef, scope);
    if (entry !== undefined && entry.ref.kind !== "enum") {
      ctx.diagnostics.push(error("NIDL2006", `"${facts.enumRef.text}" is not an enum`, facts.enumRef.span));
    } else if (entry !== undefined) {
      if (inner.kind === "primitive" && INTEGER_NAMES.has(inner.name)) enumRef = entry.ref;
      else ctx.diagnostics.push(error("NIDL2006", "@enum(...) applies to an integer argument", p.type.span));
    }
  }
  const interfaceRef = inner.kind === "object" || inner.kind === "new_id" ? inner.interface : undefined;
  const name = p.name?.name;
  return {
    name,
    type,
    allowNull: type.kind === "optional",
    enumRef,
    interfaceRef,
    docs: toArgDocs(p.doc, facts.summary),
    since: facts.since?.value,
    targets: targetInfo(facts, name ?? "", name ?? ""),
    span: p.span,
  };
}

function buildArgs(ctx: BuildContext, params: readonly A.ParamDecl[], scope: Scope, owner: string): M.ArgModel[] {
  const seen = new Map<string, A.Ident>();
  const out: M.ArgModel[] = [];
  for (const p of params) {
    if (p.name !== undefined && !checkUnique(ctx, seen, p.name, "argument", owner)) continue;
    const a = buildArg(ctx, p, scope);
    if (a) out.push(a);
  }
  return out;
}

function memberBase(decl: A.MethodDecl | A.SignalDecl | A.PropertyDecl, facts: AnnotationFacts, iface: string, pkg: string) {
  return {
    name: decl.name.name,
    qualifiedName: `${iface}.${decl.name.name}`,
    package: pkg,
    interface: iface,
    docs: toDocs(decl.doc, facts.summary),
    since: facts.since?.value,
    deprecated: facts.deprecated,
    targets: targetInfo(facts, decl.name.name, decl.name.name),
    span: decl.span,
    nameSpan: decl.name.span,
  };
}

function buildMethod(ctx: BuildContext, d: A.MethodDecl, scope: Scope, iface: string, ifaceCallbacks: boolean): M.MethodModel {
  const facts = readAnnotations(d.annotations, "method", ctx.diagnostics);
  const owner = `${d.keyword} "${d.name.name}"`;
  const throws: M.DeclRef[] = [];
  for (const t of d.throws) {
    const entry = ctx.types.resolveRef(t, scope);
    if (entry === undefined) continue;
    if (entry.ref.kind !== "error") ctx.diagnostics.push(error("NIDL2006", `"${t.text}" is not an error`, t.span));
    else throws.push(entry.ref);
  }
  const inArgs = buildArgs(ctx, d.params, scope, owner);
  const outArgs = buildArgs(ctx, d.results ?? [], scope, owner);
  return {
    kind: "method",
    keyword: d.keyword,
    ...memberBase(d, facts, iface, scope.pkg),
    inArgs,
    outArgs,
    throws,
    oneway: facts.oneway,
    idempotent: facts.idempotent,
    destructor: facts.destructor,
    callbacks: facts.ts.callbacks || ifaceCallbacks,
  };
}

function buildSignal(ctx: BuildContext, d: A.SignalDecl, scope: Scope, iface: string, ifaceFacts: { prefix: string | undefined; persistent: boolean }): M.SignalModel {
  const facts = readAnnotations(d.annotations, "signal", ctx.diagnostics);
  const topic = signalTopic({ topic: facts.topic, span: facts.topicSpan }, ifaceFacts.prefix, d.name.name, d.name.span, ctx.diagnostics);
  return {
    kind: "signal",
    keyword: d.keyword,
    ...memberBase(d, facts, iface, scope.pkg),
    args: buildArgs(ctx, d.params, scope, `${d.keyword} "${d.name.name}"`),
    destructor: facts.destructor,
    topic,
    persistent: facts.persistent || ifaceFacts.persistent,
  };
}

function buildProperty(ctx: BuildContext, d: A.PropertyDecl, scope: Scope, iface: string): M.PropertyModel | undefined {
  const facts = readAnnotations(d.annotations, "property", ctx.diagnostics);
  const type = ctx.types.resolve(d.type, scope);
  const seen = new Set<string>();
  for (const a of d.accessors ?? []) {
    if (seen.has(a.accessor)) ctx.diagnostics.push(error("NIDL2018", `"${a.accessor}" is given twice`, a.span));
    seen.add(a.accessor);
  }
  if (d.accessors !== undefined && !seen.has("read") && !seen.has("write") && !seen.has("notify")) {
    ctx.diagnostics.push(error("NIDL2018", 'a property needs "read", "write" or both', d.name.span));
  }
  if (type === undefined) return undefined;
  const read = d.accessors === undefined || seen.has("read") || (seen.has("notify") && !seen.has("write"));
  const write = seen.has("write");
  const access = read && write ? "readwrite" : write ? "write" : "read";
  const emitsChanged = facts.emitsChanged ?? (seen.has("notify") ? "true" : undefined);
  return {
    kind: "property",
    ...memberBase(d, facts, iface, scope.pkg),
    type,
    access,
    emitsChanged,
    notify: emitsChanged === "true" || emitsChanged === "invalidates",
  };
}

/** Builds an interface and registers its nested declarations in `ctx.declarations`. */
export function buildInterface(ctx: BuildContext, decl: A.InterfaceDecl, file: A.NidlFile, pkg: string, pkgExternal: boolean): M.InterfaceModel {
  const facts = readAnnotations(decl.annotations, "interface", ctx.diagnostics);
  const qualifiedName = pkg === "" ? decl.name.name : `${pkg}.${decl.name.name}`;
  const scope: Scope = { file, pkg, iface: decl.name.name };
  const version = typeof facts.version?.value === "number" ? facts.version.value : 1;
  const exportedTo: M.ProtocolTarget[] = [];
  if (facts.dbus.present) exportedTo.push("dbus");
  if (facts.wayland.present) exportedTo.push("wayland");
  const topicPrefix = interfaceTopicPrefix(facts.topic, facts.topicSpan, decl.name.span, ctx.diagnostics);
  const members: M.MemberModel[] = [];
  const nested = { enums: [] as M.EnumModel[], structs: [] as M.StructModel[], errors: [] as M.ErrorModel[], typedefs: [] as M.TypedefModel[], constants: [] as M.ConstModel[] };
  const seen = { method: new Map<string, A.Ident>(), signal: new Map<string, A.Ident>(), property: new Map<string, A.Ident>() };
  for (const m of decl.members) {
    if (m.kind === "Method" || m.kind === "Signal" || m.kind === "Property") {
      const group = m.kind === "Method" ? seen.method : m.kind === "Signal" ? seen.signal : seen.property;
      const prev = group.get(m.name.name);
      if (prev !== undefined) {
        const noun = m.kind === "Method" ? m.keyword : m.kind === "Signal" ? m.keyword : "property";
        ctx.diagnostics.push(
          error("NIDL2003", `duplicate ${noun} "${m.name.name}" in interface "${decl.name.name}"`, m.name.span, [
            { message: `"${m.name.name}" was first declared here`, span: prev.span },
          ]),
        );
        continue;
      }
      group.set(m.name.name, m.name);
    }
    const entry = m.kind === "Method" || m.kind === "Signal" || m.kind === "Property" ? undefined : ctx.table.entries.get(`${qualifiedName}.${m.name.name}`);
    if (entry !== undefined && entry.decl !== m) continue; // a duplicate, reported by the symbol table
    switch (m.kind) {
      case "Method":
        members.push(buildMethod(ctx, m, scope, qualifiedName, facts.ts.callbacks));
        break;
      case "Signal":
        members.push(buildSignal(ctx, m, scope, qualifiedName, { prefix: topicPrefix, persistent: facts.persistent }));
        break;
      case "Property": {
        const p = buildProperty(ctx, m, scope, qualifiedName);
        if (p) members.push(p);
        break;
      }
      default:
        registerNested(ctx, m, scope, nested, entry);
    }
  }
  const model: M.InterfaceModel = {
    kind: "interface",
    name: decl.name.name,
    qualifiedName,
    package: pkg,
    docs: toDocs(decl.doc, facts.summary),
    since: facts.since?.value,
    deprecated: facts.deprecated,
    targets: targetInfo(facts, facts.dbus.name ?? qualifiedName, decl.name.name),
    span: decl.span,
    version,
    external: facts.external || pkgExternal,
    exportedTo,
    dbusPath: facts.dbus.path,
    dbusObjectManager: facts.dbus.objectManager,
    topic: facts.topic,
    persistent: facts.persistent,
    members,
    methods: members.filter((m): m is M.MethodModel => m.kind === "method"),
    signals: members.filter((m): m is M.SignalModel => m.kind === "signal"),
    properties: members.filter((m): m is M.PropertyModel => m.kind === "property"),
    ...nested,
  };
  ctx.declarations.set(qualifiedName, model);
  return model;
}

/** Lists a package or interface collects nested declarations into. */
export interface DeclLists {
  enums: M.EnumModel[];
  structs: M.StructModel[];
  errors: M.ErrorModel[];
  typedefs: M.TypedefModel[];
  constants: M.ConstModel[];
}

/** Builds one type declaration, registers it, and appends it to the right list. */
export function registerNested(ctx: BuildContext, d: A.NestedDecl, scope: Scope, lists: DeclLists, entry: ReturnType<BuildContext["table"]["entries"]["get"]>): void {
  let model: M.DeclModel | undefined;
  switch (d.kind) {
    case "Struct":
      lists.structs.push((model = buildStruct(ctx, d, scope)));
      break;
    case "Enum":
      lists.enums.push((model = buildEnum(ctx, d, scope)));
      break;
    case "Error":
      lists.errors.push((model = buildError(ctx, d, scope)));
      break;
    case "Typedef":
      model = buildTypedef(ctx, d, scope, entry);
      if (model) lists.typedefs.push(model);
      break;
    case "Const":
      model = buildConst(ctx, d, scope, entry);
      if (model) lists.constants.push(model);
      break;
  }
  if (model) ctx.declarations.set(model.qualifiedName, model);
}
