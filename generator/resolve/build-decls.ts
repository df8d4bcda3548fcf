/**
 * Builds the model of type declarations: structs, enums/flags, errors,
 * typedefs and constants (top-level or nested in an interface).
 */
import type * as A from "../ast.js";
import type * as M from "../model.js";
import { error, warning } from "../diagnostics.js";
import { readAnnotations } from "./annotations.js";
import { evaluate, exprText, INTEGER_RANGES, type EvalResult } from "./const-eval.js";
import { toDocs } from "./docs.js";
import { targetInfo, type BuildContext } from "./context.js";
import type { Scope, SymbolEntry } from "./symbols.js";
import { MAX_CHAIN } from "./resolve-type.js";
import { parseWaylandValue } from "../targets/wayland-enum-value.js";

/** Reports the second of two same-named items (NIDL2004) and returns whether `name` is new. */
export function checkUnique(ctx: BuildContext, seen: Map<string, A.Ident>, name: A.Ident, what: string, owner: string): boolean {
  const prev = seen.get(name.name);
  if (prev !== undefined) {
    ctx.diagnostics.push(error("NIDL2004", `duplicate ${what} "${name.name}" in ${owner}`, name.span, [{ message: `"${name.name}" was first declared here`, span: prev.span }]));
    return false;
  }
  seen.set(name.name, name);
  return true;
}

function qualified(scope: Scope, name: string): string {
  const local = scope.iface === undefined ? name : `${scope.iface}.${name}`;
  return scope.pkg === "" ? local : `${scope.pkg}.${local}`;
}

function base(ctx: BuildContext, decl: A.NestedDecl, scope: Scope, site: Parameters<typeof readAnnotations>[1], dbusDefault?: string) {
  const facts = readAnnotations(decl.annotations, site, ctx.diagnostics);
  return {
    facts,
    common: {
      name: decl.name.name,
      qualifiedName: qualified(scope, decl.name.name),
      package: scope.pkg,
      interface: scope.iface === undefined ? undefined : qualified({ ...scope, iface: undefined }, scope.iface),
      docs: toDocs(decl.doc, facts.summary),
      since: facts.since?.value,
      deprecated: facts.deprecated,
      targets: targetInfo(facts, dbusDefault ?? decl.name.name, decl.name.name),
      span: decl.span,
    },
  };
}

function fieldsOf(ctx: BuildContext, fields: readonly A.FieldDecl[], scope: Scope, owner: string): M.FieldModel[] {
  const seen = new Map<string, A.Ident>();
  const out: M.FieldModel[] = [];
  for (const f of fields) {
    if (!checkUnique(ctx, seen, f.name, "field", owner)) continue;
    const facts = readAnnotations(f.annotations, "field", ctx.diagnostics);
    const type = ctx.types.resolve(f.type, scope);
    if (type === undefined) continue;
    out.push({ name: f.name.name, type, docs: toDocs(f.doc, facts.summary), since: facts.since?.value, deprecated: facts.deprecated, span: f.span });
  }
  return out;
}

/** Evaluates a constant declaration (cached; detects constants defined through themselves). */
export function constValue(ctx: BuildContext, entry: SymbolEntry, stack: string[] = []): M.ConstValue | undefined {
  const key = entry.ref.qualifiedName;
  if (ctx.constValues.has(key)) return ctx.constValues.get(key);
  const decl = entry.decl as A.ConstDecl;
  if (stack.includes(key)) {
    ctx.diagnostics.push(error("NIDL2007", `constant "${entry.ref.name}" is defined through itself`, decl.name.span));
    ctx.constValues.set(key, undefined);
    return undefined;
  }
  if (stack.length >= MAX_CHAIN) {
    ctx.diagnostics.push(error("NIDL2023", `constant "${entry.ref.name}" is defined through more than ${MAX_CHAIN} other constants`, decl.name.span));
    ctx.constValues.set(key, undefined);
    return undefined;
  }
  const scope: Scope = { file: entry.file, pkg: entry.ref.package, iface: entry.ref.interface };
  const r = evaluate(decl.value, (name, span) => lookupConst(ctx, name, span, scope, [...stack, key]));
  let value: M.ConstValue | undefined;
  // An empty message marks a failure already reported where it happened (no cascade).
  if (!r.ok) {
    if (r.message !== "") ctx.diagnostics.push(error("NIDL2020", r.message, r.span));
  } else value = r.value;
  if (!ctx.constValues.has(key)) ctx.constValues.set(key, value);
  return ctx.constValues.get(key);
}

function lookupConst(ctx: BuildContext, name: string, span: A.Span, scope: Scope, stack: string[]): EvalResult | undefined {
  const r = ctx.table.lookup(name, scope);
  if (!r.ok || r.entry.ref.kind !== "const") return undefined;
  const v = constValue(ctx, r.entry, stack);
  return v === undefined ? { ok: false, message: "", span } : { ok: true, value: v };
}

/** Builds a struct. */
export function buildStruct(ctx: BuildContext, decl: A.StructDecl, scope: Scope): M.StructModel {
  const { common } = base(ctx, decl, scope, "struct");
  return { kind: "struct", ...common, fields: fieldsOf(ctx, decl.fields, scope, `struct "${decl.name.name}"`) };
}

/** Builds an error. */
export function buildError(ctx: BuildContext, decl: A.ErrorDecl, scope: Scope): M.ErrorModel {
  const dbusDefault = `${scope.pkg === "" ? "" : scope.pkg + "."}Error.${decl.name.name}`;
  const { common } = base(ctx, decl, scope, "error", dbusDefault);
  return {
    kind: "error",
    ...common,
    fields: fieldsOf(ctx, decl.fields, scope, `error "${decl.name.name}"`),
    dbusErrorName: common.targets.dbus.name,
  };
}

/** Builds a typedef (its uses are expanded by the type resolver). */
export function buildTypedef(ctx: BuildContext, decl: A.TypedefDecl, scope: Scope, entry: SymbolEntry | undefined): M.TypedefModel | undefined {
  const { common } = base(ctx, decl, scope, "typedef");
  const type = entry ? ctx.types.typedefType(entry) : ctx.types.resolve(decl.type, scope);
  return type === undefined ? undefined : { kind: "typedef", ...common, type };
}

/** Builds a constant and checks its value against its type. */
export function buildConst(ctx: BuildContext, decl: A.ConstDecl, scope: Scope, entry: SymbolEntry | undefined): M.ConstModel | undefined {
  const { common } = base(ctx, decl, scope, "const");
  const type = ctx.types.resolve(decl.type, scope);
  const value = entry ? constValue(ctx, entry) : undefined;
  if (type === undefined || value === undefined) return undefined;
  if (!constFits(type, value)) {
    ctx.diagnostics.push(error("NIDL2015", `value ${exprText(decl.value)} does not fit type ${typeText(type)}`, decl.value.span));
    return undefined;
  }
  return { kind: "const", ...common, type, value };
}

function typeText(t: M.TypeModel): string {
  return t.kind === "primitive" ? t.name : t.kind;
}

function constFits(type: M.TypeModel, v: M.ConstValue): boolean {
  if (type.kind !== "primitive") return false;
  const range = INTEGER_RANGES[type.name];
  if (range) return v.kind === "integer" && v.value >= range[0] && v.value <= range[1];
  if (type.name === "f32" || type.name === "f64" || type.name === "fixed") return v.kind === "float" || v.kind === "integer";
  if (type.name === "string") return v.kind === "string";
  if (type.name === "bool") return v.kind === "bool";
  return false;
}

type Underlying = M.EnumModel["underlying"];

function underlyingOf(ctx: BuildContext, decl: A.EnumDecl): Underlying {
  const u = decl.underlying;
  if (u === undefined) return "u32";
  if (u.kind === "NamedType" && u.args.length === 0 && u.name.parts.length === 1 && INTEGER_RANGES[u.name.text]) {
    return u.name.text as Underlying;
  }
  ctx.diagnostics.push(error("NIDL2022", "the underlying type of an enum must be an integer type (i8 … u64)", u.span));
  return "u32";
}

/** Builds an enum or flags; entry values are evaluated and range-checked. */
export function buildEnum(ctx: BuildContext, decl: A.EnumDecl, scope: Scope): M.EnumModel {
  const { common, facts: declFacts } = base(ctx, decl, scope, "enum");
  const underlying = underlyingOf(ctx, decl);
  const bitfield = decl.keyword === "flags";
  const [min, max] = INTEGER_RANGES[underlying];
  const seen = new Map<string, A.Ident>();
  const values = new Map<bigint, string>();
  const entries: M.EnumEntryModel[] = [];
  let prev: bigint | undefined;
  for (const e of decl.entries) {
    if (!checkUnique(ctx, seen, e.name, "entry", `enum "${decl.name.name}"`)) continue;
    const facts = readAnnotations(e.annotations, "entry", ctx.diagnostics);
    let value: bigint | undefined;
    let valueText: string;
    if (e.value === undefined) {
      value = prev === undefined ? (bitfield ? 1n : 0n) : bitfield ? (prev <= 0n ? 1n : 1n << BigInt(prev.toString(2).length)) : prev + 1n;
      valueText = value.toString();
    } else if (e.value.kind === "StringLiteral") {
      // A string holds a value in Wayland's notation (a C constant expression), read as the importer reads it.
      const r = parseWaylandValue(e.value.value);
      valueText = e.value.value.trim();
      if (r.ok) value = r.value;
      else ctx.diagnostics.push(error("NIDL2020", `cannot read an integer from ${JSON.stringify(e.value.value)}: ${r.reason}`, e.value.span));
    } else {
      const r = evaluate(e.value, (name, span) => {
        const local = entries.find((x) => x.name === name);
        if (local) return { ok: true, value: { kind: "integer", value: local.value } };
        return lookupConst(ctx, name, span, scope, []);
      });
      valueText = exprText(e.value);
      if (!r.ok) {
        if (r.message !== "") ctx.diagnostics.push(error("NIDL2020", r.message, r.span));
      } else if (r.value.kind !== "integer") ctx.diagnostics.push(error("NIDL2020", "an enum value must be an integer", e.value.span));
      else value = r.value.value;
    }
    if (value === undefined) continue;
    if (value < min || value > max) {
      ctx.diagnostics.push(error("NIDL2014", `value ${value} of "${e.name.name}" does not fit ${underlying}`, e.value?.span ?? e.name.span));
      continue;
    }
    const dup = values.get(value);
    if (dup !== undefined && !bitfield) {
      ctx.diagnostics.push(warning("NIDL2021", `"${e.name.name}" has the same value (${value}) as "${dup}"`, e.name.span));
    }
    values.set(value, e.name.name);
    prev = value;
    entries.push({
      name: e.name.name,
      value,
      valueText,
      docs: toDocs(e.doc, facts.summary),
      since: facts.since?.value,
      deprecated: facts.deprecated,
      targets: targetInfo(facts, e.name.name, e.name.name),
      span: e.span,
    });
  }
  return { kind: "enum", ...common, bitfield, closed: declFacts.closed, underlying, entries };
}
