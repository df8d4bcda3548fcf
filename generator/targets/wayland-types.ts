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

/** The Wayland name of an `object<I>` / `new_id<I>` argument's interface (`wl_surface`), if it names one. */
export function waylandArgInterface(model: Model, arg: ArgModel): string | undefined {
  const target = arg.interfaceRef ? model.declarations.get(arg.interfaceRef.qualifiedName) : undefined;
  return target?.kind === "interface" ? target.targets.wayland.name : undefined;
}

/**
 * The enum of an argument in Wayland names: the enum's name and its owning interface's
 * (`{ owner: "wl_output", name: "transform" }`; `owner` undefined for a top-level enum) and the
 * qualified name of that owner in the model, so an emitter can tell whether it is the arg's own interface.
 */
export function waylandArgEnum(model: Model, arg: ArgModel): { owner: string | undefined; ownerQualified: string | undefined; name: string } | undefined {
  const ref = arg.enumRef;
  if (ref === undefined) return undefined;
  const decl = model.declarations.get(ref.qualifiedName);
  const name = decl?.kind === "enum" ? decl.targets.wayland.name : ref.name;
  if (ref.interface === undefined) return { owner: undefined, ownerQualified: undefined, name };
  const ownerQualified = `${ref.package === "" ? "" : `${ref.package}.`}${ref.interface}`;
  const owner = model.declarations.get(ownerQualified);
  return { owner: owner?.kind === "interface" ? owner.targets.wayland.name : ref.interface, ownerQualified, name };
}
