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
