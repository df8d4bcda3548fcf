/**
 * Maps model types to D-Bus type signatures. Shared by the D-Bus target check
 * (which reports what cannot be mapped) and the D-Bus emitter (which only runs
 * on checked models).
 */
import type { Model, TypeModel } from "../model.js";

/** A signature, or why the type has none. */
export type SignatureResult = { ok: true; signature: string } | { ok: false; reason: string };

const PRIMITIVE_SIGNATURES: Record<string, string | undefined> = {
  bool: "b", u8: "y", i16: "n", u16: "q", i32: "i", u32: "u", i64: "x", u64: "t", f64: "d",
  string: "s", bytes: "ay", fd: "h", objpath: "o", signature: "g", variant: "v",
  i8: undefined, f32: undefined, fixed: undefined,
};

const WHY_NOT: Record<string, string> = {
  i8: "D-Bus has no signed 8-bit type (use i16 or u8)",
  f32: "D-Bus has no 32-bit float (use f64)",
  fixed: "fixed is a Wayland type (use f64)",
};

/** Maximum nesting D-Bus allows, counted separately for arrays and for structs (32 each, as libdbus does). */
const MAX_DEPTH = 32;
/** Maximum length of a D-Bus signature. */
const MAX_LENGTH = 255;

/** Array and struct nesting around the type being mapped. */
interface Depth {
  readonly arrays: number;
  readonly structs: number;
}

/** The D-Bus signature of a type. */
export function dbusSignature(model: Model, type: TypeModel): SignatureResult {
  const r = sig(model, type, [], { arrays: 0, structs: 0 });
  if (r.ok && r.signature.length > MAX_LENGTH) return { ok: false, reason: `its signature is ${r.signature.length} characters long, and D-Bus allows ${MAX_LENGTH}` };
  return r;
}

const TOO_DEEP: SignatureResult = { ok: false, reason: `it nests more than ${MAX_DEPTH} arrays or ${MAX_DEPTH} structs, which D-Bus does not allow` };
const inArray = (d: Depth): Depth => ({ arrays: d.arrays + 1, structs: d.structs });
const inStruct = (d: Depth): Depth => ({ arrays: d.arrays, structs: d.structs + 1 });

function sig(model: Model, t: TypeModel, structs: string[], depth: Depth): SignatureResult {
  if (depth.arrays > MAX_DEPTH || depth.structs > MAX_DEPTH) return TOO_DEEP;
  switch (t.kind) {
    case "primitive": {
      const s = PRIMITIVE_SIGNATURES[t.name];
      // bytes is an array itself (ay).
      if (t.name === "bytes" && depth.arrays + 1 > MAX_DEPTH) return TOO_DEEP;
      return s === undefined ? { ok: false, reason: WHY_NOT[t.name] ?? `${t.name} has no D-Bus type` } : { ok: true, signature: s };
    }
    case "list": {
      const e = sig(model, t.element, structs, inArray(depth));
      return e.ok ? { ok: true, signature: "a" + e.signature } : e;
    }
    case "map": {
      // A dict entry sits inside its array; libdbus counts dict entries apart from structs, and the array bound is the tighter one.
      const k = sig(model, t.key, structs, inArray(depth));
      if (!k.ok) return k;
      const v = sig(model, t.value, structs, inArray(depth));
      return v.ok ? { ok: true, signature: `a{${k.signature}${v.signature}}` } : v;
    }
    case "optional":
      return { ok: false, reason: "D-Bus has no optional values (T?); use a variant, an empty list or a flag" };
    case "tuple": {
      if (t.elements.length === 0) return { ok: false, reason: "D-Bus structs need at least one field" };
      let out = "(";
      for (const e of t.elements) {
        const r = sig(model, e, structs, inStruct(depth));
        if (!r.ok) return r;
        out += r.signature;
      }
      return { ok: true, signature: out + ")" };
    }
    case "struct": {
      const decl = model.declarations.get(t.ref.qualifiedName);
      if (decl === undefined || decl.kind !== "struct") return { ok: false, reason: `unknown struct ${t.ref.name}` };
      if (structs.includes(t.ref.qualifiedName)) return { ok: false, reason: `struct ${t.ref.name} contains itself, and D-Bus signatures cannot be recursive` };
      if (decl.fields.length === 0) return { ok: false, reason: `struct ${t.ref.name} has no fields, and D-Bus structs need at least one` };
      let out = "(";
      for (const f of decl.fields) {
        const r = sig(model, f.type, [...structs, t.ref.qualifiedName], inStruct(depth));
        if (!r.ok) return r;
        out += r.signature;
      }
      return { ok: true, signature: out + ")" };
    }
    case "enum": {
      const decl = model.declarations.get(t.ref.qualifiedName);
      if (decl === undefined || decl.kind !== "enum") return { ok: false, reason: `unknown enum ${t.ref.name}` };
      return sig(model, { kind: "primitive", name: decl.underlying }, structs, depth);
    }
    case "object":
      return { ok: false, reason: "object<...> is a Wayland object reference (use objpath on D-Bus)" };
    case "new_id":
      return { ok: false, reason: "new_id is a Wayland construct" };
  }
}
