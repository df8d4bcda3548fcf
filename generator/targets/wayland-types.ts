/**
 * Maps a model argument to its Wayland `<arg>` type. Shared by the Wayland
 * target check (which reports what cannot be mapped) and the Wayland emitter.
 */
import type { ArgModel, Model, TypeModel } from "../model.js";

/** The Wayland wire types. */
export type WaylandArgType = "int" | "uint" | "fixed" | "string" | "object" | "new_id" | "array" | "fd";

/** A Wayland type, or why there is none. */
export type WaylandTypeResult = { ok: true; type: WaylandArgType } | { ok: false; reason: string };

const NULLABLE: ReadonlySet<WaylandArgType> = new Set(["string", "object", "new_id", "array"]);

function base(model: Model, t: TypeModel): WaylandTypeResult {
  switch (t.kind) {
    case "primitive":
      switch (t.name) {
        case "i32": return { ok: true, type: "int" };
        case "u32": return { ok: true, type: "uint" };
        case "fixed": return { ok: true, type: "fixed" };
        case "string": return { ok: true, type: "string" };
        case "bytes": return { ok: true, type: "array" };
        case "fd": return { ok: true, type: "fd" };
        default: return { ok: false, reason: `Wayland has no ${t.name} (arguments are int, uint, fixed, string, object, new_id, array, fd)` };
      }
    case "enum": {
      const decl = model.declarations.get(t.ref.qualifiedName);
      if (decl?.kind !== "enum") return { ok: false, reason: `unknown enum ${t.ref.name}` };
      if (decl.underlying === "i32") return { ok: true, type: "int" };
      if (decl.underlying === "u32") return { ok: true, type: "uint" };
      return { ok: false, reason: `enum ${decl.name} is ${decl.underlying}, but Wayland enums are i32 or u32` };
    }
    case "object":
      return { ok: true, type: "object" };
    case "new_id":
      return { ok: true, type: "new_id" };
    case "list":
      return { ok: false, reason: "Wayland has no lists (use bytes for an array)" };
    case "map":
      return { ok: false, reason: "Wayland has no maps" };
    case "tuple":
      return { ok: false, reason: "Wayland has no tuples (use several arguments)" };
    case "struct":
      return { ok: false, reason: "Wayland has no structs (use several arguments)" };
    case "optional":
      return { ok: false, reason: "an optional cannot be optional again" };
  }
}

/** The Wayland type of an argument (nullability is `arg.allowNull`). */
export function waylandArgType(model: Model, arg: ArgModel): WaylandTypeResult {
  const inner = arg.type.kind === "optional" ? arg.type.inner : arg.type;
  const r = base(model, inner);
  if (!r.ok) return r;
  if (arg.allowNull && !NULLABLE.has(r.type)) {
    return { ok: false, reason: `a ${r.type} cannot be null on Wayland (only string, object, new_id and array can)` };
  }
  return r;
}
