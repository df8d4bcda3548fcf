/**
 * Type expressions → {@link TypeModel}: built-ins, containers, references to
 * declarations, typedef expansion (with cycle detection). Reports unknown
 * names, wrong argument counts, bad map keys and nested optionals. Returns
 * `undefined` for a type it could not resolve (already reported).
 */
import type * as A from "../ast.js";
import type { DeclRef, PrimitiveName, TypeModel } from "../model.js";
import { error, type Diagnostic } from "../diagnostics.js";
import type { Scope, SymbolEntry, SymbolTable } from "./symbols.js";
import { suggest } from "./suggest.js";

/** Built-in scalar names. */
export const PRIMITIVES: ReadonlySet<string> = new Set<PrimitiveName>([
  "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
  "string", "bytes", "fixed", "fd", "objpath", "signature", "variant",
]);

/** Longest typedef/constant chain followed before giving up (the resolver is recursive). */
export const MAX_CHAIN = 200;

const CONTAINERS: Record<string, [number, number]> = { list: [1, 1], map: [2, 2], object: [0, 1], new_id: [0, 1] };

/** Resolves types against a symbol table. */
export interface TypeResolver {
  resolve(node: A.TypeNode, scope: Scope): TypeModel | undefined;
  /** Resolves a reference to a declaration by name (for `throws`, `@enum`, ...). */
  resolveRef(name: A.QualifiedName, scope: Scope): SymbolEntry | undefined;
  /** The expanded type of a typedef (resolved once). */
  typedefType(entry: SymbolEntry): TypeModel | undefined;
}

function scopeOf(entry: SymbolEntry): Scope {
  return { file: entry.file, pkg: entry.ref.package, iface: entry.ref.interface };
}

/** Describes a declaration kind for messages. */
export function kindNoun(kind: DeclRef["kind"]): string {
  return kind === "const" ? "constant" : kind;
}

/** Creates the resolver; diagnostics are appended to `diagnostics`. */
export function createTypeResolver(table: SymbolTable, diagnostics: Diagnostic[]): TypeResolver {
  const typedefCache = new Map<string, TypeModel | undefined>();
  const inProgress: string[] = [];

  const resolveRef = (name: A.QualifiedName, scope: Scope): SymbolEntry | undefined => {
    const r = table.lookup(name.text, scope);
    if (r.ok) return r.entry;
    if (r.reason === "ambiguous") {
      diagnostics.push(
        error("NIDL2001", `"${name.text}" is ambiguous`, name.span,
          r.candidates.map((c) => ({ message: `could be ${c.ref.qualifiedName}`, span: c.decl.name.span }))),
      );
    } else {
      const elsewhere = r.candidates[0] ?? [...table.entries.values()].find((e) => e.ref.interface === undefined && e.ref.name === name.text);
      let hint = elsewhere !== undefined ? ` (import the file of package "${elsewhere.ref.package}")` : "";
      if (hint === "") {
        const near = suggest(name.text, visibleNames(table, scope));
        if (near !== undefined) hint = `; did you mean "${near}"?`;
      }
      diagnostics.push(error("NIDL2001", `unknown name "${name.text}"${hint}`, name.span));
    }
    return undefined;
  };

  const typedefType = (entry: SymbolEntry): TypeModel | undefined => {
    const key = entry.ref.qualifiedName;
    if (typedefCache.has(key)) return typedefCache.get(key);
    if (inProgress.includes(key)) {
      const cycle = [...inProgress.slice(inProgress.indexOf(key)), key].map((k) => k.split(".").pop()).join(" → ");
      diagnostics.push(error("NIDL2007", `typedef "${entry.ref.name}" refers to itself (${cycle})`, entry.decl.name.span));
      typedefCache.set(key, undefined);
      return undefined;
    }
    if (inProgress.length >= MAX_CHAIN) {
      diagnostics.push(error("NIDL2023", `typedef "${entry.ref.name}" is reached through more than ${MAX_CHAIN} other typedefs`, entry.decl.name.span));
      typedefCache.set(key, undefined);
      return undefined;
    }
    inProgress.push(key);
    const t = resolve((entry.decl as A.TypedefDecl).type, scopeOf(entry));
    inProgress.pop();
    if (!typedefCache.has(key)) typedefCache.set(key, t);
    return typedefCache.get(key);
  };

  const named = (node: A.NamedType, scope: Scope): TypeModel | undefined => {
    const text = node.name.text;
    const simple = node.name.parts.length === 1 && !node.name.parts[0].quoted;
    if (simple && PRIMITIVES.has(text)) {
      if (node.args.length > 0) {
        diagnostics.push(error("NIDL2008", `"${text}" takes no type arguments`, node.span));
        return undefined;
      }
      return { kind: "primitive", name: text as PrimitiveName };
    }
    if (simple && text in CONTAINERS) return container(node, text, scope);
    if (node.args.length > 0) {
      diagnostics.push(error("NIDL2008", `"${text}" takes no type arguments`, node.span));
      return undefined;
    }
    const entry = resolveRef(node.name, scope);
    if (entry === undefined) return undefined;
    switch (entry.ref.kind) {
      case "struct":
        return { kind: "struct", ref: entry.ref };
      case "enum":
        return { kind: "enum", ref: entry.ref };
      case "typedef": {
        const t = typedefType(entry);
        return t === undefined ? undefined : { ...t, alias: entry.ref };
      }
      case "interface":
        diagnostics.push(error("NIDL2006", `"${text}" is an interface; write object<${text}> or new_id<${text}>`, node.name.span));
        return undefined;
      default:
        diagnostics.push(error("NIDL2006", `"${text}" is ${kindNoun(entry.ref.kind) === "error" ? "an error" : "a constant"}, not a type`, node.name.span));
        return undefined;
    }
  };

  const container = (node: A.NamedType, name: string, scope: Scope): TypeModel | undefined => {
    const [min, max] = CONTAINERS[name];
    if (node.args.length < min || node.args.length > max) {
      const want = min === max ? `${min}` : `${min} or ${max}`;
      diagnostics.push(error("NIDL2008", `"${name}" takes ${want} type argument${max === 1 ? "" : "s"}, got ${node.args.length}`, node.span));
      return undefined;
    }
    if (name === "object" || name === "new_id") {
      let iface: DeclRef | undefined;
      const arg = node.args[0];
      if (arg !== undefined) {
        if (arg.kind !== "NamedType" || arg.args.length > 0 || PRIMITIVES.has(arg.name.text) || arg.name.text in CONTAINERS) {
          diagnostics.push(error("NIDL2006", `${name}<...> takes an interface name`, arg.span));
          return undefined;
        }
        const entry = resolveRef(arg.name, scope);
        if (entry === undefined) return undefined;
        if (entry.ref.kind !== "interface") {
          diagnostics.push(error("NIDL2006", `"${arg.name.text}" is not an interface`, arg.span));
          return undefined;
        }
        iface = entry.ref;
      }
      return { kind: name, interface: iface };
    }
    const args = node.args.map((a) => resolve(a, scope));
    if (args.some((a) => a === undefined)) return undefined;
    if (name === "list") return { kind: "list", element: args[0]! };
    const key = args[0]!;
    if (!isValidMapKey(key)) {
      diagnostics.push(error("NIDL2016", "a map key must be an integer, bool, f64, string, objpath, signature, fd or enum", node.args[0].span));
      return undefined;
    }
    return { kind: "map", key, value: args[1]! };
  };

  const resolve = (node: A.TypeNode, scope: Scope): TypeModel | undefined => {
    switch (node.kind) {
      case "NamedType":
        return named(node, scope);
      case "TupleType": {
        const elements = node.elements.map((e) => resolve(e, scope));
        if (elements.some((e) => e === undefined)) return undefined;
        return { kind: "tuple", elements: elements as TypeModel[] };
      }
      case "OptionalType": {
        const inner = resolve(node.inner, scope);
        if (inner === undefined) return undefined;
        if (inner.kind === "optional") {
          diagnostics.push(error("NIDL2019", "an optional type cannot be optional again", node.span));
          return undefined;
        }
        return { kind: "optional", inner };
      }
    }
  };

  return { resolve, resolveRef, typedefType };
}

/** Names a reference could have meant from `scope`: built-ins and declarations of visible packages, as written there. */
function visibleNames(table: SymbolTable, scope: Scope): string[] {
  const names = new Set<string>([...PRIMITIVES, ...Object.keys(CONTAINERS)]);
  const pkgs = table.visiblePackages(scope.file);
  for (const e of table.entries.values()) {
    if (!pkgs.includes(e.ref.package)) continue;
    const local = e.ref.interface === undefined ? e.ref.name : `${e.ref.interface}.${e.ref.name}`;
    names.add(local);
    if (e.ref.interface !== undefined && e.ref.interface === scope.iface && e.ref.package === scope.pkg) names.add(e.ref.name);
  }
  return [...names];
}

function isValidMapKey(t: TypeModel): boolean {
  if (t.kind === "enum") return true;
  if (t.kind !== "primitive") return false;
  return !["bytes", "variant", "fixed", "f32"].includes(t.name);
}
