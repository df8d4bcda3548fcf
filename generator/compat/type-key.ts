/**
 * Wire-level identity of a type, for comparing two versions of an interface. Two types with the same key
 * put the same bytes on the wire: enums are their underlying integer, structs are their named fields in order,
 * `bytes` is `list<u8>`, object references compare by the target name of their interface.
 */
import type { DeclRef, Model, StructModel, TypeModel } from "../model.js";

function ifaceName(model: Model, ref: DeclRef | undefined): string {
  if (ref === undefined) return "";
  const decl = model.declarations.get(ref.qualifiedName);
  if (decl !== undefined && decl.kind === "interface") return decl.exportedTo.includes("wayland") ? decl.targets.wayland.name : decl.targets.dbus.name;
  return ref.name;
}

/** The canonical key of a type; `depth` guards against (illegal) recursive structs. */
export function typeKey(model: Model, t: TypeModel, depth = 0): string {
  if (depth > 64) return "…";
  switch (t.kind) {
    case "primitive":
      return t.name === "bytes" ? "list<u8>" : t.name;
    case "list":
      return `list<${typeKey(model, t.element, depth + 1)}>`;
    case "map":
      return `map<${typeKey(model, t.key, depth + 1)}, ${typeKey(model, t.value, depth + 1)}>`;
    case "optional":
      return `${typeKey(model, t.inner, depth + 1)}?`;
    case "tuple":
      return `(${t.elements.map((e) => typeKey(model, e, depth + 1)).join(", ")})`;
    case "struct": {
      const s = model.declarations.get(t.ref.qualifiedName) as StructModel | undefined;
      // Field names count: the RPC wire carries a struct as a map keyed by them (D-Bus as a tuple, so order counts too).
      return s === undefined ? t.ref.name : `{${s.fields.map((f) => `${f.name}: ${typeKey(model, f.type, depth + 1)}`).join(", ")}}`;
    }
    case "enum": {
      const e = model.declarations.get(t.ref.qualifiedName);
      return e !== undefined && e.kind === "enum" ? e.underlying : "u32";
    }
    case "object":
      return t.interface === undefined ? "object" : `object<${ifaceName(model, t.interface)}>`;
    case "new_id":
      return t.interface === undefined ? "new_id" : `new_id<${ifaceName(model, t.interface)}>`;
  }
}

/** A readable spelling for messages: the declared name for named types, else the key. */
export function typeLabel(model: Model, t: TypeModel): string {
  if (t.alias !== undefined) return t.alias.name;
  if (t.kind === "struct" || t.kind === "enum") return `${t.ref.name} (${typeKey(model, t)})`;
  return typeKey(model, t);
}

function closedEnum(model: Model, t: TypeModel): string | undefined {
  if (t.kind !== "enum") return undefined;
  const e = model.declarations.get(t.ref.qualifiedName);
  return e !== undefined && e.kind === "enum" && e.closed ? t.ref.qualifiedName : undefined;
}

/**
 * Two types with the same {@link typeKey} may still differ for a strict reader: where one side has a
 * `@closed` enum and the other an integer or another enum, one side rejects values the other sends.
 * Returns a description of the first such position, or undefined. (The same enum on both sides is left
 * to the enum rules, which know about entries added and `@closed` removed.)
 */
export function closedEnumSwap(oldModel: Model, o: TypeModel, newModel: Model, n: TypeModel, depth = 0): string | undefined {
  if (depth > 64) return undefined;
  const oc = closedEnum(oldModel, o), nc = closedEnum(newModel, n);
  if (oc !== undefined || nc !== undefined) {
    const same = o.kind === "enum" && n.kind === "enum" && o.ref.qualifiedName === n.ref.qualifiedName;
    return same ? undefined : `${typeLabel(oldModel, o)}${oc ? " (@closed)" : ""} became ${typeLabel(newModel, n)}${nc ? " (@closed)" : ""}`;
  }
  const next = (a: TypeModel, b: TypeModel) => closedEnumSwap(oldModel, a, newModel, b, depth + 1);
  if (o.kind === "list" && n.kind === "list") return next(o.element, n.element);
  if (o.kind === "optional" && n.kind === "optional") return next(o.inner, n.inner);
  if (o.kind === "map" && n.kind === "map") return next(o.key, n.key) ?? next(o.value, n.value);
  if (o.kind === "tuple" && n.kind === "tuple") {
    for (let k = 0; k < o.elements.length && k < n.elements.length; k++) {
      const found = next(o.elements[k]!, n.elements[k]!);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (o.kind === "struct" && n.kind === "struct" && o.ref.qualifiedName !== n.ref.qualifiedName) {
    const os = oldModel.declarations.get(o.ref.qualifiedName), ns = newModel.declarations.get(n.ref.qualifiedName);
    if (os?.kind !== "struct" || ns?.kind !== "struct") return undefined;
    for (let k = 0; k < os.fields.length && k < ns.fields.length; k++) {
      const found = next(os.fields[k]!.type, ns.fields[k]!.type);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
