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

/** Maximum nesting D-Bus allows for arrays and structs (32 each). */
const MAX_DEPTH = 32;

/** The D-Bus signature of a type. */
export function dbusSignature(model: Model, type: TypeModel): SignatureResult {
  return sig(model, type, [], 0);
}

function sig(model: Model, t: TypeModel, structs: string[], depth: number): SignatureResult {
  if (depth > MAX_DEPTH) return { ok: false, reason: "it nests containers deeper than D-Bus allows (32)" };
  switch (t.kind) {
    case "primitive": {
      const s = PRIMITIVE_SIGNATURES[t.name];
      return s === undefined ? { ok: false, reason: WHY_NOT[t.name] ?? `${t.name} has no D-Bus type` } : { ok: true, signature: s };
    }
    case "list": {
      const e = sig(model, t.element, structs, depth + 1);
      return e.ok ? { ok: true, signature: "a" + e.signature } : e;
    }
    case "map": {
      const k = sig(model, t.key, structs, depth + 1);
      if (!k.ok) return k;
      const v = sig(model, t.value, structs, depth + 1);
      return v.ok ? { ok: true, signature: `a{${k.signature}${v.signature}}` } : v;
    }
    case "optional":
      return { ok: false, reason: "D-Bus has no optional values (T?); use a variant, an empty list or a flag" };
    case "tuple": {
      if (t.elements.length === 0) return { ok: false, reason: "D-Bus structs need at least one field" };
      let out = "(";
      for (const e of t.elements) {
        const r = sig(model, e, structs, depth + 1);
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
        const r = sig(model, f.type, [...structs, t.ref.qualifiedName], depth + 1);
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
