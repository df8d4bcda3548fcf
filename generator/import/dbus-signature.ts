/**
 * D-Bus type signatures → NIDL type nodes. `ay` becomes `bytes` (the canonical spelling the D-Bus emitter
 * turns back into `ay`); every other type has exactly one NIDL spelling, so signatures round-trip.
 */
import type { TypeNode } from "../ast.js";
import type { AstBuilder } from "./ast-builder.js";

const BASIC: Record<string, string> = {
  y: "u8", b: "bool", n: "i16", q: "u16", i: "i32", u: "u32", x: "i64", t: "u64", d: "f64",
  h: "fd", s: "string", o: "objpath", g: "signature", v: "variant",
};
const MAX_DEPTH = 64;

/** A parsed signature, or why it is not one complete D-Bus type. */
export type SignatureResult = { readonly ok: true; readonly type: TypeNode } | { readonly ok: false; readonly reason: string };

/** Parses exactly one complete type. */
export function signatureToType(b: AstBuilder, sig: string): SignatureResult {
  let pos = 0;
  const fail = (reason: string): never => {
    throw new SignatureError(reason);
  };
  const one = (depth: number): TypeNode => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = sig[pos++];
    if (c === undefined) return fail("signature ends inside a container");
    const basic = BASIC[c];
    if (basic !== undefined) return b.named(basic);
    if (c === "a") {
      if (sig[pos] === "y") {
        pos++;
        return b.named("bytes");
      }
      if (sig[pos] === "{") {
        pos++;
        const k = sig[pos];
        if (k === undefined || !"ybnqixtdhsog".includes(k)) fail(`dict key "${k ?? ""}" is not a basic type`);
        const key = one(depth + 1);
        const value = one(depth + 1);
        if (sig[pos++] !== "}") fail("dict entry must have exactly a key and a value");
        return b.named("map", key, value);
      }
      return b.named("list", one(depth + 1));
    }
    if (c === "(") {
      const elements: TypeNode[] = [];
      while (sig[pos] !== ")") {
        if (pos >= sig.length) fail("unclosed struct");
        elements.push(one(depth + 1));
      }
      pos++;
      if (elements.length === 0) fail("empty struct");
      return b.tuple(elements);
    }
    return fail(`unknown type code "${c}"`);
  };
  try {
    if (sig.length === 0) return { ok: false, reason: "empty signature" };
    const type = one(0);
    if (pos !== sig.length) return { ok: false, reason: `"${sig}" holds more than one complete type` };
    return { ok: true, type };
  } catch (e) {
    if (e instanceof SignatureError) return { ok: false, reason: e.message };
    throw e;
  }
}

class SignatureError extends Error {}
